internal import CalibGSL

/// Statistical coverage of the intervals, checked by simulation (DESIGN §3, `calib validate`):
/// a 95% interval must hold the truth about 95% of the time.
///
/// Each trial takes the fitted instrument as the truth (the estimates â, and σ = s, the
/// standards' u(y), or the fitted σ(μ; η̂) of a noise that varies), simulates the calibration
/// readings at the standards, refits the model (with the same noise model, or a constant σ),
/// draws a true x uniformly over the prior range of the measurement (or over the calibrated
/// domain), simulates one reading there, and measures it. For each level, the share of trials
/// whose interval held the true x, with its binomial standard error (and, for a noise that
/// varies, the same in each third of the range of x); and the ranks of the true x in the
/// posteriors (the probability integral transform, Bayesian method only) in 20 bins, with a χ²
/// test of their uniformity (simulation-based calibration, Talts et al. 2018). Seeded: the same
/// seed gives the same figures.
public struct CoverageValidation: Codable, Equatable, Sendable {
  /// `calib-validation/1`.
  public var format: String
  /// The method whose intervals were checked.
  public var method: MeasurementSettings.Method
  /// Trials run, and the seed.
  public var trials: Int
  public var seed: UInt64
  /// Trials whose simulated calibration could not be refitted (a nonlinear fit that found no
  /// solution); they are left out of the coverage.
  public var failedFits: Int
  /// How the truth was drawn.
  public var truth: String
  /// Coverage per level.
  public var levels: [LevelCoverage]
  /// Rank uniformity (Bayesian method only).
  public var ranks: RankHistogram?
  /// The noise the readings were simulated with (the instrument's), for a noise that varies
  /// with the response; absent for constant or known noise.
  public var simulatedNoise: NoiseModel?
  /// The noise model each simulated calibration was refitted and measured with: the
  /// instrument's own, or `constant` (`NoiseRefit.constant`); absent with `simulatedNoise`.
  public var fittedNoise: NoiseModel?
  /// Coverage in the low, middle and high third of the range the true x is drawn from, for a
  /// noise that varies (where a constant-noise fit errs in opposite directions at the two
  /// ends); absent with `simulatedNoise`.
  public var ranges: [RangeCoverage]?

  /// The coverage of the trials whose true x fell in one part of the range.
  public struct RangeCoverage: Codable, Equatable, Sendable {
    /// `low`, `middle` or `high`.
    public var part: String
    /// The part's ends, in units of x (the lower end included, the upper end included only
    /// for the high third).
    public var lower: Double
    public var upper: Double
    /// Trials (refitted) whose true x fell in the part.
    public var trials: Int
    /// Coverage per level among them; empty when no trial fell in the part.
    public var levels: [LevelCoverage]
  }

  /// The coverage at one level.
  public struct LevelCoverage: Codable, Equatable, Sendable {
    /// The interval level.
    public var level: Double
    /// Share of trials whose interval held the true x.
    public var coverage: Double
    public var trials: Int
    /// √(c(1 − c)/trials).
    public var standardError: Double

    enum CodingKeys: String, CodingKey {
      case level, coverage, trials
      case standardError = "standard_error"
    }
  }

  /// The ranks of the true x among posterior draws, as a histogram of P(x ≤ x_true).
  public struct RankHistogram: Codable, Equatable, Sendable {
    /// Counts in 20 equal bins of [0, 1].
    public var bins: [Int]
    /// Pearson's χ² against equal counts, its degrees of freedom and p-value.
    public var chi2: Double
    public var dof: Int
    public var pValue: Double

    enum CodingKeys: String, CodingKey {
      case bins, chi2, dof
      case pValue = "p_value"
    }
  }

  enum CodingKeys: String, CodingKey {
    case format, method, trials, seed, truth, levels, ranks, ranges
    case failedFits = "failed_fits"
    case simulatedNoise = "simulated_noise"
    case fittedNoise = "fitted_noise"
  }

  /// The noise model the simulated calibrations are refitted and measured with.
  public enum NoiseRefit: String, Codable, Sendable, CaseIterable {
    /// The instrument's own noise model (the check of its intervals).
    case same
    /// A constant σ, whatever the instrument's noise: for an instrument whose noise varies,
    /// how far a constant-noise fit of its data under- or over-covers across the range.
    case constant
  }

  /// Where the true x of each trial is drawn from.
  public enum TruthDistribution: String, Codable, Sendable, CaseIterable {
    /// Uniform over the prior range of the measurement: the posterior's own prior, so that the
    /// ranks are exactly uniform for a correct posterior (simulation-based calibration).
    case prior
    /// Uniform over the calibrated domain: coverage where the instrument is meant to measure.
    case domain
  }

  /// Runs the check.
  ///
  /// - Parameters:
  ///   - instrument: The instrument whose fit serves as the truth.
  ///   - trials: Number of simulated calibrations and readings.
  ///   - levels: The interval levels to check, each in (0, 1).
  ///   - method: The measurement method.
  ///   - seed: Seed of GSL's Mersenne Twister.
  ///   - truth: Where the true x is drawn from.
  ///   - refit: The noise model of the refits: the instrument's, or a constant σ (only for an
  ///     instrument whose noise varies).
  /// - Throws: `MeasurementError.invalidSetting` for bad levels or trials, or a constant
  ///   refit of an instrument whose noise does not vary; `MeasurementError.unsupportedInstrument`
  ///   for a noise that varies and is not positive somewhere over the range of x; errors of
  ///   fitting or measuring a simulated set. Readings are simulated from the instrument's own
  ///   law: normal, Student's t, or Poisson counts.
  public static func run(
    instrument: Instrument, trials: Int, levels: [Double], method: MeasurementSettings.Method,
    seed: UInt64,
    truth drawn: TruthDistribution = .prior, refit noiseRefit: NoiseRefit = .same
  ) throws -> CoverageValidation {
    guard trials > 0, !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }) else {
      throw MeasurementError.invalidSetting(
        "validation needs at least one trial and levels strictly between 0 and 1")
    }
    let model = instrument.responseModel
    guard model.predictors.count == 1 else {
      throw MeasurementError.unsupportedInstrument(
        "validation simulates one unknown quantity: the instrument needs one predictor")
    }
    let random = try RandomNumbers(seed: seed)
    let truth = instrument.posterior.location
    let x = instrument.domain.x[0]
    let u = instrument.domain.uY
    let noiseModel = instrument.noise.model
    let form = instrument.measuredNoiseForm
    // A noise fitted by likelihood: σ(μ; η̂) (and ν̂) at the instrument's estimates.
    let noiseFunction =
      form.isFittedByLikelihood
      ? form.function((instrument.noise.parameters ?? []).map(\.estimate)) : nil
    guard noiseRefit == .same || noiseFunction != nil else {
      throw MeasurementError.invalidSetting(
        "a constant-noise refit is compared with an instrument whose noise varies; this"
          + " instrument's noise is \(noiseModel)")
    }
    // Constant noise: σ = s (known noise reads u instead).
    let sigma = instrument.noise.sigma ?? 1
    let domain =
      drawn == .prior
      ? try Measurer(instrument: instrument, settings: MeasurementSettings()).priorRange
      : instrument.xRangeForValidation
    /// The scale of a simulated reading whose mean is `mean`, for constant or varying noise.
    func readingSigma(at mean: Double) throws -> Double {
      guard let noiseFunction else { return sigma }
      let value = noiseFunction.sigma(at: mean)
      guard value > 0, value.isFinite else {
        throw MeasurementError.noReadingsAtTruth(
          noise: form.name, response: mean, fromPrior: drawn == .prior)
      }
      return value
    }
    /// A reading whose mean is `mean` and whose standard uncertainty, if given, is `u`: normal,
    /// Student's t, or a Poisson count, as the instrument's noise says.
    func simulatedReading(mean: Double, u: Double?) throws -> Double {
      if let u {
        // Student-t noise whose scale is the reading's u, or normal noise of sd u.
        if noiseModel == .known, let nu = noiseFunction?.nu, nu.isFinite {
          return mean + u * random.student(nu)
        }
        return mean + u * random.normal()
      }
      if noiseModel == .poisson {
        _ = try readingSigma(at: mean)
        return random.poisson(mean)
      }
      let scale = try readingSigma(at: mean)
      if let nu = noiseFunction?.nu, nu.isFinite { return mean + scale * random.student(nu) }
      return mean + scale * random.normal()
    }
    if noiseFunction != nil, noiseModel != .known {
      // σ must be positive wherever a reading may be simulated: checked on a grid of the
      // range and at the standards before any trial runs.
      for j in 0...200 {
        let xj = domain.lowerBound + (domain.upperBound - domain.lowerBound) * Double(j) / 200
        _ = try readingSigma(at: model.response(at: [xj], parameters: truth))
      }
      for xi in x { _ = try readingSigma(at: model.response(at: [xi], parameters: truth)) }
    }
    let refitNoise: NoiseModel? =
      noiseFunction == nil ? nil : (noiseRefit == .constant ? nil : noiseModel)
    let refitDistribution: NoiseDistribution =
      noiseRefit == .constant ? .normal : form.distribution
    let start = Dictionary(uniqueKeysWithValues: zip(model.parameters, truth))
    var covered = [Int](repeating: 0, count: levels.count)
    // Per third of the range: trials, and intervals that held the true x per level.
    var partTrials = [0, 0, 0]
    var partCovered = [[Int]](
      repeating: [Int](repeating: 0, count: levels.count), count: 3)
    var bins = [Int](repeating: 0, count: 20)
    var failed = 0
    for _ in 0..<trials {
      // The calibration, simulated from the truth at the instrument's own standards.
      let responses = try x.indices.map { i in
        let mean = model.response(at: [x[i]], parameters: truth)
        return DoubleDouble(try simulatedReading(mean: mean, u: u?[i]))
      }
      var data = CalibrationData(
        simulatedAt: x, responses: responses, uncertainties: u,
        responseName: instrument.model.response,
        predictorName: model.predictors[0])
      // Standards that are not exact (`--sx`): the instrument's x are their true values, and
      // the values the lab reads off them scatter by their u(x); refitted with that u(x).
      if let uX = instrument.domain.uX {
        data.predictors = x.indices.map { [DoubleDouble(x[$0] + uX[$0] * random.normal())] }
        data.predictorUncertainties = uX.map { DoubleDouble($0) }
      }
      let refit: InstrumentState
      do {
        refit = try model.fit(
          to: data, start: start, posterior: .laplace, noise: refitNoise,
          distribution: refitDistribution, degreesOfFreedom: form.fixedDegreesOfFreedom,
          provenance: instrument.provenance)
      } catch is FitError {
        failed += 1
        continue
      }
      // The unknown and its reading.
      let xTrue = domain.lowerBound + (domain.upperBound - domain.lowerBound) * random.uniform()
      let readingU = u.map { $0.reduce(0, +) / Double($0.count) }
      let meanTrue = model.response(at: [xTrue], parameters: truth)
      let reading = try simulatedReading(mean: meanTrue, u: readingU)
      let width = domain.upperBound - domain.lowerBound
      let part = min(2, max(0, Int(3 * (xTrue - domain.lowerBound) / width)))
      partTrials[part] += 1
      let observation = Observation(
        id: "trial", readings: [reading], uncertainties: readingU.map { [$0] }, line: 2)
      for (k, level) in levels.enumerated() {
        let measurer = try Measurer(
          instrument: refit, settings: MeasurementSettings(level: level, method: method))
        let report = try measurer.measure(observation)
        let lower = report.x.interval.lower ?? -.infinity,
          upper = report.x.interval.upper ?? .infinity
        let pieces =
          report.x.interval.pieces?.map { ($0.lower ?? -.infinity, $0.upper ?? .infinity) } ?? [
            (lower, upper)
          ]
        if pieces.contains(where: { $0.0 <= xTrue && xTrue <= $0.1 }) {
          covered[k] += 1
          partCovered[part][k] += 1
        }
        if k == 0, method == .bayes {
          let rank = measurer.posteriorProbability(below: xTrue)
          if rank.isFinite { bins[min(19, max(0, Int(rank * 20)))] += 1 }
        }
      }
    }
    let n = Double(trials - failed)
    guard n > 0 else {
      throw MeasurementError.invalidSetting("no simulated calibration could be refitted")
    }
    let expected = n / 20
    let chi2 = bins.reduce(0.0) {
      $0 + (Double($1) - expected) * (Double($1) - expected) / expected
    }
    let noiseText =
      noiseFunction == nil
      ? "σ = s or the standards' u"
        + (instrument.domain.uX == nil
          ? "" : "; the standards' x scattered by their u(x) and refitted with it")
      : "its \(form.name) at its estimates"
        + (noiseRefit == .constant ? ", refitted with a constant σ" : "")
    let width = (domain.upperBound - domain.lowerBound) / 3
    let ranges = ["low", "middle", "high"].enumerated().map { j, name in
      RangeCoverage(
        part: name, lower: domain.lowerBound + Double(j) * width,
        upper: j == 2 ? domain.upperBound : domain.lowerBound + Double(j + 1) * width,
        trials: partTrials[j],
        levels: partTrials[j] == 0
          ? []
          : levels.enumerated().map { k, level in
            let m = Double(partTrials[j])
            let c = Double(partCovered[j][k]) / m
            return LevelCoverage(
              level: level, coverage: c, trials: partTrials[j],
              standardError: (c * (1 - c) / m).squareRoot())
          })
    }
    return CoverageValidation(
      format: "calib-validation/1", method: method, trials: trials, seed: seed, failedFits: failed,
      truth:
        "the fitted instrument (its estimates, and \(noiseText)); the true x uniform over "
        + (drawn == .prior ? "the prior range of the measurement" : "the calibrated domain")
        + "; one reading per trial",
      levels: levels.enumerated().map { k, level in
        let c = Double(covered[k]) / n
        return LevelCoverage(
          level: level, coverage: c, trials: trials - failed,
          standardError: (c * (1 - c) / n).squareRoot())
      },
      ranks: method == .bayes
        ? RankHistogram(
          bins: bins, chi2: chi2, dof: 19,
          pValue: Distributions.chiSquaredUpperTail(chi2, degreesOfFreedom: 19))
        : nil,
      simulatedNoise: noiseFunction == nil ? nil : noiseModel,
      fittedNoise: noiseFunction == nil ? nil : (refitNoise ?? .constant),
      ranges: noiseFunction == nil ? nil : ranges)
  }
}

extension InstrumentState {
  /// The calibrated domain of the single predictor.
  fileprivate var xRangeForValidation: ClosedRange<Double> {
    domain.xRange[0].lower...domain.xRange[0].upper
  }
}

extension CalibrationData {
  /// Simulated standards: one predictor, the given readings, exact decimal values not needed.
  init(
    simulatedAt x: [Double], responses: [DoubleDouble], uncertainties: [Double]?,
    responseName: String, predictorName: String
  ) {
    self.init(
      source: "simulated", predictorNames: [predictorName], responseName: responseName,
      predictors: x.map { [DoubleDouble($0)] }, responses: responses,
      responseUncertainties: uncertainties?.map { DoubleDouble($0) }, groups: nil,
      lines: x.indices.map { $0 + 2 }, sha256: "")
  }
}
