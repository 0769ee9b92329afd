extension MultiOutputMeasurer {
  /// Measures `observation` as `measure(_:)` does and gives each unknown's marginal posterior
  /// density on the grid's nodes across its mass (from the 1e-4 to the 1 − 1e-4 quantile,
  /// widened by a tenth of that span on each side), in the order of the predictors.
  ///
  /// - Throws: what `measure(_:)` throws.
  public func measureWithDensities(
    _ observation: Observation
  ) throws -> (report: MultiOutputObservationReport, densities: [PosteriorDensity]) {
    let (report, grid) = try tabulated(observation)
    let densities = instrument.state.model.predictors.indices.map { a -> PosteriorDensity in
      let marginal = GridMarginal(grid, axis: a)
      let window = PosteriorDensity.window(quantile: marginal.quantile)
      let kept = marginal.nodes.indices.filter { window.contains(marginal.nodes[$0]) }
      let chosen = kept.count >= 2 ? kept : Array(marginal.nodes.indices)
      return PosteriorDensity(
        quantity: instrument.state.model.predictors[a], x: chosen.map { marginal.nodes[$0] },
        density: chosen.map { marginal.density[$0] })
    }
    return (report, densities)
  }
}
