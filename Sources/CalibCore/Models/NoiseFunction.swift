internal import CalibGSL

/// The scale σ(μ; η) of a noise that varies with the mean response μ, with its derivatives: the
/// noise parameters η of a `proportional`, `linear` or `power` noise model (or the constant
/// scale `s0` of a Student-t noise), and the law of a reading about μ: normal (ν = ∞) or
/// Student's t with ν degrees of freedom and scale σ.
struct NoiseFunction: Sendable {
  /// Which function.
  let model: NoiseModel
  /// η, in the order of `NoiseForm.scaleParameterNames`.
  let parameters: [Double]
  /// ν: infinite for normal noise.
  let nu: Double
  /// The smallest |μ| at which a `linear` noise is evaluated (σ is flat below it; 0: none).
  let lowestMagnitude: Double
  /// log Γ(ν/2) − log Γ((ν + 1)/2) + ½·log(νπ), the t density's normalizer (0 for normal).
  private let logNormalizer: Double

  init(
    model: NoiseModel, parameters: [Double], nu: Double = .infinity, lowestMagnitude: Double = 0
  ) {
    self.model = model
    self.parameters = parameters
    self.nu = nu
    self.lowestMagnitude = lowestMagnitude
    logNormalizer =
      nu.isFinite && nu > 0
      ? Distributions.logGamma(nu / 2) - Distributions.logGamma((nu + 1) / 2)
        + 0.5 * _log(nu * Double.pi)
      : 0
  }

  /// −log p(y | μ) of one reading at residual r = y − μ and scale σ, without the normal
  /// density's constant log √(2π): log σ + r²/(2σ²) for normal noise, and for Student's t
  /// log σ + ((ν + 1)/2)·log(1 + r²/(νσ²)) + log Γ(ν/2) − log Γ((ν + 1)/2) + ½·log(νπ).
  func negativeLogDensity(residual r: Double, sigma: Double) -> Double {
    let z2 = r * r / (sigma * sigma)
    guard nu.isFinite else { return _log(sigma) + z2 / 2 }
    return _log(sigma) + 0.5 * (nu + 1) * _log1p(z2 / nu) + logNormalizer
  }

  /// σ at the mean response μ. Not positive (or NaN) where the parameters leave no noise.
  func sigma(at mean: Double) -> Double {
    let magnitude = Swift.abs(mean)
    switch model {
    case .proportional: return parameters[0] * magnitude
    case .linear: return parameters[0] + parameters[1] * max(magnitude, lowestMagnitude)
    case .power, .replicates: return parameters[0] * _pow(magnitude, parameters[1])
    case .poisson: return mean > 0 ? mean.squareRoot() : 0
    case .constant: return parameters.first ?? .nan
    case .known: return .nan
    }
  }

  /// ∂σ/∂μ at μ.
  func slope(at mean: Double) -> Double {
    let sign: Double = mean < 0 ? -1 : 1
    switch model {
    case .proportional: return parameters[0] * sign
    case .linear: return Swift.abs(mean) < lowestMagnitude ? 0 : parameters[1] * sign
    case .power, .replicates:
      let magnitude = Swift.abs(mean)
      return parameters[0] * parameters[1] * _pow(magnitude, parameters[1] - 1) * sign
    case .poisson: return mean > 0 ? 0.5 / mean.squareRoot() : .nan
    case .constant: return parameters.isEmpty ? .nan : 0
    case .known: return .nan
    }
  }

  /// ∂σ/∂ηⱼ at μ, in the order of the parameters, written into `gradient`.
  func parameterGradient(at mean: Double, into gradient: inout [Double]) {
    let magnitude = Swift.abs(mean)
    switch model {
    case .proportional:
      gradient[0] = magnitude
    case .linear:
      gradient[0] = 1
      gradient[1] = max(magnitude, lowestMagnitude)
    case .power, .replicates:
      let value = _pow(magnitude, parameters[1])
      gradient[0] = value
      gradient[1] = parameters[0] * value * _log(magnitude)
    case .constant:
      if !parameters.isEmpty { gradient[0] = 1 }
    case .known, .poisson:
      break
    }
  }
}
