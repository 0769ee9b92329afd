/// One unknown's posterior density, tabulated for a picture: the density (normalized to
/// probability per unit of x) at increasing points that span the posterior's mass.
public struct PosteriorDensity: Equatable, Sendable {
  /// The unknown's name (the instrument's predictor column).
  public let quantity: String
  /// The points, increasing, in the unknown's units.
  public let x: [Double]
  /// p(x | readings, calibration) at each point, per unit of x.
  public let density: [Double]

  /// Where a posterior's mass lies, for a picture: from its 1e-4 quantile to its 1 − 1e-4
  /// quantile, widened by a tenth of that span on each side (everything, where the quantiles
  /// are not finite).
  static func window(quantile: (Double) -> Double) -> ClosedRange<Double> {
    let (low, high) = (quantile(1e-4), quantile(1 - 1e-4))
    guard low.isFinite, high.isFinite, high >= low else { return -.infinity ... .infinity }
    let margin = 0.1 * (high - low)
    return (low - margin)...(high + margin)
  }

  /// The points from the posterior's 1e-4 quantile to its 1 − 1e-4 quantile, widened by a
  /// tenth of that span on each side and kept inside `bounds` (the prior range).
  static func span(
    quantile: (Double) -> Double, bounds: ClosedRange<Double>, points: Int
  ) -> [Double] {
    let window = window(quantile: quantile)
    var lower = max(window.lowerBound, bounds.lowerBound)
    var upper = min(window.upperBound, bounds.upperBound)
    if !(upper > lower) { (lower, upper) = (bounds.lowerBound, bounds.upperBound) }
    let n = max(points, 2) - 1
    return (0...n).map { lower + (upper - lower) * Double($0) / Double(n) }
  }
}
