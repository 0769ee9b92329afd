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

  /// The strict lower factor of a symmetric positive definite k×k matrix (row-major), or nil
  /// where a pivot is not positive (the matrix is not positive definite to rounding).
  static func strictFactor(of matrix: [Double], size k: Int) -> [Double]? {
    var factor = [Double](repeating: 0, count: k * k)
    for i in 0..<k {
      for j in 0...i {
        var sum = matrix[i * k + j]
        for l in 0..<j { sum -= factor[i * k + l] * factor[j * k + l] }
        if i == j {
          guard sum > 0, sum.isFinite else { return nil }
          factor[i * k + i] = sum.squareRoot()
        } else {
          factor[i * k + j] = sum / factor[j * k + j]
        }
      }
    }
    return factor
  }

  /// x with A·x = b for a symmetric positive definite A (row-major, b.count × b.count), or
  /// nil where A is not positive definite.
  static func solve(_ matrix: [Double], _ b: [Double]) -> [Double]? {
    let k = b.count
    guard let factor = strictFactor(of: matrix, size: k) else { return nil }
    var z = b
    for i in 0..<k {
      for l in 0..<i { z[i] -= factor[i * k + l] * z[l] }
      z[i] /= factor[i * k + i]
    }
    for i in stride(from: k - 1, through: 0, by: -1) {
      for l in (i + 1)..<k { z[i] -= factor[l * k + i] * z[l] }
      z[i] /= factor[i * k + i]
    }
    return z
  }

  /// A⁻¹ of a symmetric positive definite k×k matrix (row-major), or nil where A is not
  /// positive definite.
  static func inverse(_ matrix: [Double], size k: Int) -> [Double]? {
    var inverse = [Double](repeating: 0, count: k * k)
    for column in 0..<k {
      var unit = [Double](repeating: 0, count: k)
      unit[column] = 1
      guard let solution = solve(matrix, unit) else { return nil }
      for row in 0..<k { inverse[row * k + column] = solution[row] }
    }
    for i in 0..<k {
      for j in 0..<i {
        let mean = (inverse[i * k + j] + inverse[j * k + i]) / 2
        inverse[i * k + j] = mean
        inverse[j * k + i] = mean
      }
    }
    return inverse
  }

  /// The rows of a row-major k×k matrix.
  static func rows(_ matrix: [Double], size k: Int) -> [[Double]] {
    (0..<k).map { Array(matrix[($0 * k)..<($0 * k + k)]) }
  }
}
