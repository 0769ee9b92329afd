extension ResponseModel {
  /// The instrument state with a noise that varies with the response, fitted jointly with
  /// the model by maximum likelihood (docs/noise-models.md).
  ///
  /// With μᵢ = f(xᵢ; a), σᵢ = σ(μᵢ; η) and rᵢ = yᵢ − μᵢ, the negative log-likelihood of
  /// normal noise is L(a, η) = Σ [log σᵢ + rᵢ²/(2σᵢ²)] + n·log √(2π). It is minimized over
  /// θ = (a, η) by Fisher scoring from the constant-noise fit `constant`: steps solving
  /// I(θ)·Δ = −∇L with the expected information I = Σ [∇μᵢ∇μᵢᵀ + 2∇σᵢ∇σᵢᵀ]/σᵢ², exact
  /// gradients from the symbolic derivatives of the model, halved until L decreases and
  /// every σᵢ stays positive; where scoring crawls (full steps that shrink the decrease they
  /// promise by less than 4), Newton's steps with the Hessian of L finish. The covariance of θ is the inverse of the Hessian of L at the
  /// optimum (the Laplace approximation to the posterior under a flat prior), the Hessian
  /// taken by central differences of the exact gradient; where that is not positive
  /// definite, the inverse expected information. Poisson counts are fitted alike with
  /// L = Σ [μᵢ − yᵢ·log μᵢ + log yᵢ!] and I = Σ ∇μᵢ∇μᵢᵀ/μᵢ, and Student-t noise with its
  /// own L and expected information, ν among the parameters where it is estimated
  /// (`NoiseLikelihood`).
  ///
  /// - Throws: `FitError.noiseCollapses` where σ is driven to 0 at a standard (the likelihood
  ///   has no maximum); `FitError.notConverged` for a noise function that is zero at a standard
  ///   (a proportional noise at a zero response), or scoring that does not converge;
  ///   `UnboundedDegreesOfFreedom` where the estimate of a Student-t noise's ν runs off to
  ///   infinity (the readings show no heavy tails: the likelihood has no finite maximum).
  func varyingNoiseFit(
    _ constant: InstrumentState, data: CalibrationData, form: NoiseForm
  ) throws -> InstrumentState {
    let noise = form.model
    let likelihood = NoiseLikelihood(model: self, data: data, form: form)
    let noiseStart = likelihood.startingNoise(at: constant)
    var theta = constant.posterior.location + noiseStart
    // Where the least-squares curve leaves a standard without a positive mean (a count) or
    // σ, a model with a constant term starts from the flat curve at the mean reading instead,
    // and the scoring's step halving keeps it where the likelihood is defined.
    if likelihood.evaluate(theta) == nil, let flat = flatStart(data) {
      theta = flat + noiseStart
    }
    guard var current = likelihood.evaluate(theta) else {
      throw FitError.notConverged(
        tried:
          noise == .poisson
          ? "Poisson noise from the least-squares fit: the curve is not positive at every"
            + " standard, and a count needs a positive mean"
          : "\(noise) noise from the constant-noise fit: σ(μ) is not positive at every standard"
            + (noise == .linear ? "" : " (a standard whose response is 0 needs the linear noise)"))
    }
    var converged = false
    // Scoring converges linearly, at a rate set by how far the expected information is from
    // the observed one (counts of 1 or 2 at a mean near 1: the rate nears 1, and full steps
    // oscillate about the optimum). Once a full step shrinks the decrement by less than 4,
    // the steps are Newton's, with the Hessian of L, wherever it is positive definite.
    var newton = false
    var lastFullDecrement = Double.infinity
    for _ in 0..<500 {
      let negative = current.gradient.map { -$0 }
      let observed =
        newton
        ? likelihood.hessian(at: theta, information: current.information)
          .flatMap { Cholesky.solve($0, negative) } : nil
      guard let step = observed ?? Cholesky.solve(current.information, negative) else {
        break
      }
      // gᵀI⁻¹g (or gᵀH⁻¹g): twice the decrease of L the step promises. Steps go on until
      // rounding stops them, so the parameters settle to their last digits.
      let decrement = -zip(current.gradient, step).map(*).reduce(0, +)
      if !newton, decrement > lastFullDecrement / 4 { newton = true }
      if decrement <= 1e-28 {
        converged = true
        break
      }
      var length = 1.0
      var accepted: (theta: [Double], value: NoiseLikelihood.Value)?
      while length >= 1e-12 {
        let trial = zip(theta, step).map { $0 + length * $1 }
        // Armijo's condition, and a strict decrease (which rounding alone cannot give).
        if let value = likelihood.evaluate(trial), value.negativeLog < current.negativeLog,
          value.negativeLog <= current.negativeLog - 1e-4 * length * decrement
        {
          accepted = (trial, value)
          break
        }
        length /= 2
      }
      guard let accepted else {
        // No decrease along the scoring direction: L is at its minimum to rounding when the
        // promised decrease is below the rounding of L.
        converged = decrement <= 1e-10 * max(1, Swift.abs(current.negativeLog))
        break
      }
      theta = accepted.theta
      current = accepted.value
      lastFullDecrement = length == 1 ? decrement : .infinity
    }
    guard converged else {
      // Scoring that ran off towards σ = 0 at one standard: no maximum to find.
      let sorted = current.sigmas.sorted()
      if let smallest = sorted.first, smallest < 1e-2 * sorted[sorted.count / 2] {
        throw FitError.noiseCollapses(noise: noise.rawValue)
      }
      // ν climbing while L flattens towards the normal limit: no finite maximum.
      if form.estimatesDegreesOfFreedom, let nu = theta.last, nu > 30 {
        throw UnboundedDegreesOfFreedom()
      }
      throw FitError.notConverged(tried: "Fisher scoring of the model with \(form.name)")
    }
    if form.estimatesDegreesOfFreedom, let nu = theta.last, nu > NoiseForm.largestDegreesOfFreedom {
      throw UnboundedDegreesOfFreedom()
    }
    let covariance = likelihood.covariance(at: theta, information: current.information)
    guard let covariance else {
      throw FitError.notFinite("the covariance of the parameters with \(form.name)")
    }
    return try likelihood.state(
      from: constant, theta: theta, covariance: covariance, value: current)
  }

  /// The parameters of the flat curve at the mean reading for a model linear in its
  /// parameters with a constant term and no offset (the constant term's coefficient the mean,
  /// the others 0); nil for any other model or a mean that is not positive.
  private func flatStart(_ data: CalibrationData) -> [Double]? {
    guard let linear = linearStructure, linear.offset.numberValue == 0,
      let constantTerm = linear.basis.firstIndex(where: { $0.numberValue == 1 })
    else { return nil }
    let mean = data.responses.reduce(0.0) { $0 + $1.doubleValue } / Double(data.count)
    guard mean > 0 else { return nil }
    var a = [Double](repeating: 0, count: parameters.count)
    a[constantTerm] = mean
    return a
  }
}

/// The likelihood of a Student-t noise keeps rising as ν → ∞: the standards show no heavier
/// tails than normal noise, and ν has no finite maximum-likelihood estimate (`fit` then fits
/// the normal limit).
struct UnboundedDegreesOfFreedom: Error {
  /// Why, for the instrument file's warnings.
  static let reason =
    "Student-t noise: ν has no finite maximum-likelihood estimate (the likelihood rises"
    + " towards ν → ∞: the standards show no heavier tails than normal noise); fitted as normal"
    + " noise with the same scale, the t's limit. Fix ν (the degrees of freedom) to keep heavy"
    + " tails"
}
