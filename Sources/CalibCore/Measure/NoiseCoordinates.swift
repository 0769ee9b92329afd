/// Coordinates φ of a varying noise's parameters η in which their posterior is close to a
/// Gaussian, for the quadrature over them: logarithms of positive scales.
///
/// - `proportional`: φ = log s1.
/// - `power`: φ = (log s0, k).
/// - `linear`: φ = (log σ_lo, log σ_hi), σ at the smallest and the largest |μ| of the
///   standards (m_lo, m_hi): s1 = (σ_hi − σ_lo)/(m_hi − m_lo), s0 = σ_lo − s1·m_lo.
///
/// σ is positive exactly where the likelihood is, and the posterior of a log σ is nearly
/// symmetric where that of σ is skewed (a scaled inverse-χ has a long upper tail), so a
/// Gauss–Hermite rule in φ needs far fewer points than one in η.
struct NoiseCoordinates {
  let model: NoiseModel
  /// The smallest and largest |μ̂| of the standards (`linear`).
  let low: Double
  let high: Double

  /// φ(η), or nil where η has no logarithm (a scale ≤ 0).
  func phi(_ eta: [Double]) -> [Double]? {
    switch model {
    case .proportional:
      return eta[0] > 0 ? [_log(eta[0])] : nil
    case .power:
      return eta[0] > 0 ? [_log(eta[0]), eta[1]] : nil
    case .linear:
      let lower = eta[0] + eta[1] * low, upper = eta[0] + eta[1] * high
      return lower > 0 && upper > 0 && high > low ? [_log(lower), _log(upper)] : nil
    case .poisson:
      return []
    case .constant, .known:
      return nil
    }
  }

  /// η(φ) and log |∂η/∂φ|, the density's factor in the new coordinates.
  func eta(_ phi: [Double]) -> (eta: [Double], logJacobian: Double) {
    switch model {
    case .proportional:
      return ([_exp(phi[0])], phi[0])
    case .power:
      return ([_exp(phi[0]), phi[1]], phi[0])
    case .linear:
      let lower = _exp(phi[0]), upper = _exp(phi[1])
      let s1 = (upper - lower) / (high - low)
      return ([lower - s1 * low, s1], phi[0] + phi[1] - _log(high - low))
    case .constant, .known, .poisson:
      return ([], 0)
    }
  }

  /// ∂φ/∂η at η (q×q, row-major).
  func jacobian(at eta: [Double]) -> [Double] {
    switch model {
    case .proportional:
      return [1 / eta[0]]
    case .power:
      return [1 / eta[0], 0, 0, 1]
    case .linear:
      let lower = eta[0] + eta[1] * low, upper = eta[0] + eta[1] * high
      return [1 / lower, low / lower, 1 / upper, high / upper]
    case .constant, .known, .poisson:
      return []
    }
  }
}
