extension Instrument {
  /// |μ̂| at each standard's x with the estimates (one predictor): where the calibration saw
  /// the response, for the noise's coordinates and its extrapolation below the standards.
  var standardResponseMagnitudes: [Double] {
    state.domain.x[0].map {
      Swift.abs(responseModel.response(at: [$0], parameters: state.posterior.location) as Double)
    }
  }

  /// The noise form measurements and simulations of this instrument use: the file's noise,
  /// with a `linear` noise held below the standards' smallest response magnitude
  /// (`NoiseForm.measured(lowest:)`).
  var measuredNoiseForm: NoiseForm {
    let form = NoiseForm(state.noise)
    guard form.model == .linear, responseModel.predictors.count == 1 else { return form }
    return form.measured(lowest: standardResponseMagnitudes.min() ?? 0)
  }
}
