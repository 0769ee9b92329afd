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
}
