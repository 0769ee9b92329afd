extension MultiOutputMeasurer {
  /// Measures `observation` as `measure(_:)` does and gives each unknown's marginal posterior
  /// density on the grid's nodes across its mass (from the 1e-4 to the 1 − 1e-4 quantile,
  /// widened by a tenth of that span on each side), in the order of the predictors.
  ///
  /// - Throws: what `measure(_:)` throws.
  public func measureWithDensities(
    _ observation: Observation
  ) throws -> (report: MultiOutputObservationReport, densities: [PosteriorDensity]) {
    let report = try measure(observation)
    let m = predictive.outputs
    let r = observation.readings.count / m
    let mean = (0..<m).map { j in
      (0..<r).reduce(0.0) { $0 + observation.readings[$1 * m + j] } / Double(r)
    }
    guard let grid = posterior(of: mean, replicates: r) else {
      throw MeasurementError.posteriorNotIntegrable(
        lower: priorRanges[0].lowerBound, upper: priorRanges[0].upperBound,
        relativeError: .infinity)
    }
    let densities = instrument.state.model.predictors.indices.map { a -> PosteriorDensity in
      let marginal = GridMarginal(grid, axis: a)
      let (low, high) = (marginal.quantile(1e-4), marginal.quantile(1 - 1e-4))
      let margin = 0.1 * (high - low)
      let kept = marginal.nodes.indices.filter {
        marginal.nodes[$0] >= low - margin && marginal.nodes[$0] <= high + margin
      }
      let chosen = kept.count >= 2 ? kept : Array(marginal.nodes.indices)
      return PosteriorDensity(
        quantity: instrument.state.model.predictors[a], x: chosen.map { marginal.nodes[$0] },
        density: chosen.map { marginal.density[$0] })
    }
    return (report, densities)
  }
}
