extension ObservationReport {
  /// The path of the first figure of the report that is NaN or infinite (`x.sd`,
  /// `coverage.reading.mean`, …), or nil when every figure is finite. Every format withholds
  /// such a result alike (`ReportEncoder` throws `NonFiniteResult`), so that the same
  /// observation is never a number in one format and an error in another. The figures are
  /// looked at in a fixed order, the first bad one named. A null (nil) is not a figure:
  /// where the report allows one, an undefined figure is written as null.
  var nonFinitePath: String? {
    func bad(_ value: Double?) -> Bool { value.map { !$0.isFinite } ?? false }
    func bad(_ range: RangeRecord) -> Bool {
      (range.lower.map { $0.isNaN || $0 == .infinity } ?? false)
        || (range.upper.map { $0.isNaN || $0 == -.infinity } ?? false)
    }
    if readings.contains(where: { !$0.isFinite }) { return "readings" }
    if uncertainties?.contains(where: { !$0.isFinite }) ?? false { return "uncertainties" }
    if bad(x.estimate) { return "x.estimate" }
    if bad(x.mean) { return "x.mean" }
    if bad(x.sd) { return "x.sd" }
    if bad(x.median) { return "x.median" }
    if x.modes?.contains(where: { !$0.isFinite }) ?? false { return "x.modes" }
    if bad(x.interval.level) { return "x.interval.level" }
    if bad(RangeRecord(lower: x.interval.lower, upper: x.interval.upper)) { return "x.interval" }
    if x.interval.pieces?.contains(where: bad) ?? false { return "x.interval.pieces" }
    if x.hpd?.contains(where: bad) ?? false { return "x.hpd" }
    if x.solutions?.contains(where: { !$0.isFinite }) ?? false { return "x.solutions" }
    if bad(x.quantile) { return "x.quantile" }
    if bad(x.dof) { return "x.dof" }
    if bad(x.numerical?.integrationRelative) { return "x.numerical.integration_relative" }
    if bad(x.numerical?.quantileTolerance) { return "x.numerical.quantile_tolerance" }
    if bad(x.numerical?.monteCarloRelative) { return "x.numerical.monte_carlo_relative" }
    if bad(x.numerical?.mapError) { return "x.numerical.map_error" }
    if x.components?.contains(where: { bad($0.mode) || bad($0.probability) || bad($0.hpd) })
      ?? false
    {
      return "x.components"
    }
    if bad(coverage.pOutsideDomain) { return "coverage.p_outside_domain" }
    if bad(coverage.domain) { return "coverage.domain" }
    if bad(coverage.priorBoundDensity) { return "coverage.prior_bound_density" }
    if bad(coverage.priorBound) { return "coverage.prior_bound" }
    if bad(coverage.reading.mean) { return "coverage.reading.mean" }
    if bad(coverage.reading.responseRange) { return "coverage.reading.response_range" }
    if bad(coverage.leverage.maxStandard) { return "coverage.leverage.max_standard" }
    if bad(coverage.support.neighbourhood) { return "coverage.support.neighbourhood" }
    if bad(coverage.support.nearestStandard) { return "coverage.support.nearest_standard" }
    if bad(coverage.consistency.pValue) { return "coverage.consistency.p_value" }
    if bad(coverage.consistency.residualPValue) { return "coverage.consistency.residual_p_value" }
    if bad(coverage.consistency.replicatePValue) {
      return "coverage.consistency.replicate_p_value"
    }
    return nil
  }
}
