internal import CalibGSL

/// The likelihood of the standards under a model whose noise has a scale σ(μ; η) that varies
/// with the response, or Student-t noise, as a function of all the parameters θ = (a, η)
/// (η ending with ν where it is estimated): what `varyingNoiseFit` maximizes
/// (docs/noise-models.md).
struct NoiseLikelihood {
  let model: ResponseModel
  let form: NoiseForm
  /// The standards' predictor values (one row per standard) and readings.
  let x: [[Double]]
  let y: [Double]
  /// Number of model parameters p and noise parameters q.
  let p: Int
  let q: Int
  /// The scale of each standard where it is given (`student:known`: σᵢ = u(yᵢ)); nil where
  /// σ(μ; η) gives it.
  let knownSigmas: [Double]?

  init(model: ResponseModel, data: CalibrationData, form: NoiseForm) {
    self.init(
      model: model, form: form, x: data.predictors.map { $0.map(\.doubleValue) },
      y: data.responses.map(\.doubleValue),
      knownSigmas: form.model == .known ? data.responseUncertainties?.map(\.doubleValue) : nil)
  }

  /// The likelihood of standards at `x` (one row per standard) with readings `y`, and their
  /// u(y) for a `known` scale.
  init(
    model: ResponseModel, form: NoiseForm, x: [[Double]], y: [Double],
    knownSigmas: [Double]? = nil
  ) {
    self.model = model
    self.form = form
    self.x = x
    self.y = y
    self.knownSigmas = knownSigmas
    p = model.parameters.count
    q = form.parameterNames.count
  }

  /// L at θ alone (no derivatives); nil where σ is not positive at a standard, ν is not
  /// positive, or L is not finite.
  func negativeLog(_ theta: [Double]) -> Double? {
    let a = Array(theta[..<p])
    let function = form.function(Array(theta[p...]))
    guard function.nu > 0 else { return nil }
    var total = 0.0
    for i in y.indices {
      let mean: Double = model.response(at: x[i], parameters: a)
      let sigma = knownSigmas?[i] ?? function.sigma(at: mean)
      guard sigma > 0, sigma.isFinite else { return nil }
      total += term(y[i], mean: mean, sigma: sigma, function: function)
    }
    return total.isFinite ? total : nil
  }

  /// One standard's term of L: μ − y·log μ + log y! (Poisson), −log p(y | μ, σ) otherwise
  /// (`NoiseFunction.negativeLogDensity`).
  private func term(
    _ reading: Double, mean: Double, sigma: Double, function: NoiseFunction
  ) -> Double {
    if form.model == .poisson {
      return mean - reading * _log(mean) + Distributions.logGamma(reading + 1)
    }
    return function.negativeLogDensity(residual: reading - mean, sigma: sigma)
  }

  /// L (normal noise: Σ [log σᵢ + rᵢ²/(2σᵢ²)], without n·log √(2π)), its gradient in θ, and
  /// the expected information (row-major, (p+q)²): Σ [∇μᵢ∇μᵢᵀ + 2∇σᵢ∇σᵢᵀ]/σᵢ² for normal
  /// noise, and for Student's t (Lange, Little & Taylor 1989, JASA 84, 881)
  /// Σ [(ν+1)/(ν+3)·∇μᵢ∇μᵢᵀ + 2ν/(ν+3)·∇σᵢ∇σᵢᵀ]/σᵢ² with the ν terms
  /// I_σν = −2/((ν+1)(ν+3)σ), I_νν = ¼[ψ′(ν/2) − ψ′((ν+1)/2)] − (ν+5)/(2ν(ν+1)(ν+3)).
  struct Value {
    var negativeLog: Double
    var gradient: [Double]
    var information: [Double]
    /// μᵢ, σᵢ and ∇μᵢ (model parameters) at θ.
    var means: [Double]
    var sigmas: [Double]
  }

  /// L and its derivatives at θ; nil where σ is not positive at a standard, ν is not
  /// positive, or anything is not finite.
  func evaluate(_ theta: [Double]) -> Value? {
    let a = Array(theta[..<p])
    let function = form.function(Array(theta[p...]))
    let nu = function.nu
    guard nu > 0 else { return nil }
    let k = p + q
    let qScale = form.scaleParameterNames.count
    var value = Value(
      negativeLog: 0, gradient: [Double](repeating: 0, count: k),
      information: [Double](repeating: 0, count: k * k), means: [], sigmas: [])
    var noiseGradient = [Double](repeating: 0, count: qScale)
    // Student's t: the per-reading information about (μ, σ, ν), and the part of ∂L/∂ν that
    // does not depend on the reading.
    let student = nu.isFinite
    let infoMean = student ? (nu + 1) / (nu + 3) : 1
    let infoSigma = student ? 2 * nu / (nu + 3) : 2
    let infoSigmaNu = student ? -2 / ((nu + 1) * (nu + 3)) : 0
    let infoNu =
      student
      ? 0.25 * (Distributions.trigamma(nu / 2) - Distributions.trigamma((nu + 1) / 2))
        - (nu + 5) / (2 * nu * (nu + 1) * (nu + 3))
      : 0
    let nuIndex = form.estimatesDegreesOfFreedom ? k - 1 : nil
    let nuConstant =
      student
      ? 0.5 * (Distributions.digamma(nu / 2) - Distributions.digamma((nu + 1) / 2))
        + 0.5 / nu
      : 0
    for i in y.indices {
      let mean: Double = model.response(at: x[i], parameters: a)
      let sigma = knownSigmas?[i] ?? function.sigma(at: mean)
      guard sigma > 0, sigma.isFinite, mean.isFinite else { return nil }
      let g = model.parameterGradient(at: x[i], parameters: a)
      value.negativeLog += term(y[i], mean: mean, sigma: sigma, function: function)
      value.means.append(mean)
      value.sigmas.append(sigma)
      if form.model == .poisson {
        // L = Σ μ − y·log μ + log y!; ∇L = Σ (1 − y/μ)∇μ; I = Σ ∇μ∇μᵀ/μ.
        for j in 0..<k {
          value.gradient[j] += (1 - y[i] / mean) * g[j]
          for l in 0..<k { value.information[j * k + l] += g[j] * g[l] / mean }
        }
        continue
      }
      function.parameterGradient(at: mean, into: &noiseGradient)
      let slope = knownSigmas == nil ? function.slope(at: mean) : 0
      // ∇μ and ∇σ in θ: σ depends on a through μ; ν enters neither.
      let tail = [Double](repeating: 0, count: q - qScale)
      let dMean = g + [Double](repeating: 0, count: q)
      let dSigma = g.map { slope * $0 } + noiseGradient + tail
      let r = y[i] - mean
      let s2 = sigma * sigma
      let z2 = r * r / s2
      // w = (ν + 1)/(ν + z²), the t's weight of the reading (1 for normal noise).
      let w = student ? (nu + 1) / (nu + z2) : 1
      let meanWeight = -w * r / s2
      let sigmaWeight = (1 - w * z2) / sigma
      for j in 0..<k {
        value.gradient[j] += sigmaWeight * dSigma[j] + meanWeight * dMean[j]
        for l in 0..<k {
          value.information[j * k + l] +=
            (infoMean * dMean[j] * dMean[l] + infoSigma * dSigma[j] * dSigma[l]) / s2
        }
      }
      if let nuIndex {
        value.gradient[nuIndex] +=
          nuConstant + 0.5 * _log1p(z2 / nu) - 0.5 * (nu + 1) * z2 / (nu * (nu + z2))
        for j in 0..<k {
          let cross = infoSigmaNu / sigma * dSigma[j]
          value.information[j * k + nuIndex] += cross
          value.information[nuIndex * k + j] += cross
        }
        value.information[nuIndex * k + nuIndex] += infoNu
      }
    }
    guard value.negativeLog.isFinite, value.gradient.allSatisfy(\.isFinite) else { return nil }
    return value
  }

  /// Starting values of η from the residuals of the constant-noise fit `constant`, whose
  /// residual sd is s: σ = s at the mean |μ| of the standards, shared between the floor and
  /// the proportional part for `linear`, with k = ½ for `power`; for Student's t, ν = 5 where
  /// it is estimated, and the scale of a t whose sd is s (σ = s·√((ν − 2)/ν) for ν > 2).
  func startingNoise(at constant: InstrumentState) -> [Double] {
    let a = constant.posterior.location
    let magnitudes = y.indices.map { Swift.abs(model.response(at: x[$0], parameters: a)) }
    let typical = magnitudes.reduce(0, +) / Double(magnitudes.count)
    let startNu = form.fixedDegreesOfFreedom ?? 5
    let s =
      (constant.noise.sigma ?? 1)
      * (form.distribution == .student && startNu > 2 ? ((startNu - 2) / startNu).squareRoot() : 1)
    let scale: [Double]
    switch form.model {
    case .constant: scale = [s]
    case .proportional: scale = [s / typical]
    case .linear: scale = [s / 2, s / (2 * typical)]
    case .power: scale = [s / typical.squareRoot(), 0.5]
    case .known, .poisson, .replicates: scale = []
    }
    return Array(scale.prefix(form.scaleParameterNames.count))
      + (form.estimatesDegreesOfFreedom ? [startNu] : [])
  }

  /// The inverse Hessian of L at θ (`hessian(at:information:)`), or the inverse of
  /// `information` where the Hessian is not positive definite; nil when neither inverts.
  func covariance(at theta: [Double], information: [Double]) -> [[Double]]? {
    let k = theta.count
    guard let expected = Cholesky.inverse(information, size: k) else { return nil }
    guard let hessian = hessian(at: theta, information: information) else {
      return Cholesky.rows(expected, size: k)
    }
    return Cholesky.rows(Cholesky.inverse(hessian, size: k) ?? expected, size: k)
  }

  /// The Hessian of L at θ, row-major and symmetrized: central differences of the exact
  /// gradient, with steps of 10⁻⁵ of each parameter's scale (its magnitude, or its standard
  /// error by `information`); nil where a step leaves the region where L is defined.
  func hessian(at theta: [Double], information: [Double]) -> [Double]? {
    let k = theta.count
    let expected = Cholesky.inverse(information, size: k)
    var hessian = [Double](repeating: 0, count: k * k)
    for j in 0..<k {
      let scale = expected.map { Swift.abs($0[j * k + j]).squareRoot() } ?? 0
      let h = 1e-5 * max(Swift.abs(theta[j]), scale)
      guard h > 0 else { return nil }
      var up = theta, down = theta
      up[j] += h
      down[j] -= h
      guard let above = evaluate(up), let below = evaluate(down) else { return nil }
      for l in 0..<k { hessian[j * k + l] = (above.gradient[l] - below.gradient[l]) / (2 * h) }
    }
    for j in 0..<k {
      for l in 0..<j {
        let mean = (hessian[j * k + l] + hessian[l * k + j]) / 2
        hessian[j * k + l] = mean
        hessian[l * k + j] = mean
      }
    }
    return hessian
  }

  /// The instrument state: the constant-noise state `constant` with the parameters, their
  /// covariance, the fit statistics and the noise record of the joint fit.
  func state(
    from constant: InstrumentState, theta: [Double], covariance: [[Double]], value: Value
  ) throws -> InstrumentState {
    let k = p + q
    for j in 0..<k where !(covariance[j][j] >= 0) || !theta[j].isFinite {
      throw FitError.notFinite("the estimate or variance of parameter \(j + 1)")
    }
    let names = model.parameters + form.parameterNames
    let estimates = (0..<k).map { j in
      ParameterEstimate(name: names[j], estimate: theta[j], stdError: covariance[j][j].squareRoot())
    }
    let block = (0..<p).map { j in Array(covariance[j][..<p]) }
    let a = Array(theta[..<p])
    // The leverages of the weighted fit at the estimate, wᵢ·gᵢᵀ(Σ w g gᵀ)⁻¹gᵢ with
    // wᵢ = 1/σ̂ᵢ²: the diagonal of a projection, in [0, 1].
    let gradients = x.map { model.parameterGradient(at: $0, parameters: a) }
    var weighted = [Double](repeating: 0, count: p * p)
    for (i, g) in gradients.enumerated() {
      let w = 1 / (value.sigmas[i] * value.sigmas[i])
      for j in 0..<p {
        for l in 0..<p { weighted[j * p + l] += w * g[j] * g[l] }
      }
    }
    let inverse = Cholesky.inverse(weighted, size: p) ?? [Double](repeating: .nan, count: p * p)
    let leverages = gradients.enumerated().map { i, g in
      let h = (0..<p).reduce(0.0) { sum, j in
        sum + g[j] * (0..<p).reduce(0.0) { $0 + inverse[j * p + $1] * g[$1] }
      }
      return min(max(h / (value.sigmas[i] * value.sigmas[i]), 0), 1)
    }
    let n = y.count
    let dof = n - k
    let residuals = y.indices.map { y[$0] - value.means[$0] }
    let rss = residuals.reduce(0) { $0 + $1 * $1 }
    let standardized = y.indices.reduce(0.0) {
      $0 + residuals[$1] * residuals[$1] / (value.sigmas[$1] * value.sigmas[$1])
    }
    var state = constant
    state.parameters = Array(estimates[..<p])
    state.covariance = block
    state.fit.dof = dof
    state.fit.rss = rss
    state.fit.residualSD = (rss / Double(dof)).squareRoot()
    state.fit.chi2 = standardized
    state.fit.rSquared = weightedRSquared(
      responses: y, residuals: residuals, weights: value.sigmas.map { 1 / ($0 * $0) },
      centered: model.linearStructure.map { $0.basis.contains { $0.numberValue == 1 } } ?? true)
    state.fit.chi2PValue = nil
    state.fit.lackOfFit = nil
    state.fit.heteroscedasticity = nil
    // The normal density's normalizing constant; the Poisson L already holds log y!, and the
    // t's L its normalizer.
    let normalizer =
      form.model == .poisson || form.distribution == .student
      ? 0 : 0.5 * Double(n) * _log(2 * Double.pi)
    state.fit.setLikelihood(-value.negativeLog - normalizer, parameters: k)
    state.fit.method = "maximum likelihood, \(form.methodDescription), by Fisher scoring"
    state.noise = NoiseRecord(
      model: form.model, sigma: nil, dof: dof, parameters: Array(estimates[p...]),
      jointCovariance: covariance,
      distribution: form.distribution == .student ? .student : nil,
      fixedDegreesOfFreedom: form.fixedDegreesOfFreedom)
    state.posterior = PosteriorRecord(
      kind: .laplace, location: a, scale: block, s2: nil, dof: nil)
    state.domain.leverage = leverages
    state.domain.maxLeverage = leverages.max() ?? 0
    return state
  }
}
