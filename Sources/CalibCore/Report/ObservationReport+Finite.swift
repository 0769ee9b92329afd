extension ObservationReport {
  /// The path of the first figure of the report that is NaN or infinite (`x.sd`,
  /// `coverage.reading.mean`, …), or nil when every figure is finite. Every format withholds
  /// such a result alike (`ReportEncoder` throws `NonFiniteResult`), so that the same
  /// observation is never a number in one format and an error in another. A null (nil) is
  /// not a figure: where the report allows one, an undefined figure is written as null.
  var nonFinitePath: String? {
    func bad(_ value: Double?) -> Bool { value.map { !$0.isFinite } ?? false }
    func bad(_ range: RangeRecord) -> Bool {
      (range.lower.map { $0.isNaN || $0 == .infinity } ?? false)
        || (range.upper.map { $0.isNaN || $0 == -.infinity } ?? false)
    }
    let checks: [(String, Bool)] = [
      ("readings", readings.contains { !$0.isFinite }),
      ("uncertainties", uncertainties?.contains { !$0.isFinite } ?? false),
      ("x.estimate", bad(x.estimate)), ("x.mean", bad(x.mean)), ("x.sd", bad(x.sd)),
      ("x.median", bad(x.median)), ("x.modes", x.modes?.contains { !$0.isFinite } ?? false),
      ("x.interval.level", bad(x.interval.level)),
      ("x.interval", bad(RangeRecord(lower: x.interval.lower, upper: x.interval.upper))),
      ("x.interval.pieces", x.interval.pieces?.contains(where: bad) ?? false),
      ("x.hpd", x.hpd?.contains(where: bad) ?? false),
      ("x.solutions", x.solutions?.contains { !$0.isFinite } ?? false),
      ("x.quantile", bad(x.quantile)), ("x.dof", bad(x.dof)),
      ("x.numerical.integration_relative", bad(x.numerical?.integrationRelative)),
      ("x.numerical.quantile_tolerance", bad(x.numerical?.quantileTolerance)),
      ("x.numerical.monte_carlo_relative", bad(x.numerical?.monteCarloRelative)),
      ("x.numerical.map_error", bad(x.numerical?.mapError)),
      (
        "x.components",
        x.components?.contains { bad($0.mode) || bad($0.probability) || bad($0.hpd) } ?? false
      ),
      ("coverage.p_outside_domain", bad(coverage.pOutsideDomain)),
      ("coverage.domain", bad(coverage.domain)),
      ("coverage.prior_bound_density", bad(coverage.priorBoundDensity)),
      ("coverage.prior_bound", bad(coverage.priorBound)),
      ("coverage.reading.mean", bad(coverage.reading.mean)),
      ("coverage.reading.response_range", bad(coverage.reading.responseRange)),
      ("coverage.leverage.max_standard", bad(coverage.leverage.maxStandard)),
      ("coverage.support.neighbourhood", bad(coverage.support.neighbourhood)),
      ("coverage.support.nearest_standard", bad(coverage.support.nearestStandard)),
      ("coverage.consistency.p_value", bad(coverage.consistency.pValue)),
      ("coverage.consistency.residual_p_value", bad(coverage.consistency.residualPValue)),
      ("coverage.consistency.replicate_p_value", bad(coverage.consistency.replicatePValue)),
    ]
    return checks.first { $0.1 }?.0
  }
}
