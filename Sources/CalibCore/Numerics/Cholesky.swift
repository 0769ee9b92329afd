/// The lower Cholesky factor L of a symmetric positive semi-definite matrix, A = L·Lᵀ, for
/// the small covariance matrices of instrument states. A pivot that rounding makes negative
/// is taken as zero (a semi-definite direction), so the factor always exists.
enum Cholesky {
  /// L, row-major p×p, of `matrix` (p×p).
  static func lowerFactor(of matrix: [[Double]]) -> [Double] {
    let p = matrix.count
    var factor = [Double](repeating: 0, count: p * p)
    for i in 0..<p {
      for j in 0...i {
        var sum = matrix[i][j]
        for k in 0..<j { sum -= factor[i * p + k] * factor[j * p + k] }
        factor[i * p + j] =
          i == j ? max(sum, 0).squareRoot() : (factor[j * p + j] > 0 ? sum / factor[j * p + j] : 0)
      }
    }
    return factor
  }

  /// center + L·z, for L the lower factor (row-major p×p) of a covariance: the point of
  /// N(center, L·Lᵀ) at standard normal coordinates z (a sampler's draw, a quadrature node).
  static func point(
    at z: [Double], factor: [Double], center: [Double]
  ) -> [Double] {
    let p = center.count
    return (0..<p).map { i in
      center[i] + (0...i).reduce(0.0) { $0 + factor[i * p + $1] * z[$1] }
    }
  }
}
