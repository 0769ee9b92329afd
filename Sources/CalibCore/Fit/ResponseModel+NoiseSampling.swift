internal import CalibGSL

extension ResponseModel {
  /// Adds MCMC samples of all the parameters θ = (a, η) to an instrument whose noise was fitted
  /// by likelihood (`--posterior mcmc`; docs/noise-models.md): the posterior where the Laplace
  /// approximation is not to be trusted, the noise's parameters (ν above all) being the
  /// typical case.
  ///
  /// The target is exp(−L(θ)) under a flat prior in θ, times the Gamma(2, 0.1) prior of an
  /// estimated ν (`NoiseForm.logDegreesOfFreedomPrior`), sampled by the affine-invariant
  /// ensemble (`EnsembleSampler`) in the coordinates (a, φ) where the noise's scales are
  /// logarithms (`NoiseCoordinates`), the Jacobian included, from walkers drawn about the
  /// estimate with the Laplace covariance carried there.
  ///
  /// - Throws: `FitError.improperPosterior` where the walkers run off to where the parameters
  ///   overflow; `FitError.unsupported` for a noise without such coordinates.
  func noiseSampledPosterior(
    _ state: InstrumentState, data: CalibrationData, form: NoiseForm, seed: UInt64
  ) throws -> InstrumentState {
    let likelihood = NoiseLikelihood(model: self, data: data, form: form)
    let p = parameters.count
    let a = state.posterior.location
    guard let estimates = state.noise.parameters?.map(\.estimate),
      let joint = state.noise.jointCovariance
    else { return state }
    let magnitudes = likelihood.x.map { Swift.abs(response(at: $0, parameters: a) as Double) }
    let coordinates = NoiseCoordinates(
      form: form, low: magnitudes.min() ?? 0, high: magnitudes.max() ?? 0)
    guard let phi = coordinates.phi(estimates) else {
      throw FitError.unsupported(
        "posterior samples of the \(form.name): its estimate has no coordinates to sample in")
    }
    let spread = Cholesky.lowerFactor(
      of: coordinates.carried(joint, modelParameters: p, at: estimates))
    let random = try RandomNumbers(seed: seed)
    let sampler = EnsembleSampler(
      logDensity: { point in
        let (eta, logJacobian) = coordinates.eta(Array(point[p...]))
        guard let value = likelihood.negativeLog(Array(point[..<p]) + eta) else {
          return -.infinity
        }
        let prior =
          form.estimatesDegreesOfFreedom
          ? NoiseForm.logDegreesOfFreedomPrior(eta[eta.count - 1]) : 0
        return -value + logJacobian + prior
      },
      walkers: 32, burnIn: 500, steps: 1000, thin: 25)
    let run = sampler.run(center: a + phi, spread: spread, random: random)
    guard (run.rHat + run.effectiveSampleSize).allSatisfy(\.isFinite),
      run.samples.joined().allSatisfy(\.isFinite)
    else {
      throw FitError.improperPosterior
    }
    var result = state
    let draws = run.samples.map { point in
      Array(point[..<p]) + coordinates.eta(Array(point[p...])).eta
    }
    result.posterior.kind = .mcmc
    result.posterior.samples = draws.map { Array($0[..<p]) }
    result.posterior.noiseSamples = draws.map { Array($0[p...]) }
    result.posterior.sampler = SamplerRecord(
      method: "affine-invariant ensemble (Goodman & Weare 2010), stretch move a = 2, in"
        + " (a, log scales)",
      walkers: sampler.walkers, burnIn: sampler.burnIn, steps: sampler.steps, thin: sampler.thin,
      seed: seed,
      acceptance: run.acceptance, rHat: run.rHat, effectiveSampleSize: run.effectiveSampleSize)
    result.posterior.choice = PosteriorChoiceRecord(
      requested: .mcmc, used: .mcmc, reason: "asked for")
    let warnings = ResponseModel.samplerWarnings(
      rHat: run.rHat, effectiveSampleSize: run.effectiveSampleSize,
      parameters: parameters + form.parameterNames, bounded: false)
    let all = (state.posterior.warnings ?? []) + warnings
    result.posterior.warnings = all.isEmpty ? nil : all
    return result
  }
}
