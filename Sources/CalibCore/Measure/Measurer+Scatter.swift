internal import CalibGSL

/// The second coordinate of a map of replicate groups with scatter (`MeasurementMap.scatter`):
/// v = log(1 + S/S₀(ȳ)), S = Σ(yᵢ − ȳ)² the group's scatter about its mean and S₀ a scale of
/// it at the mean reading, smooth in ȳ, so that the posterior's summaries are smooth functions
/// of (ȳ, v) and groups whose scatter agrees with the noise lie in a span of v that does not
/// depend on ȳ. Any S₀ > 0 gives the same answers: the exact points of a map rebuild S from
/// (ȳ, v) through the same S₀.
///
/// - σ estimated and constant (`ReadingLikelihood.Kind.student`): S₀ = νs², and ℓ holds S only
///   in νs² + S = νs²·eᵛ.
/// - A noise that varies (`varying`: a linear, power or proportional σ(μ), Poisson counts):
///   S₀(ȳ) = (m − 1)·c·σ(√(ȳ² + L²))², the readings' scale at the response ȳ with |ȳ| made
///   smooth at the standards' smallest reading magnitude L (σ(|μ|) has a kink at L for a
///   linear noise, at 0 for a power one), so that S/S₀ is near an F(m − 1, ν) variate for a
///   group that agrees with the noise.
extension Measurer {
  /// S₀ at the mean reading `y` for the likelihood's kind, or nil where it has none or it is
  /// not a positive number (a noise whose σ is 0 there).
  func scatterScale(_ likelihood: ReadingLikelihood, at y: Double) -> Double? {
    switch likelihood.kind {
    case .student(let nu, let s2, _, _):
      let scale = nu * s2
      return scale > 0 && scale.isFinite ? scale : nil
    case .varying(let noise, let m, _, _, let c):
      let floor = linear.smallestReadingMagnitude
      let sigma = noise.sigma(at: (y * y + floor * floor).squareRoot())
      let scale = (m - 1) * c * sigma * sigma
      return sigma > 0 && scale.isFinite ? scale : nil
    case .replicated, .gaussian, .mixture, .heavyTailed:
      return nil
    }
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
  /// (m − 1)/ν times an F(m − 1, ν) variate for a constant σ estimated, and an F(m − 1, ν)
  /// variate for a noise that varies (χ²ₘ₋₁/(m − 1) where ν is infinite: Poisson counts).
  func scatterSpan(_ likelihood: ReadingLikelihood) -> ClosedRange<Double>? {
    let (lower, upper) = (1e-2, 1e-4)
    var (low, high): (Double, Double)
    switch likelihood.kind {
    case .student(let nu, _, let m, _):
      guard m > 1 else { return nil }
      let f = Distributions.fisherUpperQuantile(upper, numerator: m - 1, denominator: nu)
      (low, high) = (0, (m - 1) / nu * f)
    case .varying(_, let m, _, let nu, _):
      guard m > 1 else { return nil }
      if nu.isFinite {
        low = Distributions.fisherQuantile(lower, numerator: m - 1, denominator: nu)
        high = Distributions.fisherUpperQuantile(upper, numerator: m - 1, denominator: nu)
      } else {
        low = Distributions.chiSquaredQuantile(lower, degreesOfFreedom: m - 1) / (m - 1)
        high = Distributions.chiSquaredUpperQuantile(upper, degreesOfFreedom: m - 1) / (m - 1)
      }
    case .replicated, .gaussian, .mixture, .heavyTailed:
      return nil
    }
    let end = min(_log1p(high), _log(8))
    guard low >= 0, high.isFinite, _log1p(low) < end else { return nil }
    return _log1p(low)...end
  }
}
