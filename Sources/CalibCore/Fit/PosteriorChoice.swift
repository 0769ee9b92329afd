import Foundation
internal import CalibGSL

/// How to represent the posterior of a nonlinear instrument (`calib fit --posterior`).
public enum PosteriorChoice: String, Codable, CaseIterable, Sendable {
  /// The Gaussian at the optimum.
  case laplace
  /// Samples from the exact posterior by MCMC.
  case mcmc
  /// MCMC when the residual sum of squares departs from its quadratic approximation by more
  /// than 20% at two standard errors along some parameter; Laplace otherwise.
  case auto
}

extension ResponseModel {
  /// Adds posterior samples to a nonlinear instrument when `choice` asks for them or finds the
  /// Laplace approximation inadequate, and records why (docs/nonlinear-fit.md).
  ///
  /// The target is p(a | D) with a flat prior, uniform within `bounds`: ∝ RSS(a)^(−n/2) with
  /// σ estimated (σ integrated out under p(σ) ∝ 1/σ), ∝ exp(−χ²(a)/2) with u(y) known.
  func sampledPosterior(
    _ state: InstrumentState, data: CalibrationData, choice: PosteriorChoice, seed: UInt64,
    bounds: [String: RangeRecord]
  ) throws -> InstrumentState {
    guard linearStructure == nil else { return state }
    let limits = ParameterBounds(bounds, parameters: parameters)
    let n = data.count
    let p = parameters.count
    let weights = (0..<n).map { i in data.responseUncertainties.map { 1 / $0[i].doubleValue } ?? 1 }
    let x = data.predictors.map { $0.map(\.doubleValue) }
    let y = data.responses.map(\.doubleValue)
    let noiseKnown = data.responseUncertainties != nil
    let inverseVariances = weights.map { $0 * $0 }
    func rss(_ a: [Double]) -> Double {
      residualSumOfSquares(at: a, x: x, y: y, weights: inverseVariances)
    }
    let estimate = state.posterior.location
    let minimum = state.fit.rss

    // Adequacy of the quadratic approximation, parameter by parameter.
    var worst = (ratio: 0.0, name: parameters[0])
    for j in 0..<p {
      let se = state.parameters[j].stdError
      var curvature = 0.0
      for i in 0..<n {
        let g: Double = compiledParameterDerivatives[j].evaluate(x[i] + estimate)
        curvature += g * g * weights[i] * weights[i]
      }
      let predicted = 4 * se * se * curvature
      for sign in [-1.0, 1.0] {
        var a = estimate
        a[j] += sign * 2 * se
        let actual = rss(a) - minimum
        let ratio =
          predicted > 0 && actual.isFinite ? Swift.abs(actual - predicted) / predicted : .infinity
        if ratio > worst.ratio { worst = (ratio, parameters[j]) }
      }
    }
    let departs = worst.ratio > 0.2
    let describe =
      worst.ratio.isFinite
      ? "the residual sum of squares departs from its quadratic approximation by \(String(format: "%.3g", worst.ratio * 100))% at 2 standard errors of \(worst.name)"
      : "the model is not finite at 2 standard errors of \(worst.name)"
    var result = state
    if !bounds.isEmpty { result.posterior.bounds = bounds }
    let use: PosteriorChoice
    let reason: String
    switch choice {
    case .laplace:
      use = .laplace
      reason = "asked for; " + describe
    case .mcmc:
      use = .mcmc
      reason = "asked for; " + describe
    case .auto:
      use = departs ? .mcmc : .laplace
      reason =
        describe
        + (departs
          ? " (more than 20%): sampled" : " (at most 20%): the Laplace approximation holds")
    }
    result.posterior.choice = PosteriorChoiceRecord(requested: choice, used: use, reason: reason)
    guard use == .mcmc else { return result }

    // The spread of the starting walkers: the Cholesky factor of the Laplace covariance.
    let spread = Cholesky.lowerFactor(of: state.covariance)
    let random = try RandomNumbers(seed: seed)
    let sampler = EnsembleSampler(
      logDensity: { a in
        guard limits.admit(a) else { return -.infinity }
        let value = rss(a)
        guard value.isFinite else { return -.infinity }
        return noiseKnown ? -0.5 * value : -0.5 * Double(n) * _log(value)
      },
      walkers: 32, burnIn: 500, steps: 1000, thin: 25)
    let run = sampler.run(center: estimate, spread: spread, random: random)
    // Diagnostics that are not numbers mean walkers ran off to where the parameters overflow:
    // an improper posterior under the flat prior. No file can hold them; say so.
    guard (run.rHat + run.effectiveSampleSize).allSatisfy(\.isFinite),
      run.samples.joined().allSatisfy(\.isFinite)
    else {
      throw FitError.improperPosterior
    }
    result.posterior.samples = run.samples
    if !noiseKnown {
      result.posterior.sigmaSamples = run.samples.map {
        (rss($0) / random.chiSquared(Double(n))).squareRoot()
      }
    }
    result.posterior.sampler = SamplerRecord(
      method: "affine-invariant ensemble (Goodman & Weare 2010), stretch move a = 2",
      walkers: sampler.walkers, burnIn: sampler.burnIn, steps: sampler.steps, thin: sampler.thin,
      seed: seed,
      acceptance: run.acceptance, rHat: run.rHat, effectiveSampleSize: run.effectiveSampleSize)
    result.posterior.kind = .mcmc
    let warnings = ResponseModel.samplerWarnings(
      rHat: run.rHat, effectiveSampleSize: run.effectiveSampleSize, parameters: parameters)
    result.posterior.warnings = warnings.isEmpty ? nil : warnings
    return result
  }

  /// R̂ above which a sampler's walkers are taken not to agree (Gelman et al., BDA3 §11.4).
  static let maximumRHat = 1.1
  /// Effective sample size below which a parameter's samples are too few to average over
  /// (Vehtari et al. 2021 ask for at least 100 per chain for quantiles; 100 in all is the
  /// least that gives a Monte Carlo error of 10% of a posterior sd).
  static let minimumEffectiveSampleSize = 100.0

  /// The warnings an MCMC run earns, one per problem, as reasons a measurement can carry:
  /// R̂ > 1.1 (or not computable) for any parameter, an effective sample size below 100.
  /// - Parameter bounded: Whether the fit takes bounds (a noise fitted by likelihood does
  ///   not), for the remedy the warning names.
  static func samplerWarnings(
    rHat: [Double], effectiveSampleSize: [Double], parameters: [String], bounded: Bool = true
  ) -> [String] {
    func format(_ v: Double) -> String { v.isFinite ? String(format: "%.3g", v) : "not computable" }
    func list(_ figures: [(String, Double)]) -> String {
      figures.map { "\($0.0): \(format($0.1))" }.joined(separator: ", ")
    }
    var warnings: [String] = []
    let high = zip(parameters, rHat).filter { !($0.1 <= maximumRHat) }
    if !high.isEmpty {
      let worst = high.contains { !$0.1.isFinite } ? Double.nan : high.map(\.1).max() ?? .nan
      warnings.append(
        "the instrument's MCMC posterior did not converge (R̂ = \(format(worst))"
          + " > \(format(maximumRHat)); \(list(high))): refit with another --seed"
          + (bounded ? " or --bounds," : ",") + " or use --marginalize linearized")
    }
    let few = zip(parameters, effectiveSampleSize).filter { !($0.1 >= minimumEffectiveSampleSize) }
    if !few.isEmpty {
      warnings.append(
        "the instrument's MCMC posterior has few effective samples (\(list(few)); at least"
          + " \(format(minimumEffectiveSampleSize)) wanted)")
    }
    return warnings
  }
}
