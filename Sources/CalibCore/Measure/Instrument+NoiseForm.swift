extension Instrument {
  /// The noise form measurements and simulations of this instrument use: the file's noise,
  /// with a `linear` noise held below the standards' smallest response magnitude
  /// (`NoiseForm.measured(lowest:)`), |μ̂| taken at the standards' x with the estimates.
  var measuredNoiseForm: NoiseForm {
    let form = NoiseForm(state.noise)
    guard form.model == .linear, responseModel.predictors.count == 1 else { return form }
    let magnitudes = state.domain.x[0].map {
      Swift.abs(responseModel.response(at: [$0], parameters: state.posterior.location) as Double)
    }
    return form.measured(lowest: magnitudes.min() ?? 0)
  }
}
