internal import CalibGSL

/// The second coordinate of a map of replicate groups with scatter (`MeasurementMap.scatter`):
/// v = log(1 + S/S₀(ȳ)), S = Σ(yᵢ − ȳ)² the group's scatter about its mean and S₀ a scale of
/// it at the mean reading, smooth in ȳ, so that the posterior's summaries are smooth functions
/// of (ȳ, v) and groups whose scatter agrees with the noise lie in a span of v that does not
/// depend on ȳ.
///
/// - σ estimated and constant (`ReadingLikelihood.Kind.student`): S₀ = νs², and ℓ holds S only
///   in νs² + S = νs²·eᵛ.
/// - A noise that varies (`varying`): S₀(ȳ) = (m − 1)·c·σ(ȳ)², the readings' scale at the
///   response ȳ, so that S/S₀ is near an F(m − 1, ν) variate for a group that agrees with the
///   noise. (σ from replicate standards, `replicated`, has S₀ = (m − 1)·σ(ȳ)² the same way;
///   `Measurer.mapKey` gives its groups with scatter no map.)
extension Measurer {
  /// S₀ at the mean reading `y` for the likelihood's kind, or nil where it has none or it is
  /// not a positive number (a noise whose σ is 0 there).
  func scatterScale(_ likelihood: ReadingLikelihood, at y: Double) -> Double? {
    let scale: Double
    switch likelihood.kind {
    case .student(let nu, let s2, _, _):
      scale = nu * s2
    case .varying(let noise, let m, _, _, let c):
      let sigma = noise.sigma(at: y)
      scale = (m - 1) * c * sigma * sigma
    case .replicated(let noise, let m, _, _):
      let sigma = noise.sigma(at: y)
      scale = (m - 1) * sigma * sigma
    case .gaussian, .mixture, .heavyTailed:
      return nil
    }
    return scale > 0 && scale.isFinite ? scale : nil
  }

  /// v of the likelihood's group, log(1 + S/S₀(ȳ)); NaN where S₀ has no value (no map then
  /// answers it).
  func scatterCoordinate(_ likelihood: ReadingLikelihood) -> Double {
    guard let scale = scatterScale(likelihood, at: likelihood.meanReading) else { return .nan }
    return _log1p(likelihood.within / scale)
  }

  /// The span of v a map of the scatter covers, for groups of m readings that agree with the
  /// noise: up to the upper 10⁻⁴ quantile of S/S₀, or log 8 where that is less (S = 7·S₀;
  /// beyond, for ν small, 12 points along v do not resolve the summaries); from 0 for a
  /// constant σ, and from the lower 10⁻² quantile for a noise that varies, whose groups that
  /// agree much more closely than the noise have a second mode where σ(μ) is smallest (a
  /// piece that meets one stays on the exact path); nil where there is none. S/S₀ is
  /// (m − 1)/ν times an F(m − 1, ν) variate for a constant σ estimated; an F(m − 1, ν) variate
  /// for a noise that varies (ν: the noise's degrees of freedom, the fewest over the
  /// standards' range for replicate standards), χ²ₘ₋₁/(m − 1) where ν is infinite (Poisson
  /// counts).
  func scatterSpan(_ likelihood: ReadingLikelihood) -> ClosedRange<Double>? {
    /// The lower 10⁻² and upper 10⁻⁴ quantiles of the F(m − 1, ν) variate (or χ²ₘ₋₁/(m − 1)).
    func quantiles(_ m: Double, _ nu: Double) -> (Double, Double) {
      let (lower, upper) = (1e-2, 1e-4)
      guard m > 1 else { return (.nan, .nan) }
      guard nu.isFinite else {
        return (
          Distributions.chiSquaredQuantile(lower, degreesOfFreedom: m - 1) / (m - 1),
          Distributions.chiSquaredUpperQuantile(upper, degreesOfFreedom: m - 1) / (m - 1)
        )
      }
      return (
        Distributions.fisherQuantile(lower, numerator: m - 1, denominator: nu),
        Distributions.fisherUpperQuantile(upper, numerator: m - 1, denominator: nu)
      )
    }
    var (low, high): (Double, Double)
    switch likelihood.kind {
    case .student(let nu, _, let m, _):
      (low, high) = quantiles(m, nu)
      (low, high) = (0, (m - 1) / nu * high)
    case .varying(_, let m, _, let nu, _):
      (low, high) = quantiles(m, nu)
    case .replicated(_, let m, _, let variance):
      let nu = min(
        variance.degreesOfFreedom(at: _exp(variance.lowest)),
        variance.degreesOfFreedom(at: _exp(variance.highest)))
      (low, high) = quantiles(m, nu)
    case .gaussian, .mixture, .heavyTailed:
      return nil
    }
    let end = min(_log1p(high), _log(8))
    guard low >= 0, high.isFinite, _log1p(low) < end else { return nil }
    return _log1p(low)...end
  }
}
