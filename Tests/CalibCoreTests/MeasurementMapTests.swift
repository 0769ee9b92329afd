import CalibCore
import Foundation
import Testing

/// The measurement map (`MeasurementMap`, `settings.measurementMap`) against the exact path
/// and an independent brute-force posterior: the map is certified to 1e-9 posterior sd at its
/// checks; between them the tests allow 1e-8 sd (locations and the sd; modes 1e-6 sd, but
/// 1e-8 sd averaged over samples or by quadrature) and 1e-9 (probabilities) against the exact
/// path, and 1e-6 sd against brute force, the engine's requirement.
@Suite("Measurement map")
struct MeasurementMapTests {
  static let line = Result {
    try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line",
      group: "standard")
  }

  /// Mean readings across the response range and beyond it, from a seeded generator.
  static func readings(_ count: Int, from low: Double, to high: Double) -> [Double] {
    var state: UInt64 = 20_261_127
    return (0..<count).map { _ in
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return low + (high - low) * Double(state >> 11) / Double(1 << 53)
    }
  }

  /// Two measurers of `state` with `settings`: one with every map it can make, one by the
  /// exact path.
  static func measurers(
    _ state: InstrumentState, _ settings: MeasurementSettings
  ) throws -> (mapped: Measurer, exact: Measurer) {
    var onMap = settings
    onMap.measurementMap = .all
    return (
      try Measurer(instrument: state, settings: onMap),
      try Measurer(instrument: state, settings: settings)
    )
  }

  /// Measures `observation` with the map and without; checks every summary and coverage figure
  /// of the two against each other; whether the map answered. A `costly` measurer (averaged
  /// over samples or by quadrature) takes its mode and the densities at the range's ends from
  /// the map too, with no evaluation of ℓ: the mode to 1e-8 sd like the other locations, the
  /// densities (relative to the peak) to 1e-9 absolutely like the probabilities.
  static func compare(
    _ observation: Observation, mapped: Measurer, exact: Measurer, costly: Bool = false
  ) throws -> Bool {
    let a = try mapped.measure(observation)
    let b = try exact.measure(observation)
    let sd = try #require(b.x.sd)
    func close(_ u: Double?, _ v: Double?, _ tolerance: Double, _ what: String) {
      guard let u, let v else {
        #expect(
          u == nil && v == nil, "\(what): \(String(describing: u)) vs \(String(describing: v))")
        return
      }
      #expect(Swift.abs(u - v) <= tolerance, "\(what) at ȳ = \(observation.readings): \(u) vs \(v)")
    }
    let location = 1e-8 * sd
    close(a.x.mean, b.x.mean, location, "mean")
    close(a.x.sd, b.x.sd, location, "sd")
    close(a.x.median, b.x.median, location, "median")
    close(a.x.interval.lower, b.x.interval.lower, location, "interval lower")
    close(a.x.interval.upper, b.x.interval.upper, location, "interval upper")
    #expect(a.x.hpd?.count == b.x.hpd?.count)
    for (p, q) in zip(a.x.hpd ?? [], b.x.hpd ?? []) {
      close(p.lower, q.lower, location, "hpd lower")
      close(p.upper, q.upper, location, "hpd upper")
    }
    #expect(a.x.modes?.count == b.x.modes?.count)
    // A mode is placed by a Newton step on differences of ℓ (`polishedMode`), as precise as ℓ
    // is smooth: a 4PL's linearized ℓ holds the rounding of its leverage, a few 1e-8 sd.
    let fromMap = a.x.numerical?.mapError != nil
    let modeTolerance = (fromMap && costly ? 1e-8 : 1e-6) * sd
    for (p, q) in zip(a.x.modes ?? [], b.x.modes ?? []) { close(p, q, modeTolerance, "mode") }
    close(a.x.pAbove?.probability, b.x.pAbove?.probability, 1e-9, "p_above")
    close(a.coverage.pOutsideDomain, b.coverage.pOutsideDomain, 1e-9, "p_outside_domain")
    close(
      a.coverage.priorBoundDensity, b.coverage.priorBoundDensity,
      fromMap && costly ? 1e-9 : 1e-6 * max(b.coverage.priorBoundDensity, 1e-300),
      "prior_bound_density")
    #expect(a.coverage.status == b.coverage.status)
    #expect(b.x.numerical?.mapError == nil)
    if let error = a.x.numerical?.mapError {
      #expect(error <= 1e-9)
      if costly {
        #expect(a.x.numerical?.densityEvaluations == 0)
      } else {
        #expect(a.x.numerical?.densityEvaluations ?? 0 <= 16)
      }
      return true
    }
    return false
  }

  @Test("the line, σ estimated: the map agrees with the exact path across the readings")
  func line() throws {
    let (mapped, exact) = try Self.measurers(try Self.line.get(), MeasurementSettings())
    // The line's response spans about [0.005, 0.99] on its domain [0, 10]; the readings
    // reach a third of the domain beyond each end.
    var answered = 0
    var inside = 0
    for y in Self.readings(300, from: -0.3, to: 1.3) {
      let observation = Observation(id: "r", readings: [y], line: 2)
      let fromMap = try Self.compare(observation, mapped: mapped, exact: exact)
      if (0.05...0.95).contains(y) {
        inside += 1
        answered += fromMap ? 1 : 0
      }
    }
    // The map answers every reading well inside the domain.
    #expect(answered == inside)
  }

  @Test("replicates without scatter, readings with u, the 4PL linearized: mapped and exact agree")
  func otherKinds() throws {
    let (mapped, exact) = try Self.measurers(try Self.line.get(), MeasurementSettings())
    var answered = 0
    for y in Self.readings(40, from: 0.1, to: 0.9) {
      answered +=
        try Self.compare(
          Observation(id: "u", readings: [y], uncertainties: [0.003], line: 2), mapped: mapped,
          exact: exact) ? 1 : 0
      answered +=
        try Self.compare(
          Observation(id: "same", readings: [y, y], line: 2), mapped: mapped, exact: exact) ? 1 : 0
    }
    #expect(answered == 80)
    // Triplicates that agree, at readings whose sum over three divided by three is not the
    // reading (0.35 and 0.4 in binary floating point): mapped all the same.
    for y in [0.35, 0.4] {
      #expect(((y + y) + y) / 3 != y)
      #expect(
        try Self.compare(
          Observation(id: "three", readings: [y, y, y], line: 2), mapped: mapped, exact: exact))
    }

    let elisa = try fixtureInstrument("elisa-4pl.csv", x: "conc_ng_mL", y: "od", spec: "4pl")
    let (elisaMapped, elisaExact) = try Self.measurers(
      elisa, MeasurementSettings(marginalization: .linearized))
    var elisaAnswered = 0
    for y in Self.readings(60, from: 0.3, to: 1.8) {
      elisaAnswered +=
        try Self.compare(
          Observation(id: "od", readings: [y], line: 2), mapped: elisaMapped, exact: elisaExact)
        ? 1 : 0
    }
    #expect(elisaAnswered >= 50)
  }

  /// `count` groups of `m` readings about the line of `state` at x uniform on `range`, each
  /// reading off it by `spread(μ)`·z (z standard normal, Box–Muller, from a seeded generator),
  /// rounded by `round`.
  static func groups(
    _ count: Int, of m: Int, state: InstrumentState, range: ClosedRange<Double>,
    spread: (Double) -> Double, round: (Double) -> Double = { $0 }
  ) -> [[Double]] {
    let uniform = Self.readings(count * (2 * m + 1), from: 0, to: 1)
    return (0..<count).map { g in
      let base = g * (2 * m + 1)
      let x = range.lowerBound + (range.upperBound - range.lowerBound) * uniform[base]
      let (mean, _) = BayesianMeasurementTests.meanAndLeverage(state, x)
      return (0..<m).map { i in
        let (u, v) = (uniform[base + 1 + 2 * i], uniform[base + 2 + 2 * i])
        let z = (-2 * log(max(u, 1e-300))).squareRoot() * cos(2 * Double.pi * v)
        return round(mean + spread(mean) * z)
      }
    }
  }

  /// `groups` scattered by the line's own s.
  static func scatteredGroups(
    _ count: Int, of m: Int, state: InstrumentState, range: ClosedRange<Double> = 0...10
  ) throws -> [[Double]] {
    let s = (try #require(state.posterior.s2)).squareRoot()
    return groups(count, of: m, state: state, range: range, spread: { _ in s })
  }

  /// Replicates with scatter, σ estimated: their posterior depends on ȳ and on the scatter
  /// S through νs² + S, and a map of both answers them (`Measurer.scatterCoordinate`).
  @Test("replicates with scatter: the map of ȳ and the scatter agrees with the exact path")
  func scatteredReplicates() throws {
    let state = try Self.line.get()
    let (mapped, exact) = try Self.measurers(state, MeasurementSettings())
    for m in [3, 2] {
      var answered = 0
      var inside = 0
      for readings in try Self.scatteredGroups(m == 3 ? 90 : 30, of: m, state: state) {
        let observation = Observation(id: "g", readings: readings, line: 2)
        let fromMap = try Self.compare(observation, mapped: mapped, exact: exact)
        let mean = readings.reduce(0, +) / Double(m)
        if (0.05...0.95).contains(mean) {
          inside += 1
          answered += fromMap ? 1 : 0
        }
      }
      // Every group well inside the domain, its scatter drawn with the line's own s, is
      // answered by the map.
      #expect(answered == inside, "groups of \(m)")
      #expect(inside >= m * 8)
    }
    // A scatter far beyond the line's s (S/(νs²) about 140, past the map's span): the exact
    // path.
    #expect(
      !(try Self.compare(
        Observation(id: "wide", readings: [0.5, 0.6, 0.4], line: 2), mapped: mapped,
        exact: exact)))
    // With the map of the scatter turned off, the exact path.
    var settings = MeasurementSettings(measurementMap: .all)
    settings.scatterMap = false
    let withoutScatter = try Measurer(instrument: state, settings: settings)
    let group = try Self.scatteredGroups(1, of: 3, state: state, range: 4...5)[0]
    #expect(
      try withoutScatter.measure(Observation(id: "g", readings: group, line: 2)).x.numerical?
        .mapError == nil)
    #expect(
      try mapped.measure(Observation(id: "g", readings: group, line: 2)).x.numerical?.mapError
        != nil)
  }

  /// For a constant σ estimated, the span of v runs from 0 (no scatter) to the upper 10⁻⁴
  /// quantile of the F(m − 1, ν) law of S/((m − 1)s²): for m = 3, P(F > f) = (1 + 2f/ν)^(−ν/2),
  /// so v = log(1 + S/(νs²)) ends at −(2/ν)·log 10⁻⁴, or at log 8 where that is less. A group
  /// just inside is mapped, one just beyond takes the exact path; so does a group with a tiny
  /// scatter.
  @Test("the map of the scatter spans up to the 1e-4 quantile of F(m − 1, ν), or v = log 8")
  func scatterSpanEnds() throws {
    let line = try Self.line.get()
    // A line of 4 standards: ν = 2, where −(2/ν)·log 10⁻⁴ = 9.2 passes log 8.
    let short = try textInstrument("x,y\n0,0.011\n1,0.108\n2,0.203\n3,0.297\n", spec: "line")
    for (state, center) in [(line, 0.5), (short, 0.15)] {
      let nu = Double(try #require(state.posterior.dof))
      let s2 = try #require(state.posterior.s2)
      let end = min(-(2 / nu) * log(1e-4), log(8))
      let (mapped, exact) = try Self.measurers(state, MeasurementSettings())
      for (v, inside) in [(0.98 * end, true), (1.02 * end, false), (1e-9, true)] {
        // Readings ȳ − δ, ȳ, ȳ + δ: S = 2δ².
        let scatter = nu * s2 * expm1(v)
        let delta = (scatter / 2).squareRoot()
        let observation = Observation(
          id: "e", readings: [center - delta, center, center + delta], line: 2)
        #expect(
          try Self.compare(observation, mapped: mapped, exact: exact) == inside,
          "ν = \(nu), v = \(v) in 0...\(end)")
      }
    }
  }

  @Test("replicates with scatter from the map are within 1e-6 sd of the brute force")
  func scatteredBruteForce() throws {
    let state = try Self.line.get()
    let mapped = try Measurer(
      instrument: state, settings: MeasurementSettings(measurementMap: .all))
    // Inside the domain, where two of the map's pieces (built in debug, a few seconds) serve.
    for readings in try Self.scatteredGroups(4, of: 3, state: state, range: 3...6) {
      let report = try mapped.measure(Observation(id: "b", readings: readings, line: 2))
      #expect(report.x.numerical?.mapError != nil, "\(readings)")
      // The full 3×3 multivariate t, not the engine's reduction to ȳ and S.
      try Self.expectAgrees(
        report,
        with: try BruteForcePosterior(
          range: mapped.priorRange, intervals: 200_000,
          logLikelihood: try BayesianMeasurementTests.logLikelihood(
            state, readings: readings, uncertainties: nil)))
    }
  }

  /// With a noise that varies, the scatter enters ℓ through σ(μ(x)) as well: the map's v is
  /// S over (m − 1)·c·σ(√(ȳ² + L²))². The heteroscedastic standards (conc 0.5 to 32, 21
  /// readings) with a linear σ (its kink at the lowest standard's |μ| inside the span), a
  /// proportional and a power σ, and Poisson counts (ν infinite: the χ² quantiles bound v):
  /// triplicates across the domain drawn with the fitted σ(μ), mapped and within the map's
  /// tolerance of the exact path. The span leaves out the lowest 1% of scatters (a second mode
  /// where σ is smallest) and the highest 10⁻⁴: 90% of the groups must be mapped. σ from the
  /// replicate standards alone takes the exact path.
  @Test("replicates with scatter and a noise that varies: the map agrees with the exact path")
  func scatteredVaryingNoise() throws {
    var cases: [(InstrumentState, [[Double]])] = []
    for noise in [NoiseModel.linear, .proportional, .power] {
      let state = try NoiseModelTests.instrument(noise)
      let eta = try #require(state.noise.parameters).map(\.estimate)
      let lowest = 0.9352
      func sigma(_ mean: Double) -> Double {
        switch noise {
        case .linear: return eta[0] + eta[1] * max(Swift.abs(mean), lowest)
        case .proportional: return eta[0] * Swift.abs(mean)
        default: return eta[0] * pow(Swift.abs(mean), eta[1])
        }
      }
      cases.append((state, Self.groups(40, of: 3, state: state, range: 0.5...32, spread: sigma)))
    }
    let poisson = try fixtureInstrument(
      "counts-line.csv", x: "dose", y: "counts", spec: "line", noise: .poisson)
    cases.append(
      (
        poisson,
        Self.groups(
          40, of: 3, state: poisson, range: 4...8, spread: { Swift.abs($0).squareRoot() },
          round: { max(0, $0.rounded()) })
      ))
    for (state, groups) in cases {
      let (mapped, exact) = try Self.measurers(state, MeasurementSettings())
      var answered = 0
      for readings in groups {
        answered +=
          try Self.compare(
            Observation(id: "v", readings: readings, line: 2), mapped: mapped, exact: exact)
          ? 1 : 0
      }
      #expect(answered >= 36, "\(state.noise.model): \(answered) of 40 mapped")
    }
    let replicates = try NoiseModelTests.instrument(.replicates)
    let (mapped, exact) = try Self.measurers(replicates, MeasurementSettings())
    #expect(
      !(try Self.compare(
        Observation(id: "r", readings: [12.1, 12.4, 11.9], line: 2), mapped: mapped,
        exact: exact)))
  }

  /// The saturating detector (Michaelis–Menten, 8 standards) fitted with MCMC samples, the
  /// first 320 of them kept so that the exact path stays quick.
  static func detector() throws -> InstrumentState {
    var state = try PosteriorSamplingTests().detector(.mcmc)
    state.posterior.samples = state.posterior.samples.map { Array($0.prefix(320)) }
    state.posterior.sigmaSamples = state.posterior.sigmaSamples.map { Array($0.prefix(320)) }
    return state
  }

  /// Averaged over posterior samples and by quadrature over the parameters, a map answers
  /// single readings and replicates that agree; its Monte Carlo error is the largest of its
  /// piece's exact points. The readings lie in one of the map's top pieces (counts 300–320 of
  /// a span about 0–720), so that few pieces are built.
  @Test(
    "averaged over samples and by quadrature: mapped and exact agree; scatter and u do not map",
    arguments: [MeasurementSettings.Marginalization.samples, .integration])
  func costly(_ marginalization: MeasurementSettings.Marginalization) throws {
    // With a threshold at the posterior median of a reading among them, so that the map
    // carries P(x ≤ threshold) too, before the densities at the range's ends.
    let probe = try Measurer(
      instrument: try Self.detector(), settings: MeasurementSettings(marginalization: .samples)
    ).measure(Observation(id: "probe", readings: [310], line: 2))
    let (mapped, exact) = try Self.measurers(
      try Self.detector(),
      MeasurementSettings(marginalization: marginalization, threshold: probe.x.median))
    var answered = 0
    for y in Self.readings(8, from: 300, to: 320) {
      let single = Observation(id: "one", readings: [y], line: 2)
      answered += try Self.compare(single, mapped: mapped, exact: exact, costly: true) ? 1 : 0
      let a = try mapped.measure(single), b = try exact.measure(single)
      #expect(a.x.predictive == b.x.predictive)
      if marginalization == .samples {
        let envelope = try #require(a.x.numerical?.monteCarloRelative)
        let here = try #require(b.x.numerical?.monteCarloRelative)
        #expect(envelope >= here * (1 - 1e-3) && envelope <= here * 1.1, "\(envelope) vs \(here)")
      } else {
        #expect(a.x.numerical?.monteCarloRelative == nil)
      }
      // Replicates that agree, whatever their number: their mean is the reading exactly (a sum
      // over three divided by three can miss it by an ulp).
      for count in [2, 3] {
        answered +=
          try Self.compare(
            Observation(id: "same", readings: Array(repeating: y, count: count), line: 2),
            mapped: mapped, exact: exact, costly: true) ? 1 : 0
      }
      #expect(
        !(try Self.compare(
          Observation(id: "scatter", readings: [y, y + 4], line: 2), mapped: mapped, exact: exact,
          costly: true)))
      #expect(
        !(try Self.compare(
          Observation(id: "u", readings: [y], uncertainties: [5], line: 2), mapped: mapped,
          exact: exact, costly: true)))
    }
    #expect(answered == 24)
  }

  /// Averaged over samples, on a prior range that cuts the posteriors' tails: the densities at
  /// its ends, which the map carries for a costly ℓ (the lower end's before the upper's), well
  /// above 0 for the readings nearest either end, agree with the exact path's to 1e-9, and so
  /// do the reasons that name the end.
  @Test("averaged over samples, a narrow prior range: the densities at its ends from the map")
  func costlyBoundDensities() throws {
    let state = try Self.detector()
    let wide = try Measurer(
      instrument: state, settings: MeasurementSettings(marginalization: .samples))
    let low = try wide.measure(Observation(id: "low", readings: [300], line: 2)).x
    let high = try wide.measure(Observation(id: "high", readings: [320], line: 2)).x
    let (lowX, highX) = (try #require(low.median), try #require(high.median))
    let (lowSD, highSD) = (try #require(low.sd), try #require(high.sd))
    let range = ClosedRangeRecord(lower: lowX - 2.5 * lowSD, upper: highX + 2.5 * highSD)
    let (mapped, exact) = try Self.measurers(
      state, MeasurementSettings(range: range, marginalization: .samples))
    var answered = 0
    var lowerSeen = false
    var upperSeen = false
    for y in Self.readings(12, from: 300, to: 320) + [300, 320] {
      let observation = Observation(id: "one", readings: [y], line: 2)
      guard try Self.compare(observation, mapped: mapped, exact: exact, costly: true) else {
        continue
      }
      answered += 1
      let a = try mapped.measure(observation), b = try exact.measure(observation)
      #expect(a.coverage.reasons == b.coverage.reasons, "ȳ = \(y)")
      if b.coverage.priorBoundDensity > 1e-3 {
        lowerSeen = lowerSeen || y < 305
        upperSeen = upperSeen || y > 315
      }
    }
    #expect(answered >= 10)
    #expect(lowerSeen && upperSeen)
  }

  /// Student-t noise whose scale grows with the signal, fitted by likelihood with MCMC (the
  /// noise sampled with the line, the first 256 samples kept): its likelihood takes each
  /// reading, and replicates that agree are mapped all the same.
  @Test("averaged over samples with Student-t noise: one reading and replicates that agree")
  func costlyStudent() throws {
    var state = try NoiseSamplingTests.fit(
      "plate-reader-outliers.csv", noise: .proportional, distribution: .student)
    state.posterior.samples = state.posterior.samples.map { Array($0.prefix(256)) }
    state.posterior.noiseSamples = state.posterior.noiseSamples.map { Array($0.prefix(256)) }
    let (mapped, exact) = try Self.measurers(
      state, MeasurementSettings(marginalization: .samples))
    var answered = 0
    for y in Self.readings(4, from: 6.0, to: 6.3) {
      for count in 1...3 {
        answered +=
          try Self.compare(
            Observation(id: "t", readings: Array(repeating: y, count: count), line: 2),
            mapped: mapped, exact: exact, costly: true) ? 1 : 0
      }
    }
    #expect(answered == 12)

    // The exact path integrates the instrument out through its linearized response: a map per
    // number of readings answers one reading and replicates that agree; a group with scatter
    // (Student-t noise takes each reading) takes the exact path.
    let (linearized, linearizedExact) = try Self.measurers(
      state, MeasurementSettings(marginalization: .linearized))
    for y in Self.readings(6, from: 4.0, to: 8.0) {
      for count in [1, 2, 3] {
        #expect(
          try Self.compare(
            Observation(id: "t", readings: Array(repeating: y, count: count), line: 2),
            mapped: linearized, exact: linearizedExact))
      }
      #expect(
        !(try Self.compare(
          Observation(id: "t", readings: [y, y + 0.2, y - 0.1], line: 2), mapped: linearized,
          exact: linearizedExact)))
    }
  }

  /// Expects the report's mean, sd, median and 95% interval within 1e-6 sd of `brute`'s.
  static func expectAgrees(_ report: ObservationReport, with brute: BruteForcePosterior) {
    let sd = brute.sd
    #expect(Swift.abs((report.x.mean ?? .nan) - brute.mean) <= 1e-6 * sd)
    #expect(Swift.abs((report.x.sd ?? .nan) - sd) <= 1e-6 * sd)
    #expect(Swift.abs((report.x.median ?? .nan) - brute.quantile(0.5)) <= 1e-6 * sd)
    #expect(Swift.abs((report.x.interval.lower ?? .nan) - brute.quantile(0.025)) <= 1e-6 * sd)
    #expect(Swift.abs((report.x.interval.upper ?? .nan) - brute.quantile(0.975)) <= 1e-6 * sd)
  }

  @Test("mapped figures are within 1e-6 sd of an independent brute-force posterior")
  func bruteForce() throws {
    let state = try Self.line.get()
    let mapped = try Measurer(
      instrument: state, settings: MeasurementSettings(measurementMap: .all))
    for y in [0.0312, 0.2718, 0.5253, 0.8660, 0.9871] {
      let report = try mapped.measure(Observation(id: "b", readings: [y], line: 2))
      #expect(report.x.numerical?.mapError != nil)
      try Self.expectAgrees(
        report,
        with: try BruteForcePosterior(
          range: mapped.priorRange, intervals: 400_000,
          logLikelihood: try BayesianMeasurementTests.logLikelihood(
            state, readings: [y], uncertainties: nil)))
    }
  }

  @Test("a reading's mapped report is the same, bit for bit, whatever came before it")
  func orderIndependent() throws {
    let state = try Self.line.get()
    let settings = MeasurementSettings(measurementMap: .all)
    let ys = Self.readings(60, from: 0.0, to: 1.0)
    let forward = try Measurer(instrument: state, settings: settings)
    let backward = try Measurer(instrument: state, settings: settings)
    let one = try ys.map { try forward.measure(Observation(id: "r", readings: [$0], line: 2)) }
    let other = try ys.reversed().map {
      try backward.measure(Observation(id: "r", readings: [$0], line: 2))
    }
    #expect(one == Array(other.reversed()))
  }

  /// Two measurers sharing their maps' pieces, taking turns (each uses pieces the other
  /// built, of one reading and of triplicates with and without scatter), report what a
  /// measurer of its own reports.
  @Test("measurers that share their maps report what one alone reports, bit for bit")
  func sharedPieces() throws {
    let state = try Self.line.get()
    let settings = MeasurementSettings(measurementMap: .all)
    let maps = SharedMeasurementMaps()
    let sharing = try (0..<2).map { _ in
      try Measurer(instrument: state, settings: settings, sharedMaps: maps)
    }
    let alone = try Measurer(instrument: state, settings: settings)
    for (k, y) in Self.readings(80, from: -0.05, to: 1.05).enumerated() {
      let readings = [[y, y, y], [y], [y - 0.004, y + 0.001, y + 0.002]][k % 3]
      let observation = Observation(id: "r", readings: readings, line: k + 2)
      let shared = try sharing[k % 2].measure(observation)
      #expect(shared == (try alone.measure(observation)), "ȳ = \(y)")
      if k % 3 == 2, (0.1...0.9).contains(y) {
        #expect(shared.x.numerical?.mapError != nil, "scatter at ȳ = \(y)")
      }
    }
  }

  /// Settings encoded before `scatterMap` existed decode with it true; settings round-trip.
  @Test("settings without scatterMap decode with it on; settings round-trip through JSON")
  func settingsDecoding() throws {
    let settings = MeasurementSettings(
      level: 0.9, range: ClosedRangeRecord(lower: -1, upper: 12), marginalization: .samples,
      threshold: 2.5, measurementMap: .withoutUncertainties, scatterMap: false)
    let data = try JSONEncoder().encode(settings)
    #expect(try JSONDecoder().decode(MeasurementSettings.self, from: data) == settings)
    var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(object["scatterMap"] as? Bool == false)
    object["scatterMap"] = nil
    let older = try JSONDecoder().decode(
      MeasurementSettings.self, from: try JSONSerialization.data(withJSONObject: object))
    var expected = settings
    expected.scatterMap = true
    #expect(older == expected)
  }

  @Test("the scope without uncertainties maps readings without u only")
  func scopeWithoutUncertainties() throws {
    let state = try Self.line.get()
    let measurer = try Measurer(
      instrument: state, settings: MeasurementSettings(measurementMap: .withoutUncertainties))
    for y in Self.readings(10, from: 0.1, to: 0.9) {
      let plain = try measurer.measure(Observation(id: "p", readings: [y], line: 2))
      let withU = try measurer.measure(
        Observation(id: "u", readings: [y], uncertainties: [0.003], line: 2))
      #expect(plain.x.numerical?.mapError != nil)
      #expect(withU.x.numerical?.mapError == nil)
    }
  }
}
