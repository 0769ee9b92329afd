/// Coordinates φ of a varying noise's parameters η in which their posterior is close to a
/// Gaussian, for the quadrature over them: logarithms of positive scales.
///
/// - `proportional`: φ = log s1.
/// - `power`, `replicates`: φ = (log s0, k).
/// - `linear`: φ = (log σ_lo, log σ_hi), σ at the smallest and the largest |μ| of the
///   standards (m_lo, m_hi): s1 = (σ_hi − σ_lo)/(m_hi − m_lo), s0 = σ_lo − s1·m_lo.
/// - the constant scale of a Student-t noise: φ = log s0; its ν where estimated: log ν, after
///   the scale's coordinates.
///
/// σ is positive exactly where the likelihood is, and the posterior of a log σ is nearly
/// symmetric where that of σ is skewed (a scaled inverse-χ has a long upper tail), so a
/// Gauss–Hermite rule in φ needs far fewer points than one in η.
struct NoiseCoordinates {
  let form: NoiseForm
  /// The smallest and largest |μ̂| of the standards (`linear`).
  let low: Double
  let high: Double

  /// Number of the scale's parameters, before ν.
  private var scaleCount: Int { form.scaleParameterNames.count }

  /// φ(η), or nil where η has no logarithm (a scale ≤ 0, ν ≤ 0).
  func phi(_ eta: [Double]) -> [Double]? {
    guard let scale = scalePhi(Array(eta.prefix(scaleCount))) else { return nil }
    guard form.estimatesDegreesOfFreedom else { return scale }
    return eta[scaleCount] > 0 ? scale + [_log(eta[scaleCount])] : nil
  }

  /// η(φ) and log |∂η/∂φ|, the density's factor in the new coordinates.
  func eta(_ phi: [Double]) -> (eta: [Double], logJacobian: Double) {
    let (scale, logJacobian) = scaleEta(Array(phi.prefix(scaleCount)))
    guard form.estimatesDegreesOfFreedom else { return (scale, logJacobian) }
    return (scale + [_exp(phi[scaleCount])], logJacobian + phi[scaleCount])
  }

  /// ∂φ/∂η at η (q×q, row-major).
  func jacobian(at eta: [Double]) -> [Double] {
    let scale = scaleJacobian(at: Array(eta.prefix(scaleCount)))
    guard form.estimatesDegreesOfFreedom else { return scale }
    let q = scaleCount + 1
    var matrix = [Double](repeating: 0, count: q * q)
    for i in 0..<scaleCount {
      for j in 0..<scaleCount { matrix[i * q + j] = scale[i * scaleCount + j] }
    }
    matrix[q * q - 1] = 1 / eta[scaleCount]
    return matrix
  }

  private func scalePhi(_ eta: [Double]) -> [Double]? {
    switch form.model {
    case .constant where !eta.isEmpty, .proportional:
      return eta[0] > 0 ? [_log(eta[0])] : nil
    case .power, .replicates:
      return eta[0] > 0 ? [_log(eta[0]), eta[1]] : nil
    case .linear:
      let lower = eta[0] + eta[1] * low, upper = eta[0] + eta[1] * high
      return lower > 0 && upper > 0 && high > low ? [_log(lower), _log(upper)] : nil
    case .poisson, .known:
      return []
    case .constant:
      return nil
    }
  }

  private func scaleEta(_ phi: [Double]) -> (eta: [Double], logJacobian: Double) {
    switch form.model {
    case .constant where !phi.isEmpty, .proportional:
      return ([_exp(phi[0])], phi[0])
    case .power, .replicates:
      return ([_exp(phi[0]), phi[1]], phi[0])
    case .linear:
      let lower = _exp(phi[0]), upper = _exp(phi[1])
      let s1 = (upper - lower) / (high - low)
      return ([lower - s1 * low, s1], phi[0] + phi[1] - _log(high - low))
    case .constant, .known, .poisson:
      return ([], 0)
    }
  }

  private func scaleJacobian(at eta: [Double]) -> [Double] {
    switch form.model {
    case .constant where !eta.isEmpty, .proportional:
      return [1 / eta[0]]
    case .power, .replicates:
      return [1 / eta[0], 0, 0, 1]
    case .linear:
      let lower = eta[0] + eta[1] * low, upper = eta[0] + eta[1] * high
      return [1 / lower, low / lower, 1 / upper, high / upper]
    case .constant, .known, .poisson:
      return []
    }
  }

  /// The joint covariance of θ = (a, η), its first p rows and columns the model's, carried
  /// to (a, φ) by the Jacobian at η: G·C·Gᵀ with G = diag(I, ∂φ/∂η).
  func carried(_ covariance: [[Double]], modelParameters p: Int, at eta: [Double]) -> [[Double]] {
    let k = covariance.count
    let q = k - p
    let g = jacobian(at: eta)
    func gRow(_ i: Int) -> [Double] {
      i < p
        ? (0..<k).map { $0 == i ? 1 : 0 }
        : (0..<k).map { $0 < p ? 0 : g[(i - p) * q + ($0 - p)] }
    }
    let rows = (0..<k).map(gRow)
    let product = (0..<k).map { i in
      (0..<k).map { j in (0..<k).reduce(0.0) { $0 + rows[i][$1] * covariance[$1][j] } }
    }
    return (0..<k).map { i in
      (0..<k).map { j in (0..<k).reduce(0.0) { $0 + product[i][$1] * rows[j][$1] } }
    }
  }
}
