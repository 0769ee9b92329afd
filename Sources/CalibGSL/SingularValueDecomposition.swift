internal import CGSL

/// The thin singular value decomposition A = U·diag(S)·Vᵀ of an n×p matrix with n ≥ p.
///
/// Computed by one-sided Jacobi orthogonalization, which gives the small singular values to
/// high relative accuracy, unlike Golub–Reinsch (Demmel & Veselić, SIAM J. Matrix Anal. Appl.
/// 13, 1992). Singular values are in decreasing order.
package struct SingularValueDecomposition {
  /// The n×p matrix of left singular vectors (orthonormal columns).
  package let u: GSLMatrix
  /// The p singular values, largest first.
  package let singularValues: [Double]
  /// The p×p orthogonal matrix of right singular vectors.
  package let v: GSLMatrix

  /// Decomposes `matrix`, which is left unchanged.
  ///
  /// - Parameter matrix: An n×p matrix with n ≥ p.
  /// - Throws: `GSLError` from allocation or from `gsl_linalg_SV_decomp_jacobi`.
  /// - Complexity: O(n·p²) per sweep, a few sweeps.
  ///
  /// Calls `gsl_linalg_SV_decomp_jacobi`.
  package init(_ matrix: GSLMatrix) throws(GSLError) {
    // Cannot trap: the only caller is LinearLeastSquares, which has n ≥ p.
    precondition(
      matrix.rows >= matrix.columns, "the SVD here needs at least as many rows as columns")
    let u = try GSLMatrix(rows: matrix.rows, columns: matrix.columns)
    try u.copy(from: matrix)
    let v = try GSLMatrix(rows: matrix.columns, columns: matrix.columns)
    let s = try GSLVector(count: matrix.columns)
    try GSL.check(
      gsl_linalg_SV_decomp_jacobi(u.pointer, v.pointer, s.pointer), "gsl_linalg_SV_decomp_jacobi")
    self.u = u
    self.v = v
    self.singularValues = (0..<matrix.columns).map { s[$0] }
  }
}
