internal import CalibGSL

/// An instrument file made ready to measure with: a response in one predictor, with the
/// posterior of its parameters.
///
/// For a standard or an unknown at x: the mean response μ(x) = f(x; â) and the leverage
/// h(x) = g(x)ᵀCg(x), with g = ∂f/∂a at â and C the posterior's scale ((ΦᵀWΦ)⁻¹ for a linear
/// model, where g = φ and all is exact; (JᵀWJ)⁻¹ at the optimum for a nonlinear one, where
/// this is the linearized predictive of the Laplace posterior: docs/measurement.md).
///
/// A class, not a struct: the posterior density calls `evaluate` hundreds of times per
/// reading through a closure, and a struct's copy there retained and released each of its
/// arrays on every call (a quarter of the time per reading, and atomic counts that two
/// threads contend for).
final class MeasuringInstrument {
  let model: ResponseModel
  /// The decomposition of a linear model; nil for a nonlinear one.
  let linear: LinearStructure?
  /// Its compiled regressors and offset, kept apart so that the hot loop copies no structure.
  private let basis: [CompiledExpression]
  private let offset: CompiledExpression?
  /// For a polynomial in x (offset 0, regressors 1, x, x², …: `line`, `poly:k` and formulas
  /// of that form), the power of x of each regressor, evaluated without the stack program.
  private let powers: [Int]?
  /// â.
  let coefficients: [Double]
  /// C, row-major p×p.
  let scale: [Double]
  /// Whether the noise is known (u(y) per reading) rather than estimated.
  let noiseKnown: Bool
  /// σ(μ) at the estimated noise parameters, for a noise that varies with the response (the
  /// scale C then holds the parameters' absolute covariance, and s² is 1); nil otherwise.
  let noise: NoiseFunction?
  /// The law of readings whose scale is their own u (`student:known`: Student's t with ν at
  /// its estimate); nil otherwise.
  let knownScaleNoise: NoiseFunction?
  /// A 20-point Gauss–Hermite rule for the shift of the mean response under Student-t noise
  /// (`ReadingLikelihood`); nil for other noise.
  let hermite: FixedQuadrature?
  /// s² (σ estimated); 1 when the noise is known.
  let s2: Double
  /// ν = n − p.
  let dof: Int
  /// For a `replicates` noise, the uncertainty of its variance function; nil for other noise.
  let replicateVariance: NoiseVariance?
  /// The standards' x, y and u(y).
  let standardsX: [Double]
  let standardsY: [Double]
  let standardsU: [Double]?
  /// The calibrated domain [min x, max x].
  let domain: ClosedRange<Double>
  /// The range of the standards' readings.
  let responseRange: ClosedRange<Double>
  /// The smallest magnitude among the standards' readings, |y|: where a noise that varies
  /// with |μ| has its kink, or its zero, below the standards (`Measurer.scatterScale`).
  let smallestReadingMagnitude: Double
  /// The largest leverage among the standards.
  let maxLeverage: Double

  var parameterCount: Int { coefficients.count }

  /// The variance of one reading whose mean response is `mean`: σ(μ)² for a noise that
  /// varies, the median u² of the standards for a known noise, s² for an estimated one.
  func readingVariance(atMean mean: Double) -> Double {
    if let noise { return noise.sigma(at: mean) * noise.sigma(at: mean) }
    return noiseKnown ? medianKnownVariance : s2
  }

  /// The variance of the fitted response where its leverage is `leverage`: s²·h for an
  /// estimated constant noise (C unscaled), h where C is absolute (a known or varying noise).
  func responseVariance(leverage: Double) -> Double {
    noise == nil && !noiseKnown ? s2 * leverage : leverage
  }

  /// The variance of the mean of `readings` readings about the fitted response where its
  /// mean is `mean` and its leverage `leverage`: the noise over m plus the response's own.
  func predictionVariance(atMean mean: Double, leverage: Double, readings m: Double = 1) -> Double {
    if noise == nil && !noiseKnown { return s2 * (1 / m + leverage) }
    return readingVariance(atMean: mean) / m + leverage
  }

  /// The median of the standards' u(y)², the mean of the two middle ones for an even count:
  /// the variance of a reading where the noise is known but a sample's own u is not given;
  /// 1 without u.
  var medianKnownVariance: Double {
    let variances = (standardsU ?? [1]).map { $0 * $0 }.sorted()
    guard !variances.isEmpty else { return 1 }
    return (variances[(variances.count - 1) / 2] + variances[variances.count / 2]) / 2
  }

  /// Prepares `instrument`.
  ///
  /// - Throws: `MeasurementError.unsupportedInstrument` for several predictors.
  init(_ instrument: Instrument) throws {
    let state = instrument.state
    let model = instrument.responseModel
    guard model.predictors.count == 1 else {
      throw MeasurementError.unsupportedInstrument(
        "the instrument has \(model.predictors.count) predictors and one output: one reading cannot tell \(model.predictors.count) unknown quantities apart (they are not identifiable); fit an instrument with at least \(model.predictors.count) outputs (--y y1,y2,...)"
      )
    }
    self.model = model
    self.linear = model.linearStructure
    basis = model.linearStructure?.compiledBasis ?? []
    offset = model.linearStructure?.compiledOffset
    powers = model.linearStructure.flatMap(MeasuringInstrument.powers(of:))
    // A buffer of its own (not the state's, which the measurers of other threads share):
    // the density reads it hundreds of times per reading, and a shared buffer's reference
    // count is a cache line the threads would pass back and forth.
    coefficients = state.posterior.location.withUnsafeBufferPointer { Array($0) }
    scale = state.posterior.scale.flatMap { $0 }
    noiseKnown = state.noise.model == .known
    let fitted =
      state.noise.isFittedByLikelihood
      ? state.noise.parameters.map { instrument.measuredNoiseForm.function($0.map(\.estimate)) }
      : nil
    let known = state.noise.model == .known
    noise = known ? nil : fitted
    knownScaleNoise = known ? fitted : nil
    hermite = fitted?.nu.isFinite == true ? try FixedQuadrature.gaussHermite(points: 20) : nil
    s2 = state.posterior.s2 ?? 1
    dof = state.fit.dof
    if state.noise.model == .replicates, let joint = state.noise.jointCovariance,
      let eta = state.noise.parameters?.map(\.estimate), eta.count == 2
    {
      // The covariance of c = (2·log s0, 2k) in log σ² = c0 + c1·log|μ|:
      // ∂c/∂(s0, k) = diag(2/s0, 2).
      let p = joint.count - 2
      let scale = [2 / eta[0], 2.0]
      var covariance = [Double](repeating: 0, count: 4)
      for i in 0..<2 {
        for j in 0..<2 { covariance[i * 2 + j] = scale[i] * joint[p + i][p + j] * scale[j] }
      }
      let magnitudes = instrument.standardResponseMagnitudes.map { _log($0) }
      replicateVariance = NoiseVariance(
        covariance: covariance, lowest: magnitudes.min() ?? 0, highest: magnitudes.max() ?? 0)
    } else {
      replicateVariance = nil
    }
    standardsX = state.domain.x[0]
    standardsY = state.domain.y
    standardsU = state.domain.uY
    domain = state.domain.xRange[0].lower...state.domain.xRange[0].upper
    responseRange = state.domain.responseRange.lower...state.domain.responseRange.upper
    smallestReadingMagnitude = state.domain.y.lazy.map { Swift.abs($0) }.min() ?? 0
    maxLeverage = state.domain.maxLeverage
  }

  /// The standard uncertainty of each reading of `observation`: its own when given; with the
  /// noise known and none given, the standards' u(y) when they all share one; nil when σ is
  /// estimated and the readings carry none (they share σ with the calibration).
  ///
  /// - Throws: `MeasurementError.missingUncertainty` when the noise is known, the readings
  ///   carry no u, and the standards' u(y) differ.
  func readingUncertainties(of observation: Observation) throws -> [Double]? {
    if let given = observation.uncertainties { return given }
    guard noiseKnown else { return nil }
    guard let u = standardsU, let first = u.first, u.allSatisfy({ $0 == first }) else {
      throw MeasurementError.missingUncertainty(observation: observation.id)
    }
    return Array(repeating: first, count: observation.readings.count)
  }

  /// Whether μ(x) and h(x) are exact (a linear model) rather than linearized.
  var isExact: Bool { linear != nil && noise == nil && knownScaleNoise == nil }

  /// The power of x of each regressor when the structure is a polynomial in the predictor
  /// (offset 0; each regressor 1, x or x^k with k a whole number); nil otherwise. (The
  /// regressors hold no parameter, and the instrument has one predictor: a symbol in them
  /// is x, whatever the formula calls it.)
  private static func powers(of structure: LinearStructure) -> [Int]? {
    guard structure.offset == .number(0) else { return nil }
    var powers: [Int] = []
    for regressor in structure.basis {
      switch regressor {
      case .number(1): powers.append(0)
      case .symbol: powers.append(1)
      case .power(.symbol, .number(let k)) where k == k.rounded() && k >= 2 && k <= 1024:
        powers.append(Int(k))
      default: return nil
      }
    }
    return powers
  }

  /// μ(x) and h(x), using `regressors` (p elements) as scratch space: no heap allocation.
  func evaluate(
    at x: Double, regressors: UnsafeMutableBufferPointer<Double>
  ) -> (mean: Double, leverage: Double) {
    let p = parameterCount
    let mean: Double
    if let powers {
      // The same operations as the stack program's (0 + Σ φⱼ·aⱼ, x^k by `raised(toInteger:)`),
      // so the numbers are the same, bit for bit.
      var sum = 0.0
      for j in 0..<p {
        let k = powers[j]
        let phi = k == 0 ? 1 : k == 1 ? x : x.raised(toInteger: k)
        regressors[j] = phi
        sum += phi * coefficients[j]
      }
      mean = sum
    } else if let offset {
      var slot = x
      mean = withUnsafePointer(to: &slot) { pointer in
        let slots = UnsafeBufferPointer(start: pointer, count: 1)
        var mean: Double = offset.evaluate(slots)
        for j in 0..<p {
          let phi: Double = basis[j].evaluate(slots)
          regressors[j] = phi
          mean += phi * coefficients[j]
        }
        return mean
      }
    } else {
      mean = withUnsafeTemporaryAllocation(of: Double.self, capacity: p + 1) { slots in
        slots[0] = x
        for j in 0..<p { slots[j + 1] = coefficients[j] }
        let view = UnsafeBufferPointer(slots)
        for j in 0..<p { regressors[j] = model.compiledParameterDerivatives[j].evaluate(view) }
        return model.compiledResponse.evaluate(view)
      }
    }
    var leverage = 0.0
    for j in 0..<p {
      var row = 0.0
      for k in 0..<p { row += scale[j * p + k] * regressors[k] }
      leverage += regressors[j] * row
    }
    return (mean, leverage)
  }

  /// μ(x) and h(x), allocating scratch space: for calls outside hot loops.
  /// For a model linear in its parameters, its offset and regressors at x, written into
  /// `regressors` (p elements), so that f(x; a) = offset + Σ φⱼ(x)·aⱼ for any a; nil for a
  /// nonlinear model.
  func linearTerms(at x: Double, regressors: UnsafeMutableBufferPointer<Double>) -> Double? {
    guard let offset else { return nil }
    var slot = x
    return withUnsafePointer(to: &slot) { pointer in
      let slots = UnsafeBufferPointer(start: pointer, count: 1)
      for j in 0..<parameterCount { regressors[j] = basis[j].evaluate(slots) }
      return offset.evaluate(slots) as Double
    }
  }

  func evaluate(at x: Double) -> (mean: Double, leverage: Double) {
    withUnsafeTemporaryAllocation(of: Double.self, capacity: max(parameterCount, 1)) {
      evaluate(at: x, regressors: $0)
    }
  }

  /// Whether the response and its leverage are finite at x (the model is defined there).
  func isDefined(at x: Double) -> Bool {
    let (mean, leverage) = evaluate(at: x)
    return mean.isFinite && leverage.isFinite
  }

  /// Walking from `start` across `distance` (signed) in `steps` equal steps: the last point
  /// before the first where the model is not defined, or nil when it is defined at every step.
  func lastDefinedPoint(from start: Double, across distance: Double, steps: Int) -> Double? {
    for k in 1...steps where !isDefined(at: start + distance * Double(k) / Double(steps)) {
      return start + distance * Double(k - 1) / Double(steps)
    }
    return nil
  }

  /// ½·d²μ/dx² at x for a polynomial in x (Σⱼ aⱼ·k(k − 1)/2·x^(k−2) over its regressors x^k,
  /// k ≥ 2), exactly; nil for any other model (`LocalCurvatureCheck.modelCurvature` takes it
  /// from differences of the slope).
  func halfCurvature(at x: Double) -> Double? {
    guard let powers else { return nil }
    var sum = 0.0
    for (j, k) in powers.enumerated() where k >= 2 {
      sum += coefficients[j] * Double(k * (k - 1) / 2) * _pow(x, Double(k - 2))
    }
    return sum
  }

  /// dμ/dx, the sensitivity of the instrument at x (exact derivative of the formula).
  func slope(at x: Double) -> Double {
    model.predictorGradient(at: [x], parameters: coefficients)[0]
  }

  /// The length from a to b in the metric of the noise, ∫ |μ′(x)|/σ(μ(x)) dx: how many noise
  /// standard deviations the response moves along the way, with σ taken where the response
  /// is (DESIGN §4: the noise is the metric of the measurement space). Composite Simpson on
  /// 256 intervals; NaN where σ is not positive on the way.
  func noiseMetricLength(from a: Double, to b: Double, noise: NoiseFunction) -> Double {
    let intervals = 256
    let h = (b - a) / Double(intervals)
    guard h != 0 else { return 0 }
    var sum = 0.0
    for i in 0...intervals {
      let x = a + Double(i) * h
      let sigma = noise.sigma(at: evaluate(at: x).mean)
      guard sigma > 0 else { return .nan }
      let weight: Double = i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2)
      sum += weight * Swift.abs(slope(at: x)) / sigma
    }
    return Swift.abs(h) * sum / 3
  }
}
