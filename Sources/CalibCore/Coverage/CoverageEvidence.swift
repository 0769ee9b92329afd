/// The figures the coverage rules judge, as the measurer gathers them for one observation:
/// the posterior's mass and shape against the calibrated domain and the prior range, the
/// reading against the standards' readings, the leverage and support at the estimate, the
/// consistency of the readings, and the method's own result.
struct CoverageEvidence {
  /// The method's point estimate.
  var estimate: Double
  /// The method's result: its interval, the posterior's components, the classical solutions.
  var quantity: QuantityEstimate
  /// The calibrated domain [min x, max x].
  var domain: ClosedRange<Double>
  /// The prior range of x, and the range the classical methods searched.
  var priorRange: ClosedRange<Double>
  var classicalRange: ClosedRange<Double>
  /// P(x outside the domain) under the posterior.
  var pOutsideDomain: Double
  /// The posterior density at the nearer bound of the prior range, relative to its peak, and
  /// which bound that is.
  var priorBoundDensity: Double
  var atBound: Double
  /// Whether that bound is where the model itself begins (x = 0 for 4pl, 5pl, power, mm; the
  /// first x where a formula is not finite), so that no x lies beyond it to miss.
  var boundIsNatural: Bool
  /// The mean reading against the standards' readings.
  var reading: ReadingCheck
  /// The leverage at the estimate against the standards'.
  var leverage: LeverageCheck
  /// The standards near the estimate.
  var support: SupportCheck
  /// How probable the readings are under the instrument.
  var consistency: ConsistencyCheck
  /// Whether the standards near the estimate tell the response's curvature from noise, and
  /// the name of the response.
  var local: LocalCurvatureCheck
  var response: String
  /// What is wrong with the instrument's posterior samples, when the measurement used them.
  var posteriorWarnings: [String]
}
