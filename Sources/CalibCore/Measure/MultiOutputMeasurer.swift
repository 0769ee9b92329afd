internal import CalibGSL

/// Measures observations with an instrument with several outputs: for each reading vector
/// (or the mean of replicate vectors), the posterior over the unknown x ∈ Rᵏ with the
/// instrument state and the noise covariance integrated out, its summaries, and the coverage
/// check in the metric of the noise (docs/geometry.md).
///
/// The posterior is the predictive law of the mean reading (`JointPredictive`, a multivariate
/// Student-t) times a uniform prior on the range of each unknown, tabulated on a product grid
/// (`GridPosterior`). The prior range of each unknown is `ranges[name]` or, by default, its
/// calibrated range widened by its width on each side.
public final class MultiOutputMeasurer {
  /// The instrument.
  public let instrument: MultiOutputInstrument
  /// The level of the intervals and of the joint region, and the coverage thresholds.
  public let settings: MeasurementSettings
  /// The prior range of each unknown, in the order of the predictors.
  public let priorRanges: [ClosedRange<Double>]
  let predictive: JointPredictive
  /// The fitted response vector at each distinct standard, that standard's x, and the noise
  /// covariance Σ(x) of one reading vector there (row-major): the metric at the standard.
  private let standardResponses: [(x: [Double], response: [Double], metric: [Double])]

  /// Prepares to measure with `instrument`.
  ///
  /// - Parameters:
  ///   - instrument: The instrument with several outputs.
  ///   - settings: The level and thresholds; `method` must be `bayes` (the classical
  ///     intervals are defined for one output).
  ///   - ranges: The prior range of unknowns by predictor name; those not named take the
  ///     default. With one predictor, `settings.range` may give it instead.
  /// - Throws: `MeasurementError.invalidSetting` for a classical method, a range of a name
  ///   that is not a predictor, or a level outside (0, 1).
  public init(
    instrument: MultiOutputInstrument, settings: MeasurementSettings,
    ranges: [String: ClosedRangeRecord] = [:]
  ) throws {
    let predictors = instrument.state.model.predictors
    guard settings.method == .bayes else {
      throw MeasurementError.invalidSetting(
        "--method \(settings.method.rawValue): the classical intervals invert one output's prediction band; an instrument with several outputs is measured by the posterior over x (--method bayes)"
      )
    }
    guard settings.level > 0, settings.level < 1 else {
      throw MeasurementError.invalidSetting("the level must lie strictly between 0 and 1")
    }
    if settings.marginalization != nil {
      throw MeasurementError.invalidSetting(
        "--marginalize: an instrument with several outputs integrates its state through the joint linearized predictive (exact for linear models); the option applies to one output"
      )
    }
    for name in ranges.keys where !predictors.contains(name) {
      throw MeasurementError.invalidSetting(
        "--range: '\(name)' is not a predictor of the instrument; its predictors are \(predictors.joined(separator: ", "))"
      )
    }
    var named = ranges
    if let single = settings.range {
      guard predictors.count == 1 else {
        throw MeasurementError.invalidSetting(
          "--range: the instrument has \(predictors.count) unknowns; give each its range, --range \(predictors.map { "\($0)=LO:HI" }.joined(separator: ","))"
        )
      }
      named[predictors[0]] = single
    }
    priorRanges = predictors.indices.map { k in
      if let given = named[predictors[k]] { return given.lower...given.upper }
      let domain = instrument.state.domain.xRange[k]
      let width = domain.upper - domain.lower
      let margin = width > 0 ? width : max(Swift.abs(domain.lower), 1)
      return (domain.lower - margin)...(domain.upper + margin)
    }
    self.instrument = instrument
    self.settings = settings
    predictive = JointPredictive(instrument)
    var seen: Set<[Double]> = []
    var responses: [(x: [Double], response: [Double], metric: [Double])] = []
    let x = instrument.state.domain.x
    for i in x[0].indices {
      let point = x.map { $0[i] }
      guard seen.insert(point).inserted else { continue }
      let means = predictive.means(at: point)
      responses.append((point, means, predictive.noiseCovariance(atMeans: means)))
    }
    standardResponses = responses
  }

  /// The posterior over the unknowns behind `observation`, with the coverage check.
  ///
  /// - Throws: the observation's `defect`; `MeasurementError.unsupportedInstrument` when its
  ///   readings are not whole reading vectors; `posteriorNotIntegrable` when the posterior
  ///   cannot be tabulated on the prior ranges; `NonFiniteResult` for a figure that is not
  ///   finite.
  public func measure(_ observation: Observation) throws -> MultiOutputObservationReport {
    try tabulated(observation).report
  }

  /// What `measure(_:)` gives, with the posterior grid its summaries come from.
  func tabulated(
    _ observation: Observation
  ) throws -> (report: MultiOutputObservationReport, grid: GridPosterior) {
    if let defect = observation.defect { throw defect }
    let m = predictive.outputs
    let predictors = instrument.state.model.predictors
    let k = predictors.count
    guard observation.outputs == m, observation.readings.count >= m,
      observation.readings.count % m == 0
    else {
      throw MeasurementError.unsupportedInstrument(
        "observation '\(observation.id)': the instrument has \(m) outputs (\(instrument.state.model.responses.joined(separator: ", "))); give one column per output with --y, in that order"
      )
    }
    let r = observation.readings.count / m
    let vectors = (0..<r).map { Array(observation.readings[($0 * m)..<($0 * m + m)]) }
    let mean = (0..<m).map { j in vectors.reduce(0.0) { $0 + $1[j] } / Double(r) }
    guard let grid = posterior(of: mean, replicates: r) else {
      throw MeasurementError.posteriorNotIntegrable(
        lower: priorRanges[0].lowerBound, upper: priorRanges[0].upperBound,
        relativeError: .infinity)
    }
    let level = settings.level
    let (means, covariance) = grid.moments()
    var estimates: [QuantityEstimate] = []
    var quantityCoverage: [String: QuantityCoverage] = [:]
    let domain = instrument.state.domain.xRange.map { $0.lower...$0.upper }
    for a in 0..<k {
      let marginal = GridMarginal(grid, axis: a)
      let median = marginal.quantile(0.5)
      let lower = marginal.quantile((1 - level) / 2)
      let upper = marginal.quantile((1 + level) / 2)
      let sd = max(covariance[a][a], 0).squareRoot()
      let peak = marginal.density.max() ?? 1
      let atBounds = [
        marginal.nodes.first == priorRanges[a].lowerBound ? marginal.density.first ?? 0 : 0,
        marginal.nodes.last == priorRanges[a].upperBound ? marginal.density.last ?? 0 : 0,
      ]
      let boundDensity = (atBounds.max() ?? 0) / peak
      let pOutside =
        marginal.probability(below: domain[a].lowerBound)
        + 1 - marginal.probability(below: domain[a].upperBound)
      estimates.append(
        QuantityEstimate(
          method: .bayes, estimate: median, mean: means[a], sd: sd, median: median,
          modes: marginal.modes(),
          interval: IntervalRecord(
            level: level, lower: lower, upper: upper, bounded: true, pieces: nil),
          hpd: marginal.highestDensityIntervals(level: level).map(RangeRecord.init),
          solutions: nil, quantile: nil, dof: Double(instrument.state.fit.predictiveDOF),
          numerical: NumericalError(
            integrationRelative: grid.relativeError,
            quantileTolerance: max((upper - lower) * 1e-12, grid.relativeError * sd * 10),
            densityEvaluations: grid.evaluations, monteCarloRelative: nil),
          predictive: predictive.models.allSatisfy(\.isLinear) ? .exact : .linearized,
          components: nil,
          pAbove: settings.threshold(in: priorRanges[a]).map {
            ThresholdProbability(threshold: $0, probability: 1 - marginal.probability(below: $0))
          }))
      let status = MultiOutputCoverageRules.quantityStatus(
        boundDensity: boundDensity, pOutsideDomain: pOutside, thresholds: settings.thresholds)
      quantityCoverage[predictors[a]] = QuantityCoverage(
        status: status, pOutsideDomain: min(max(pOutside, 0), 1),
        domain: RangeRecord(domain[a]), priorBoundDensity: boundDensity)
    }
    let coverage = coverageReport(
      grid: grid, mean: mean, replicates: r, estimates: estimates, quantities: quantityCoverage)
    var report = MultiOutputObservationReport(
      id: observation.id, line: observation.line, readings: vectors, x: nil, quantities: nil,
      correlation: nil, joint: nil, coverage: coverage)
    if k == 1 {
      report.x = estimates[0]
    } else {
      report.quantities = Dictionary(uniqueKeysWithValues: zip(predictors, estimates))
      report.correlation = (0..<k).map { a in
        (0..<k).map { b in covariance[a][b] / (covariance[a][a] * covariance[b][b]).squareRoot() }
      }
      let region = grid.highestDensityRegion(level: level)
      report.joint = JointRegion(
        level: level, bounded: region.bounded, densityThreshold: region.threshold,
        box: Dictionary(
          uniqueKeysWithValues: zip(predictors, region.box.map(RangeRecord.init))))
    }
    report.undiluted = observation.dilution.map { factor in
      k == 1
        ? .one(UndilutedQuantity(estimates[0], factor: factor))
        : .several(
          Dictionary(
            uniqueKeysWithValues: zip(
              predictors, estimates.map { UndilutedQuantity($0, factor: factor) })))
    }
    report.quantitation = quantitation(of: estimates.map(\.estimate))
    return (try report.checkedFinite(), grid)
  }

  /// Each estimate against its unknown's range of quantitation: the status alone for one
  /// unknown, by name for several (those without both limits left out); nil where the
  /// instrument has no range of quantitation for any.
  private func quantitation(of estimates: [Double]) -> PerUnknown<QuantitationStatus>? {
    guard let quantitation = instrument.state.quantitation else { return nil }
    let predictors = instrument.state.model.predictors
    var statuses: [String: QuantitationStatus] = [:]
    for (a, estimate) in estimates.enumerated() {
      statuses[predictors[a]] = quantitation.unknown(a).status(of: estimate)
    }
    if predictors.count == 1 { return statuses[predictors[0]].map { .one($0) } }
    return statuses.isEmpty ? nil : .several(statuses)
  }

  /// The marginal posterior median of each unknown given one reading vector, as `measure`
  /// reports it in `estimate` (on the grid of `resolution`: `.simulation`'s is coarser, its
  /// medians within about 1e-3 posterior sd), without the other summaries and the coverage
  /// check; nil where the posterior cannot be tabulated or a median is not finite.
  func medians(
    of reading: [Double], resolution: GridPosterior.Resolution = .measurement
  ) -> [Double]? {
    guard let grid = posterior(of: reading, replicates: 1, resolution: resolution) else {
      return nil
    }
    let medians = priorRanges.indices.map { GridMarginal(grid, axis: $0).quantile(0.5) }
    return medians.allSatisfy(\.isFinite) ? medians : nil
  }

  /// The posterior over the unknowns given the mean `reading` of `replicates` reading
  /// vectors, tabulated; nil where it cannot be.
  func posterior(
    of reading: [Double], replicates: Int,
    resolution: GridPosterior.Resolution = .measurement
  ) -> GridPosterior? {
    GridPosterior(
      prior: priorRanges, resolution: resolution,
      logDensity: { predictive.logDensity(of: reading, at: $0, replicates: replicates) })
  }

  /// log p(reading | x) up to the constant `posterior(of:replicates:)` leaves out.
  func logDensity(of reading: [Double], at x: [Double], replicates: Int) -> Double {
    predictive.logDensity(of: reading, at: x, replicates: replicates)
  }

  /// The coverage check of one measurement: gathers the figures, in the metric of the noise,
  /// and has `MultiOutputCoverageRules` judge them.
  private func coverageReport(
    grid: GridPosterior, mean: [Double], replicates r: Int, estimates: [QuantityEstimate],
    quantities: [String: QuantityCoverage]
  ) -> MultiOutputCoverageReport {
    let state = instrument.state
    let m = predictive.outputs, k = state.model.predictors.count
    let domain = state.domain.xRange.map { $0.lower...$0.upper }
    // Consistency: the whitened residual at the mode against F(m − k, ν′).
    let (fitted, v) = predictive.moments(at: grid.mode, replicates: r)
    let distance2 = JointPredictive.mahalanobis(mean, mean: fitted, covariance: v)?.distance2
    let nu = Double(state.fit.dof)
    let nuPrime = Double(state.fit.predictiveDOF)
    var consistency = VectorConsistency(statistic: nil, dof: m - k, pValue: nil)
    if m > k, let distance2 {
      let statistic = distance2 * nuPrime / nu / Double(m - k)
      let p = Distributions.fisherUpperTail(
        statistic, numerator: Double(m - k), denominator: nuPrime)
      consistency = VectorConsistency(statistic: statistic, dof: m - k, pValue: p)
    }
    // Support: distinct standards within the credible interval of every unknown widened to
    // the standards' reach (1.25 steps of their spacing), as for one unknown.
    let neighbourhoods = (0..<k).map { a -> ClosedRange<Double> in
      let reach = StandardSpacing(standards: state.domain.x[a]).reach(of: estimates[a].estimate)
      let lower = min(estimates[a].interval.lower ?? reach.lowerBound, reach.lowerBound)
      let upper = max(estimates[a].interval.upper ?? reach.upperBound, reach.upperBound)
      return lower...upper
    }
    var nearest = (distance: Double.infinity, x: standardResponses.first?.x ?? [])
    for standard in standardResponses {
      if let d2 = JointPredictive.mahalanobis(
        mean, mean: standard.response, covariance: standard.metric)?.distance2,
        d2 < nearest.distance
      {
        nearest = (d2, standard.x)
      }
    }
    let evidence = MultiOutputCoverageEvidence(
      predictors: state.model.predictors, responses: state.model.responses,
      quantities: quantities, distance2: distance2, consistency: consistency,
      predictiveDOF: state.fit.predictiveDOF, pOutsideDomain: grid.probabilityOutside(domain),
      domain: domain, neighbourhoods: neighbourhoods,
      standardsNearby: standardsNearby(within: neighbourhoods),
      local: localCurvature(at: estimates.map(\.estimate)),
      metric: MetricCheck(
        fromManifold: (distance2 ?? .nan).squareRoot(),
        toNearestStandard: nearest.distance.squareRoot(), nearestStandard: nearest.x))
    return MultiOutputCoverageRules.judge(evidence, thresholds: settings.thresholds)
  }

  /// The distinct standards (points in x) inside the box `neighbourhoods`, one range per
  /// unknown.
  func standardsNearby(within neighbourhoods: [ClosedRange<Double>]) -> Int {
    standardResponses.filter { standard in
      neighbourhoods.indices.allSatisfy { neighbourhoods[$0].contains(standard.x[$0]) }
    }.count
  }

  /// The local curvature test at `estimate`: the standards' readings, each output's noise sd
  /// at each standard, and the model's curvature there.
  func localCurvature(at estimate: [Double]) -> LocalCurvatureCheck {
    let state = instrument.state
    let x = state.domain.x
    let m = predictive.outputs
    let points = x[0].indices.map { s in x.map { $0[s] } }
    // The replicates' pure error where there are two degrees of freedom of it (constant noise).
    let pure = state.outputs.map { output -> (sd: Double, dof: Int)? in
      guard predictive.scales == nil, let test = output.fit.lackOfFit, test.pureErrorDOF >= 2,
        test.pureErrorSS > 0
      else { return nil }
      return ((test.pureErrorSS / Double(test.pureErrorDOF)).squareRoot(), test.pureErrorDOF)
    }
    let sigma = (0..<m).map { j in
      points.map { point -> Double in
        if let pure = pure[j] { return pure.sd }
        let mean = predictive.models[j].response(at: point, parameters: predictive.estimates[j])
        return (predictive.sigma[j * m + j]).squareRoot()
          * (predictive.scales?[j].sigma(at: mean) ?? 1)
      }
    }
    let residuals = (0..<m).map { j in
      points.indices.map { s in
        state.outputs[j].domain.y[s]
          - predictive.models[j].response(at: points[s], parameters: predictive.estimates[j])
      }
    }
    let curvature = (0..<m).map { j in
      LocalCurvatureCheck.modelCurvature(at: estimate, standards: x) {
        predictive.models[j].predictorGradient(at: $0, parameters: predictive.estimates[j])
      }
    }
    return LocalCurvatureCheck(
      estimate: estimate, x: points, residuals: residuals, sigma: sigma,
      dof: (0..<m).map { pure[$0]?.dof ?? state.noise.dof[$0] }, modelCurvature: curvature,
      spacings: x.map { StandardSpacing(standards: $0) },
      maximumReach: settings.thresholds.maximumLocalReach)
  }
}
