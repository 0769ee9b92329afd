internal import CalibGSL

/// Statistical coverage of the measurements of an instrument with several outputs, by
/// simulation (`calib validate`, docs/geometry.md): each trial draws the true x uniformly
/// over the prior box of the measurement (or the calibrated box), simulates a calibration at
/// the instrument's standards and one reading vector at x from the fitted instrument (its
/// estimates, and normal noise with its covariance Σ(x)), refits with the same models and
/// noise, measures, and records whether
/// each unknown's equal-tailed interval, and the joint highest-density region, hold the truth.
/// Seeded: the same seed gives the same result.
public struct MultiOutputValidation: Codable, Equatable, Sendable {
  /// `calib-validation/1`.
  public var format: String
  /// `bayes`: the posterior's intervals and region are checked.
  public var method: MeasurementSettings.Method
  /// The trials run, and how many simulated calibrations could not be fitted (left out).
  public var trials: Int
  public var seed: UInt64
  public var failedFits: Int
  /// Where the truth was drawn from, in words.
  public var truth: String
  /// The coverage of the joint region at each level.
  public var levels: [CoverageValidation.LevelCoverage]
  /// The coverage of each unknown's equal-tailed interval at each level, by predictor name.
  public var quantities: [String: [CoverageValidation.LevelCoverage]]
  /// The ranks of each unknown's truth in its marginal posterior, by predictor name.
  public var ranks: [String: CoverageValidation.RankHistogram]

  enum CodingKeys: String, CodingKey {
    case format, method, trials, seed, truth, levels, quantities, ranks
    case failedFits = "failed_fits"
  }

  /// Runs `trials` simulated calibrations and measurements of `instrument`.
  ///
  /// - Throws: `MeasurementError.invalidSetting` for bad levels or trials; errors of
  ///   measuring a simulated reading.
  public static func run(
    instrument: MultiOutputInstrument, trials: Int, levels: [Double], seed: UInt64,
    truth drawn: CoverageValidation.TruthDistribution = .prior
  ) throws -> MultiOutputValidation {
    guard trials > 0, !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }) else {
      throw MeasurementError.invalidSetting(
        "validation needs at least one trial and levels strictly between 0 and 1")
    }
    let state = instrument.state
    let random = try RandomNumbers(seed: seed)
    let models = instrument.outputs.map(\.responseModel)
    let estimates = state.outputs.map(\.posterior.location)
    let m = models.count, k = state.model.predictors.count
    let factor = Cholesky.lowerFactor(of: state.noise.covariance)
    let scales = JointPredictive(instrument).scales
    let standards = (0..<state.fit.n).map { i in state.domain.x.map { $0[i] } }
    let box =
      drawn == .prior
      ? try MultiOutputMeasurer(instrument: instrument, settings: MeasurementSettings())
        .priorRanges
      : state.domain.xRange.map { $0.lower...$0.upper }
    func reading(at x: [Double]) -> [Double] {
      let z = (0..<m).map { _ in random.normal() }
      return (0..<m).map { j in
        let mean = models[j].response(at: x, parameters: estimates[j])
        return mean
          + (scales?[j].sigma(at: mean) ?? 1)
          * (0...j).reduce(0.0) { $0 + factor[j * m + $1] * z[$1] }
      }
    }
    var jointHits = [Int](repeating: 0, count: levels.count)
    var quantityHits = [[Int]](
      repeating: [Int](repeating: 0, count: levels.count), count: k)
    let bins = 20
    var rankCounts = [[Int]](repeating: [Int](repeating: 0, count: bins), count: k)
    var done = 0, failed = 0
    for _ in 0..<trials {
      let truth = box.map { $0.lowerBound + ($0.upperBound - $0.lowerBound) * random.uniform() }
      var columns = [[Double]](repeating: [], count: m)
      for point in standards {
        for (j, value) in reading(at: point).enumerated() { columns[j].append(value) }
      }
      let observed = reading(at: truth)
      let data = (0..<m).map { j in
        CalibrationData(
          source: "simulation", predictorNames: state.model.predictors,
          responseName: state.model.responses[j],
          predictors: standards.map { $0.map { DoubleDouble($0) } },
          responses: columns[j].map { DoubleDouble($0) }, responseUncertainties: nil,
          groups: nil, lines: Array(2..<(2 + standards.count)), sha256: "")
      }
      let refitted: MultiOutputInstrument
      do {
        let fitted = try MultiOutputFit.fit(
          to: data, models: models, structure: state.noise.structure, noise: state.noise.scale,
          spec: state.model.spec,
          provenance: state.provenance)
        refitted = try MultiOutputInstrument(fitted)
      } catch {
        failed += 1
        continue
      }
      var settings = MeasurementSettings()
      settings.range = nil
      let measurer = try MultiOutputMeasurer(
        instrument: refitted, settings: settings,
        ranges: Dictionary(
          uniqueKeysWithValues: zip(
            state.model.predictors,
            box.map { ClosedRangeRecord(lower: $0.lowerBound, upper: $0.upperBound) })))
      guard let grid = measurer.posterior(of: observed, replicates: 1, resolution: .simulation)
      else {
        failed += 1
        continue
      }
      done += 1
      let atTruth = _exp(
        measurer.logDensity(of: observed, at: truth, replicates: 1) - grid.peakLog)
      for (l, level) in levels.enumerated() {
        if atTruth >= grid.highestDensityRegion(level: level).threshold { jointHits[l] += 1 }
      }
      for a in 0..<k {
        let marginal = GridMarginal(grid, axis: a)
        let rank = marginal.probability(below: truth[a])
        rankCounts[a][min(Int(rank * Double(bins)), bins - 1)] += 1
        for (l, level) in levels.enumerated() {
          let lower = marginal.quantile((1 - level) / 2)
          let upper = marginal.quantile((1 + level) / 2)
          if truth[a] >= lower && truth[a] <= upper { quantityHits[a][l] += 1 }
        }
      }
    }
    func coverage(_ hits: [Int]) -> [CoverageValidation.LevelCoverage] {
      levels.enumerated().map { l, level in
        let share = done > 0 ? Double(hits[l]) / Double(done) : .nan
        return CoverageValidation.LevelCoverage(
          level: level, coverage: share, trials: done,
          standardError: (share * (1 - share) / Double(max(done, 1))).squareRoot())
      }
    }
    let predictors = state.model.predictors
    return MultiOutputValidation(
      format: "calib-validation/1", method: .bayes, trials: trials, seed: seed, failedFits: failed,
      truth: drawn == .prior
        ? "uniform over the prior box of the measurement"
        : "uniform over the calibrated box",
      levels: coverage(jointHits),
      quantities: Dictionary(
        uniqueKeysWithValues: (0..<k).map { (predictors[$0], coverage(quantityHits[$0])) }),
      ranks: Dictionary(
        uniqueKeysWithValues: (0..<k).map { a in
          (predictors[a], CoverageValidation.RankHistogram(counts: rankCounts[a], trials: done))
        }))
  }
}

extension CoverageValidation.RankHistogram {
  /// The histogram of `counts` (equal bins of [0, 1]) from `trials` ranks, with Pearson's χ²
  /// against equal counts.
  init(counts: [Int], trials: Int) {
    let expected = Double(trials) / Double(counts.count)
    let chi2 =
      counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) }
      / max(expected, .leastNormalMagnitude)
    self.init(
      bins: counts, chi2: chi2, dof: counts.count - 1,
      pValue: Distributions.chiSquaredUpperTail(chi2, degreesOfFreedom: Double(counts.count - 1)))
  }
}
