/// The scale σ(μ; η) of a noise that varies with the mean response μ, with its derivatives:
/// the noise parameters η of a `proportional`, `linear` or `power` noise model.
struct NoiseFunction: Sendable {
  /// Which function.
  let model: NoiseModel
  /// η, in the order of `model.parameterNames`.
  let parameters: [Double]

  /// σ at the mean response μ. Not positive (or NaN) where the parameters leave no noise.
  func sigma(at mean: Double) -> Double {
    let magnitude = Swift.abs(mean)
    switch model {
    case .proportional: return parameters[0] * magnitude
    case .linear: return parameters[0] + parameters[1] * magnitude
    case .power: return parameters[0] * _pow(magnitude, parameters[1])
    case .poisson: return mean > 0 ? mean.squareRoot() : 0
    case .constant, .known: return .nan
    }
  }

  /// ∂σ/∂μ at μ.
  func slope(at mean: Double) -> Double {
    let sign: Double = mean < 0 ? -1 : 1
    switch model {
    case .proportional: return parameters[0] * sign
    case .linear: return parameters[1] * sign
    case .power:
      let magnitude = Swift.abs(mean)
      return parameters[0] * parameters[1] * _pow(magnitude, parameters[1] - 1) * sign
    case .poisson: return mean > 0 ? 0.5 / mean.squareRoot() : .nan
    case .constant, .known: return .nan
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
      gradient[1] = magnitude
    case .power:
      let value = _pow(magnitude, parameters[1])
      gradient[0] = value
      gradient[1] = parameters[0] * value * _log(magnitude)
    case .constant, .known, .poisson:
      break
    }
  }
}
