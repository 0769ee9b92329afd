extension Measurer {
  /// Measures `observation` as `measure(_:)` does and tabulates its posterior density of x
  /// on `points` equally spaced points across the posterior's mass (from its 1e-4 to its
  /// 1 − 1e-4 quantile, widened by a tenth on each side, inside the prior range).
  ///
  /// The density is the one the report's summaries come from, normalized over the prior
  /// range; for `--method inversion` or `wald` it is still the Bayesian posterior.
  ///
  /// - Throws: what `measure(_:)` throws.
  public func measureWithDensity(
    _ observation: Observation, points: Int = 401
  ) throws -> (report: ObservationReport, density: PosteriorDensity) {
    let report = try measure(observation, mapped: false)
    let tabulation = self.tabulation
    let x = PosteriorDensity.span(
      quantile: { tabulation.quantile($0) }, bounds: priorRange, points: points)
    let density = PosteriorDensity(
      quantity: instrument.state.model.predictors[0], x: x,
      density: x.map { tabulation.normalizedDensity($0) })
    return (report, density)
  }
}
