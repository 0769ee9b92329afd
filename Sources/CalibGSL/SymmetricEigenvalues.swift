internal import CGSL

/// The eigenvalues of a real symmetric matrix, in increasing order.
///
/// Computed by GSL's symmetric bidiagonalization and implicit QL (`gsl_eigen_symm`, Golub &
/// Van Loan, Matrix Computations, §8.3), used to check that a covariance matrix read from a
/// file is positive semidefinite.
package enum SymmetricEigenvalues {
  /// The eigenvalues of `matrix` (p×p, row-major lists, p ≥ 1), smallest first. Only the
  /// lower triangle is read.
  ///
  /// - Throws: `GSLError` from allocation or from `gsl_eigen_symm`.
  package static func of(_ matrix: [[Double]]) throws(GSLError) -> [Double] {
    let p = matrix.count
    let copy = try GSLMatrix(rows: p, columns: p)
    for i in 0..<p {
      for j in 0..<p where j < matrix[i].count { copy[i, j] = matrix[i][j] }
    }
    let values = try GSLVector(count: p)
    guard let workspace = gsl_eigen_symm_alloc(p) else {
      throw GSL.allocationFailure("gsl_eigen_symm_alloc")
    }
    defer { gsl_eigen_symm_free(workspace) }
    try GSL.check(gsl_eigen_symm(copy.pointer, values.pointer, workspace), "gsl_eigen_symm")
    return (0..<p).map { values[$0] }.sorted()
  }

  /// The smallest eigenvalue of `matrix` (p×p, row-major lists, p ≥ 1) and its unit
  /// eigenvector, by `gsl_eigen_symmv`; nil when GSL fails (allocation, or no convergence).
  package static func smallest(of matrix: [[Double]]) -> (value: Double, vector: [Double])? {
    let p = matrix.count
    guard p > 0, let copy = try? GSLMatrix(rows: p, columns: p),
      let vectors = try? GSLMatrix(rows: p, columns: p), let values = try? GSLVector(count: p)
    else { return nil }
    for i in 0..<p {
      for j in 0..<p where j < matrix[i].count { copy[i, j] = matrix[i][j] }
    }
    guard let workspace = gsl_eigen_symmv_alloc(p) else { return nil }
    defer { gsl_eigen_symmv_free(workspace) }
    GSL.prepare()
    guard gsl_eigen_symmv(copy.pointer, values.pointer, vectors.pointer, workspace) == GSL_SUCCESS
    else { return nil }
    let lowest = (0..<p).min { values[$0] < values[$1] } ?? 0
    return (values[lowest], (0..<p).map { vectors[$0, lowest] })
  }
}
