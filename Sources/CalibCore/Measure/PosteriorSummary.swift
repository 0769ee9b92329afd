/// What a measurement takes from the posterior of x: the report's summaries and the figures
/// of the coverage check, from the tabulated posterior (`PosteriorTabulation`) or from the
/// measurement map (`MeasurementMap`). Units of x throughout; probabilities in [0, 1].
struct PosteriorSummary {
  /// The posterior mean, standard deviation and median.
  var mean: Double
  var sd: Double
  var median: Double
  /// The equal-tailed credible interval at the settings' level.
  var credible: ClosedRange<Double>
  /// The highest-density region at the settings' level, as disjoint intervals in increasing
  /// order (empty when not asked for: the classical methods).
  var hpd: [ClosedRange<Double>]
  /// The modes with density at least 1e-4 of the highest, in increasing x, and the highest.
  var modes: [Double]
  var bestMode: Double
  /// P(x ≤ a) and P(x ≤ b) at the ends of the calibrated domain [a, b].
  var domainCDF: (lower: Double, upper: Double)
  /// P(x ≤ T) at the threshold T of `p_above`, when there is one.
  var thresholdCDF: Double?
  /// The density at each end of the prior range (or just inside it), relative to the
  /// highest mode's.
  var lowerBoundDensity: Double
  var upperBoundDensity: Double
  /// The numerical errors and the evaluations spent.
  var numerical: NumericalError
}
