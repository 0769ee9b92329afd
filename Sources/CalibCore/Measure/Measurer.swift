import Foundation
internal import CalibGSL

/// Turns observations into reports with one instrument: the posterior over the unknown
/// quantity x (or a classical interval), and the coverage check.
///
/// Example:
///
///     let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
///     let report = try measurer.measure(Observation(id: "s1", readings: [10.5], line: 2))
///     report.x.estimate        // posterior median
///     report.coverage.status   // .covered, …
///
/// A measurer keeps workspaces between observations and is not thread-safe: use one per
/// thread. The same instrument, settings and observation give the same report, bit for bit.
public final class Measurer {
  /// The instrument measured with.
  public let instrument: Instrument
  /// The settings.
  public let settings: MeasurementSettings
  /// The prior range of x in use: `settings.range`, or the default rule.
  public let priorRange: ClosedRange<Double>
  /// Where the classical methods look for x: the prior range and beyond it (see
  /// `classicalSearchRange`).
  let classicalRange: ClosedRange<Double>
  /// Whether each end of the prior range is where the model itself ends: x = 0 for the
  /// families that begin there (4pl, 5pl, power, mm), or a point beyond which the response
  /// is not finite. No x lies beyond such an end, so a posterior reaching it is not cut off.
  let lowerBoundIsNatural: Bool
  let upperBoundIsNatural: Bool
  /// The same for the ends of `classicalRange`.
  let classicalRangeEnds: (lower: Bool, upper: Bool)

  let linear: MeasuringInstrument
  let tabulation: PosteriorTabulation
  private let regressors: UnsafeMutableBufferPointer<Double>
  /// The measurement maps made so far, one per kind of observation (`Measurer+Map`).
  var maps: [MapKey: MeasurementMap] = [:]
  /// Where the maps' pieces are shared with other measurers, if they are.
  let sharedMaps: SharedMeasurementMaps?
  /// Whether a measurement waits for a piece of a map another measurer is building (false
  /// only inside `measureUnlessWaiting(_:)`).
  var waitsForPieces = true
  private var laguerre: FixedQuadrature?
  /// max over the standards of φ(xᵢ)ᵀCφ(xᵢ), unweighted.
  private let maxStandardLeverage: Double
  private let spacing: StandardSpacing
  /// The standards' part of the local curvature test (`curvatureInputs(for:instrument:)`).
  private let curvatureInputs: (residuals: [Double], sigma: [Double], dof: Int?)
  private let curvatureDesign: LocalCurvatureCheck.Design
  /// The local quadratics of the neighbourhoods measured so far (`LocalCurvatureCheck.Fits`).
  private var curvatureFits = LocalCurvatureCheck.Fits()
  /// The noise of each posterior sample, for a noise fitted by likelihood and sampled: built
  /// once, not per observation.
  private let sampleNoises: [NoiseFunction]?
  /// The posterior samples column by column, for the model at all of them at once.
  private let sampleColumns: ParameterColumns?

  /// Prepares to measure with an instrument state made in memory, which is checked first
  /// (see `Instrument`); `sharedMaps` as for `init(instrument:settings:sharedMaps:)`.
  ///
  /// - Throws: `InputError` for a state that is inconsistent, and what
  ///   `init(instrument:settings:sharedMaps:)` throws.
  public convenience init(
    instrument state: InstrumentState, settings: MeasurementSettings,
    sharedMaps: SharedMeasurementMaps? = nil
  ) throws {
    try self.init(instrument: Instrument(state), settings: settings, sharedMaps: sharedMaps)
  }

  /// Prepares to measure; with `sharedMaps`, the pieces of its measurement maps are shared
  /// with the other measurers given the same set, which must have been made with the same
  /// instrument and settings (the threads of one run).
  ///
  /// - Throws: `MeasurementError` for an instrument this version cannot measure with or a
  ///   setting out of its domain.
  public init(
    instrument: Instrument, settings: MeasurementSettings,
    sharedMaps: SharedMeasurementMaps? = nil
  ) throws {
    self.sharedMaps = sharedMaps
    guard settings.level > 0, settings.level < 1 else {
      throw MeasurementError.invalidSetting(
        "the level must lie strictly between 0 and 1, not \(settings.level)")
    }
    if settings.marginalization == .samples, instrument.posterior.samples == nil {
      throw MeasurementError.noPosteriorSamples
    }
    let linear = try MeasuringInstrument(instrument)
    if let marginalization = settings.marginalization, linear.isExact {
      throw MeasurementError.invalidSetting(
        "the instrument is linear in its parameters, so its state is integrated out exactly (Student-t or normal); the marginalization '\(marginalization.rawValue)' applies to nonlinear instruments only"
      )
    }
    let responseSpan = linear.responseRange.upperBound - linear.responseRange.lowerBound
    guard
      linear.noiseKnown
        || linear.s2.squareRoot() > 1e-12
          * max(responseSpan, Swift.abs(linear.responseRange.upperBound))
    else {
      throw MeasurementError.noNoiseEstimate
    }
    self.instrument = instrument
    self.settings = settings
    self.linear = linear
    if let range = settings.range {
      guard range.lower < range.upper, range.lower.isFinite, range.upper.isFinite else {
        throw MeasurementError.invalidSetting(
          "the range must be LO:HI with LO < HI, finite, not \(range.lower):\(range.upper)")
      }
      priorRange = range.lower...range.upper
    } else {
      priorRange = Measurer.defaultRange(for: linear)
    }
    classicalRange = Measurer.classicalSearchRange(for: linear, prior: priorRange)
    (lowerBoundIsNatural, upperBoundIsNatural) = Measurer.naturalEnds(of: priorRange, for: linear)
    classicalRangeEnds = Measurer.naturalEnds(of: classicalRange, for: linear)
    tabulation = try PosteriorTabulation()
    regressors = .allocate(capacity: max(linear.parameterCount, 1))
    maxStandardLeverage = linear.standardsX.map { linear.evaluate(at: $0).leverage }.max() ?? 0
    spacing = StandardSpacing(standards: linear.standardsX)
    curvatureInputs = Measurer.curvatureInputs(for: linear, instrument: instrument)
    curvatureDesign = LocalCurvatureCheck.Design(
      x: linear.standardsX.map { [$0] }, spacings: [spacing])
    let form = instrument.measuredNoiseForm
    sampleNoises = instrument.posterior.noiseSamples.map { $0.map(form.function) }
    sampleColumns = instrument.posterior.samples.map(ParameterColumns.init)
  }

  deinit {
    regressors.deallocate()
  }

  /// The instrument's posterior samples when they are to be averaged over.
  var samples: [[Double]]? {
    guard !linear.isExact, settings.marginalization == nil || settings.marginalization == .samples
    else { return nil }
    return instrument.posterior.samples
  }

  /// Whether the parameters are integrated out by quadrature (`--marginalize integration`).
  var usesIntegration: Bool {
    !linear.isExact && settings.marginalization == .integration
  }

  /// Whether each evaluation of a reading's likelihood ℓ averages over the instrument's
  /// parameters (its posterior samples, or the quadrature's nodes: thousands of terms at each
  /// x): a reading then costs milliseconds by the exact path where a line's costs
  /// microseconds, so that a measurement map pays for its building from a few hundred
  /// readings rather than a few thousand.
  public var averagesOverParameters: Bool { samples != nil || usesIntegration }

  /// The quadrature over the parameters, made on first use, or the error its making threw:
  /// kept either way, so that a rule that cannot be made (a covariance GSL cannot factor, say)
  /// is tried once per measurer, not once per observation or per piece of a map.
  private var integrationRule: Result<QuadratureMarginalization, any Error>?
  private var integration: QuadratureMarginalization? {
    get throws {
      guard usesIntegration else { return nil }
      if integrationRule == nil {
        integrationRule = Result { try QuadratureMarginalization(instrument, instrument: linear) }
      }
      return try integrationRule?.get()
    }
  }

  /// `exact`, `linearized`, `samples` or `integration`: how the Bayesian measurement
  /// integrates a out.
  private var predictive: Predictive {
    if linear.isExact { return .exact }
    if usesIntegration { return .integration }
    return samples != nil ? .samples : .linearized
  }

  /// ℓ of `readings` (with their u, if any) by the settings' way of integrating a out: averaged
  /// over the posterior samples (which are then returned too), by quadrature over the
  /// parameters, or exactly or through the linearized response by `likelihood`. One closure
  /// per way, chosen once, so that the hot loop tests nothing.
  ///
  /// - Throws: `GSLError` from making the quadrature rule.
  func logDensity(
    _ likelihood: ReadingLikelihood, readings: [Double], uncertainties: [Double]?
  ) throws -> (logDensity: (Double) -> Double, averaged: SampleAveragedLikelihood?) {
    if samples != nil, let sampleColumns {
      let averaged = SampleAveragedLikelihood(
        readings, uncertainties: uncertainties, instrument: linear, samples: sampleColumns,
        sigmas: instrument.posterior.sigmaSamples, noises: sampleNoises)
      return ({ averaged.logDensity(at: $0) }, averaged)
    }
    if let quadrature = try integration {
      return (quadrature.logDensity(readings: readings, uncertainties: uncertainties), nil)
    }
    return (linearLogDensity(likelihood), nil)
  }

  /// The smallest effective sample size of the instrument's sampler.
  var effectiveSampleSize: Double {
    instrument.posterior.sampler?.effectiveSampleSize.min()
      ?? Double(instrument.posterior.samples?.count ?? 1)
  }

  /// The default prior range: the calibrated domain [a, b] widened by its width on each side,
  /// [a − (b − a), b + (b − a)], so that a measurement beyond the standards shows as
  /// extrapolated instead of piling at the edge of the domain; then clipped to where the
  /// model is defined: at 0 for the families with powers or ratios of x (a positive x for
  /// `log`), and for a formula at the first of 512 steps outward from the domain where the
  /// response or its leverage is not finite.
  static func defaultRange(for instrument: MeasuringInstrument) -> ClosedRange<Double> {
    let domain = instrument.domain
    let width = domain.upperBound - domain.lowerBound
    let margin = width > 0 ? width : max(Swift.abs(domain.lowerBound), 1)
    var lower = domain.lowerBound - margin, upper = domain.upperBound + margin
    if let family = instrument.model.family {
      if let lowest = family.lowestX(domain: domain) {
        lower = max(lower, min(lowest, domain.lowerBound))
      }
    } else {
      lower =
        instrument.lastDefinedPoint(from: domain.lowerBound, across: -margin, steps: 512) ?? lower
      upper =
        instrument.lastDefinedPoint(from: domain.upperBound, across: margin, steps: 512) ?? upper
    }
    return lower...upper
  }

  /// Where the classical methods (inversion, Wald) solve μ(x) = ȳ and look for the ends of
  /// their intervals: the calibrated domain [a, b] widened by 100 times its width on each side
  /// (and at least the prior range), clipped to where the model is defined: at the lowest x of
  /// a family (0 for 4pl, 5pl, power, mm; a positive x for log), and for a formula at the first
  /// of 4096 steps outward from the prior range where the response or its leverage is not
  /// finite.
  static func classicalSearchRange(
    for instrument: MeasuringInstrument, prior: ClosedRange<Double>
  ) -> ClosedRange<Double> {
    let domain = instrument.domain
    let width = domain.upperBound - domain.lowerBound
    let margin = 100 * (width > 0 ? width : max(Swift.abs(domain.lowerBound), 1))
    var lower = min(domain.lowerBound - margin, prior.lowerBound)
    var upper = max(domain.upperBound + margin, prior.upperBound)
    if let family = instrument.model.family {
      if let lowest = family.lowestX(domain: domain) {
        lower = max(lower, min(lowest, prior.lowerBound))
      }
    } else {
      let below = prior.lowerBound - lower, above = upper - prior.upperBound
      lower =
        instrument.lastDefinedPoint(from: prior.lowerBound, across: -below, steps: 4096) ?? lower
      upper =
        instrument.lastDefinedPoint(from: prior.upperBound, across: above, steps: 4096) ?? upper
    }
    return lower...upper
  }

  /// Whether each end of `range` is where the model ends (see `lowerBoundIsNatural`): the
  /// response or its leverage is not finite a millionth of the range beyond it, or it is x = 0
  /// where the family begins.
  static func naturalEnds(
    of range: ClosedRange<Double>, for instrument: MeasuringInstrument
  ) -> (lower: Bool, upper: Bool) {
    let step = (range.upperBound - range.lowerBound) * 1e-6
    let familyBegins =
      range.lowerBound == 0
      && instrument.model.family?.lowestX(domain: instrument.domain) == 0
    return (
      familyBegins || !instrument.isDefined(at: range.lowerBound - step),
      !instrument.isDefined(at: range.upperBound + step)
    )
  }

  /// P(x ≤ value) under the posterior of the observation measured last (the probability
  /// integral transform the statistical-coverage check ranks).
  func posteriorProbability(below value: Double) -> Double { tabulation.cdf(value) }

  /// Measures one observation.
  ///
  /// With `settings.measurementMap`, the posterior's summaries come from the measurement map
  /// where it is certified for this kind of observation and this mean reading
  /// (`MeasurementMap`); else, and by default, from the exact path.
  ///
  /// - Throws: the observation's `defect` (an `InputError`: a row that could not be read),
  ///   `MeasurementError` (no readings; readings without the u a known-noise instrument
  ///   needs; a reading of a counting instrument that is not a count), `GSLError`.
  public func measure(_ observation: Observation) throws -> ObservationReport {
    try measure(observation, mapped: settings.measurementMap != nil)
  }

  /// Measures one observation as `measure(_:)` does, or returns nil where its summaries would
  /// come from a piece of a measurement map that another measurer sharing its maps
  /// (`SharedMeasurementMaps`) is building: the caller measures it later (with `measure(_:)`,
  /// which waits), and meanwhile measures others, or builds other pieces. The report, when
  /// there is one, is the same bit for bit.
  ///
  /// - Throws: what `measure(_:)` throws.
  public func measureUnlessWaiting(_ observation: Observation) throws -> ObservationReport? {
    waitsForPieces = false
    defer { waitsForPieces = true }
    do {
      return try measure(observation)
    } catch is MeasurementMap.PieceBeingBuilt {
      return nil
    }
  }

  /// Measures one observation; by the exact path alone when `mapped` is false, which leaves
  /// the posterior tabulated for `posteriorProbability(below:)` and the density's plot.
  func measure(_ observation: Observation, mapped: Bool) throws -> ObservationReport {
    if let defect = observation.defect { throw defect }
    guard !observation.readings.isEmpty else {
      throw MeasurementError.invalidSetting("observation '\(observation.id)' has no readings")
    }
    let readingU = try linear.readingUncertainties(of: observation)
    if readingU == nil, linear.noise?.model == .poisson,
      let reading = observation.readings.first(where: { !($0 >= 0 && $0 == $0.rounded()) })
    {
      throw MeasurementError.notACount(observation: observation.id, reading: reading)
    }
    let likelihood = try ReadingLikelihood(observation, uncertainties: readingU, instrument: linear)
    { dof throws in
      if let rule = self.laguerre { return rule }
      let rule = try FixedQuadrature.gaussLaguerre(points: 32, alpha: Double(dof) / 2 - 1)
      self.laguerre = rule
      return rule
    }
    var summary: PosteriorSummary
    if mapped,
      let fromMap = try mappedSummary(
        likelihood, readingsCarryU: readingU != nil,
        exactLogDensity: {
          try self.logDensity(
            likelihood, readings: observation.readings, uncertainties: readingU
          ).logDensity
        })
    {
      summary = fromMap
    } else {
      let density = try logDensity(
        likelihood, readings: observation.readings, uncertainties: readingU)
      summary = try tabulatedSummary(
        likelihood, logDensity: density.logDensity, regions: settings.method == .bayes,
        costly: averagesOverParameters)
      summary.numerical.monteCarloRelative = density.averaged?.monteCarloRelativeError(
        at: summary.median, effectiveSampleSize: effectiveSampleSize)
    }
    var quantity: QuantityEstimate
    let estimate: Double
    switch settings.method {
    case .bayes:
      estimate = summary.median
      quantity = QuantityEstimate(
        method: .bayes, estimate: summary.median, mean: summary.mean, sd: summary.sd,
        median: summary.median, modes: summary.modes,
        interval: IntervalRecord(
          level: settings.level, lower: summary.credible.lowerBound,
          upper: summary.credible.upperBound, bounded: true, pieces: nil),
        hpd: summary.hpd.map(RangeRecord.init),
        solutions: nil, quantile: nil, dof: nil, numerical: summary.numerical,
        predictive: predictive,
        components: summary.hpd.count > 1 ? components(of: summary.hpd) : nil)
    case .inversion, .wald:
      let classical = ClassicalCalibration(
        instrument: linear, likelihood: likelihood, level: settings.level, range: classicalRange,
        prior: priorRange, naturalEnds: classicalRangeEnds)
      let result = settings.method == .inversion ? try classical.inversion() : try classical.wald()
      estimate = result.estimate
      quantity = QuantityEstimate(
        method: settings.method, estimate: result.estimate, mean: nil, sd: result.standardError,
        median: nil, modes: nil,
        interval: Measurer.intervalRecord(result.pieces, level: settings.level), hpd: nil,
        solutions: result.solutions, quantile: result.quantile, dof: result.dof, numerical: nil,
        predictive: linear.isExact ? .exact : .linearized)
    }
    quantity.pAbove = settings.threshold(in: priorRange).map {
      ThresholdProbability(threshold: $0, probability: 1 - (summary.thresholdCDF ?? 1))
    }
    let coverage = coverageReport(
      estimate: estimate, summary: summary, likelihood: likelihood, quantity: quantity)
    return ObservationReport(
      id: observation.id, line: observation.line, readings: observation.readings,
      uncertainties: observation.uncertainties, x: quantity, coverage: coverage,
      undiluted: observation.dilution.map { UndilutedQuantity(quantity, factor: $0) },
      quantitation: instrument.state.quantitation?.status(of: estimate))
  }

  /// ℓ(x) of the readings with the instrument state integrated out exactly (or through the
  /// linearized response).
  func linearLogDensity(_ likelihood: ReadingLikelihood) -> (Double) -> Double {
    let linear = self.linear
    let regressors = self.regressors
    return { x in
      let (mean, leverage) = linear.evaluate(at: x, regressors: regressors)
      return likelihood.logDensity(mean: mean, leverage: leverage)
    }
  }

  /// The posterior of `likelihood` with log-density `logDensity`, tabulated on the prior
  /// range (`PosteriorTabulation`), and its summaries; the highest-density region only when
  /// `regions`. A `costly` log-density (averaged over samples or quadrature nodes) is
  /// evaluated at most once at each x.
  ///
  /// - Throws: `MeasurementError.posteriorNotIntegrable` where the quadrature cannot resolve
  ///   the posterior on the range; `GSLError`.
  func tabulatedSummary(
    _ likelihood: ReadingLikelihood, logDensity: @escaping (Double) -> Double, regions: Bool,
    costly: Bool = false
  ) throws -> PosteriorSummary {
    let linear = self.linear
    try tabulation.tabulate(
      logDensity: logDensity,
      lower: priorRange.lowerBound, upper: priorRange.upperBound,
      scaleHint: { x in
        let (mean, leverage) = linear.evaluate(at: x)
        let variance = likelihood.classicalVariance(
          mean: mean, leverage: leverage, instrument: linear
        ).variance
        return variance.squareRoot() / Swift.abs(linear.slope(at: x))
      }, remembering: costly)
    // A posterior the quadrature cannot resolve on this range (a range wider than double
    // precision can hold the posterior's scale in) gives no numbers rather than wrong ones.
    guard tabulation.relativeError <= 1e-3 else {
      throw MeasurementError.posteriorNotIntegrable(
        lower: priorRange.lowerBound, upper: priorRange.upperBound,
        relativeError: tabulation.relativeError)
    }
    let (mean, sd) = tabulation.moments()
    let tail = (1 - settings.level) / 2
    let median = tabulation.quantile(0.5)
    let credible = tabulation.quantile(tail)...tabulation.quantile(1 - tail)
    let hpd = regions ? tabulation.highestDensityRegion(level: settings.level) : []
    let width = priorRange.upperBound - priorRange.lowerBound
    // The evaluations spent on the summaries the report gives, not on the coverage figures.
    let numerical = NumericalError(
      integrationRelative: tabulation.relativeError,
      quantileTolerance: max(width * 1e-15, tabulation.relativeError * sd * 10),
      densityEvaluations: tabulation.evaluations, monteCarloRelative: nil)
    let domain = linear.domain
    // The one mode of a unimodal posterior, placed closer than Brent's method can.
    var modes = tabulation.modes
    if modes.count == 1, priorRange.lowerBound < modes[0], modes[0] < priorRange.upperBound {
      modes[0] = polishedMode(modes[0], sd: sd, logDensity: logDensity)
    }
    let bounds = boundDensities { tabulation.relativeDensity($0) }
    return PosteriorSummary(
      mean: mean, sd: sd, median: median, credible: credible, hpd: hpd, modes: modes,
      bestMode: modes.count == 1
        ? modes[0]
        : modes.max { tabulation.relativeDensity($0) < tabulation.relativeDensity($1) }
          ?? priorRange.lowerBound,
      domainCDF: (tabulation.cdf(domain.lowerBound), tabulation.cdf(domain.upperBound)),
      thresholdCDF: settings.threshold(in: priorRange).map { tabulation.cdf($0) },
      lowerBoundDensity: bounds.lower, upperBoundDensity: bounds.upper, numerical: numerical)
  }

  /// The posterior's `density` (relative to its highest mode) at each end of the prior range,
  /// or just inside it (10⁻⁹ of the range) where the model is undefined at the end itself
  /// (x = 0 for a 4pl, whose posterior piles there for a reading below its asymptote); at most
  /// 1, which a posterior piled at the end reaches (the point just inside can lie above the
  /// peak that Brent's method placed at the end, by its tolerance).
  func boundDensities(_ density: (Double) -> Double) -> (lower: Double, upper: Double) {
    let (lower, upper) = (priorRange.lowerBound, priorRange.upperBound)
    let inset = (upper - lower) * 1e-9
    let low = max(density(lower), density(lower + inset))
    return (min(low, 1), min(max(density(upper), density(upper - inset)), 1))
  }

  /// The separate explanations of a reading whose HPD region has several pieces: for each
  /// piece its basin (split from the next at the lowest density between them, on 65 points),
  /// the basin's probability and its highest mode.
  private func components(of hpd: [ClosedRange<Double>]) -> [PosteriorComponent] {
    var splits = [priorRange.lowerBound]
    for k in 0..<(hpd.count - 1) {
      let (a, b) = (hpd[k].upperBound, hpd[k + 1].lowerBound)
      let grid = (0...64).map { a + (b - a) * Double($0) / 64 }
      splits.append(
        grid.min { tabulation.relativeDensity($0) < tabulation.relativeDensity($1) } ?? a)
    }
    splits.append(priorRange.upperBound)
    return hpd.indices.map { k in
      let basin = splits[k]...splits[k + 1]
      let mode = tabulation.modes.filter { basin.contains($0) }
        .max { tabulation.relativeDensity($0) < tabulation.relativeDensity($1) }
      return PosteriorComponent(
        mode: mode ?? 0.5 * (hpd[k].lowerBound + hpd[k].upperBound),
        probability: max(0, tabulation.cdf(basin.upperBound) - tabulation.cdf(basin.lowerBound)),
        hpd: RangeRecord(hpd[k]))
    }
  }

  /// A classical interval's pieces as a report record.
  private static func intervalRecord(
    _ pieces: [ClosedRange<Double>], level: Double
  ) -> IntervalRecord {
    if pieces.count == 1 {
      let piece = RangeRecord(pieces[0])
      return IntervalRecord(
        level: level, lower: piece.lower, upper: piece.upper,
        bounded: piece.lower != nil && piece.upper != nil, pieces: nil)
    }
    return IntervalRecord(
      level: level, lower: nil, upper: nil, bounded: false, pieces: pieces.map(RangeRecord.init))
  }

  // MARK: - Coverage

  /// Gathers the figures of the coverage check for the observation's posterior, and has
  /// `CoverageRules` judge them.
  private func coverageReport(
    estimate: Double, summary: PosteriorSummary, likelihood: ReadingLikelihood,
    quantity: QuantityEstimate
  ) -> CoverageReport {
    let domain = linear.domain
    let credible = summary.credible
    let pOutside = min(1, max(0, summary.domainCDF.lower + 1 - summary.domainCDF.upper))
    let lowerDensity = summary.lowerBoundDensity, upperDensity = summary.upperBoundDensity
    let boundDensity = max(lowerDensity, upperDensity)
    let atBound = lowerDensity >= upperDensity ? priorRange.lowerBound : priorRange.upperBound

    let y = likelihood.meanReading
    let reading = ReadingCheck(
      mean: y, responseRange: RangeRecord(linear.responseRange),
      withinResponseRange: linear.responseRange.contains(y))

    let (meanAtEstimate, leverageAtEstimate) = linear.evaluate(at: estimate)
    let leverage = LeverageCheck(atEstimate: leverageAtEstimate, maxStandard: maxStandardLeverage)

    let reach = spacing.reach(of: estimate)
    let neighbourhood =
      min(credible.lowerBound, reach.lowerBound)...max(credible.upperBound, reach.upperBound)
    let nearby = spacing.count(in: neighbourhood)
    // An instrument has at least one standard (checked when its file is read).
    let nearestIndex =
      linear.standardsX.indices.min {
        Swift.abs(linear.standardsX[$0] - estimate) < Swift.abs(linear.standardsX[$1] - estimate)
      } ?? 0
    let nearestX = linear.standardsX[nearestIndex]
    let nearestDistance: Double
    if let noise = linear.noise {
      nearestDistance = linear.noiseMetricLength(from: estimate, to: nearestX, noise: noise)
    } else {
      let noiseSD =
        linear.noiseKnown ? (linear.standardsU?[nearestIndex] ?? 1) : linear.s2.squareRoot()
      nearestDistance = Swift.abs(meanAtEstimate - linear.evaluate(at: nearestX).mean) / noiseSD
    }
    let support = SupportCheck(
      standardsInInterval: linear.standardsX.filter { credible.contains($0) }.count,
      neighbourhood: RangeRecord(neighbourhood), distinctStandardsNearby: nearby,
      nearestStandard: nearestX,
      nearestDistance: nearestDistance.isFinite ? nearestDistance : nil)

    let evidence = CoverageEvidence(
      estimate: estimate, quantity: quantity, domain: domain, priorRange: priorRange,
      classicalRange: classicalRange, pOutsideDomain: pOutside, priorBoundDensity: boundDensity,
      atBound: atBound,
      boundIsNatural: atBound == priorRange.lowerBound ? lowerBoundIsNatural : upperBoundIsNatural,
      reading: reading, leverage: leverage, support: support,
      consistency: consistencyCheck(likelihood: likelihood, best: summary.bestMode),
      local: localCurvature(at: estimate), response: instrument.state.model.response,
      posteriorWarnings: samples != nil ? instrument.posterior.warnings ?? [] : [])
    return CoverageRules.judge(evidence, thresholds: settings.thresholds)
  }

  /// The local curvature test at `estimate` (`LocalCurvatureCheck`), with the standards'
  /// residuals and noise sd made once (`curvatureInputs`).
  private func localCurvature(at estimate: Double) -> LocalCurvatureCheck {
    let x = linear.standardsX
    let inputs = curvatureInputs
    let curvature =
      linear.halfCurvature(at: estimate).map { [$0] }
      ?? LocalCurvatureCheck.modelCurvature(at: [estimate], standards: [x]) {
        [linear.slope(at: $0[0])]
      }
    return LocalCurvatureCheck(
      estimate: [estimate], design: curvatureDesign, residuals: [inputs.residuals],
      sigma: [inputs.sigma], dof: [inputs.dof], modelCurvature: [curvature],
      maximumReach: settings.thresholds.maximumLocalReach, fits: &curvatureFits)
  }

  /// What the local curvature test takes from the standards, the same for every reading: each
  /// one's residual from the fitted response, and its noise sd, which is
  /// its u(y) for a known noise, σ(μ) for a noise that varies, the replicates' pure error where
  /// there are two degrees of freedom of it, else s, with the slope times u(x) added in
  /// quadrature for uncertain standards; and the degrees of freedom of that sd.
  static func curvatureInputs(
    for linear: MeasuringInstrument, instrument: Instrument
  ) -> (residuals: [Double], sigma: [Double], dof: Int?) {
    let x = linear.standardsX
    let pure: (sd: Double, dof: Int)? = instrument.state.fit.lackOfFit.flatMap { test in
      guard !linear.noiseKnown, linear.noise == nil, test.pureErrorDOF >= 2, test.pureErrorSS > 0
      else { return nil }
      return ((test.pureErrorSS / Double(test.pureErrorDOF)).squareRoot(), test.pureErrorDOF)
    }
    // With uncertain standards (`--sx`) a residual also carries the error of its x, through
    // the slope: its variance is u(y)² + μ′(x)²·u(x)².
    let uX = instrument.state.domain.uX
    let sigma = x.indices.map { s -> Double in
      let reading: Double
      if linear.noiseKnown {
        reading = linear.standardsU?[s] ?? 1
      } else if let noise = linear.noise {
        reading = noise.sigma(at: linear.evaluate(at: x[s]).mean)
      } else {
        reading = pure?.sd ?? linear.s2.squareRoot()
      }
      guard let uX else { return reading }
      let spread = linear.slope(at: x[s]) * uX[s]
      return (reading * reading + spread * spread).squareRoot()
    }
    return (
      x.indices.map { linear.standardsY[$0] - linear.evaluate(at: x[$0]).mean }, sigma,
      linear.noiseKnown ? nil : pure?.dof ?? linear.dof
    )
  }

  /// The two-sided p-value of ȳ − μ(x) against its classical predictive sd at `x` (NaN where
  /// the model is not finite there).
  private func residualPValue(at x: Double, likelihood: ReadingLikelihood) -> Double {
    let (mean, leverage) = linear.evaluate(at: x)
    let (variance, dof) = likelihood.classicalVariance(
      mean: mean, leverage: leverage, instrument: linear)
    let z = Swift.abs(likelihood.meanReading - mean) / variance.squareRoot()
    return 2
      * (dof.map { Distributions.studentUpperTail(z, degreesOfFreedom: $0) }
        ?? Distributions.normalUpperTail(z))
  }

  /// The residual at the posterior's highest mode `best` and the replicates' spread, as
  /// p-values.
  private func consistencyCheck(
    likelihood: ReadingLikelihood, best: Double
  ) -> ConsistencyCheck {
    let residual = residualPValue(at: best, likelihood: likelihood)
    var replicate: Double?
    if likelihood.count > 1 {
      let m = Double(likelihood.count)
      switch likelihood.kind {
      case .student(let nu, let s2, _, let within):
        replicate = Distributions.fisherUpperTail(
          within / (m - 1) / s2, numerator: m - 1, denominator: nu)
      case .gaussian, .mixture:
        replicate = Distributions.chiSquaredUpperTail(likelihood.within, degreesOfFreedom: m - 1)
      case .varying(let noise, _, let within, _, _), .replicated(let noise, _, let within, _):
        // S/σ(μ)² ~ χ²ₘ₋₁ with σ at the response at the mode.
        let sigma = noise.sigma(at: linear.evaluate(at: best).mean)
        replicate = Distributions.chiSquaredUpperTail(
          within / (sigma * sigma), degreesOfFreedom: m - 1)
      case .heavyTailed(let noise, _, _, _, _, let scales):
        // Student-t noise: S over the t's variance σ²·ν/(ν − 2) against χ²ₘ₋₁, matching the
        // first moment (the t's heavier tails make this the looser test); none for ν ≤ 2,
        // where the variance is infinite. With the readings' u, S is already weighted by them.
        let sigma = scales == nil ? noise.sigma(at: linear.evaluate(at: best).mean) : 1
        replicate =
          noise.nu > 2
          ? Distributions.chiSquaredUpperTail(
            likelihood.within / (sigma * sigma * noise.nu / (noise.nu - 2)),
            degreesOfFreedom: m - 1) : nil
      }
    }
    return ConsistencyCheck(
      pValue: min(residual, replicate ?? 1), residualPValue: residual, replicatePValue: replicate)
  }
}
