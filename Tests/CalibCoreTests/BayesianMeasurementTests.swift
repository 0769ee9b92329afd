import CalibCore
import Foundation
import Testing

/// The Bayesian measurement against an independent brute-force integration: every summary
/// within 1e-6 of the posterior sd (the requirement). The brute force writes the
/// predictive density of the readings as a full multivariate density (no Sherman–Morrison,
/// no quadrature rule of the engine's) and integrates it by Simpson on a uniform grid of
/// 10⁵–6·10⁵ intervals (steps below 10⁻³ posterior sd).
@Suite("Bayesian measurement against brute force")
struct BayesianMeasurementTests {
  /// μ(x) and h(x) of a polynomial instrument, from the instrument file's numbers.
  static func meanAndLeverage(_ state: InstrumentState, _ x: Double) -> (Double, Double) {
    let p = state.parameters.count
    let phi = (0..<p).map { pow(x, Double($0)) }
    let mean = zip(phi, state.posterior.location).map(*).reduce(0, +)
    var h = 0.0
    for j in 0..<p { for k in 0..<p { h += phi[j] * state.posterior.scale[j][k] * phi[k] } }
    return (mean, h)
  }

  /// log p(y | x): multivariate t (σ estimated) or normal (u known), written out in full.
  static func logLikelihood(
    _ state: InstrumentState, readings y: [Double], uncertainties u: [Double]?
  ) throws -> (Double) -> Double {
    // One location per parameter: `meanAndLeverage` zips them.
    try #require(state.posterior.location.count == state.parameters.count)
    let m = y.count
    if let u {
      return { x in
        let (mean, h) = meanAndLeverage(state, x)
        let covariance = (0..<m).map { i in (0..<m).map { j in h + (i == j ? u[i] * u[i] : 0) } }
        return logNormalDensity(y, mean: mean, covariance: covariance)
      }
    }
    let s2 = try #require(state.posterior.s2)
    let nu = Double(try #require(state.posterior.dof))
    return { x in
      let (mean, h) = meanAndLeverage(state, x)
      let scale = (0..<m).map { i in (0..<m).map { j in s2 * (h + (i == j ? 1 : 0)) } }
      return logStudentDensity(y, mean: mean, scale: scale, dof: nu)
    }
  }

  /// σ estimated for the instrument, u given for the reading: the σ² integral done by the
  /// trapezoid rule on a log grid of the scaled inverse-χ² density.
  static func mixtureLogLikelihood(
    _ state: InstrumentState, reading y: Double, uncertainty u: Double
  ) throws -> (Double) -> Double {
    // One location per parameter: `meanAndLeverage` zips them.
    try #require(state.posterior.location.count == state.parameters.count)
    let s2 = try #require(state.posterior.s2)
    let nu = Double(try #require(state.posterior.dof))
    let grid = (0...300).map { s2 * exp(-8 + 16 * Double($0) / 300) }
    // dσ² = σ² d log σ²
    let weights = grid.map { v in exp(-(nu / 2 + 1) * log(v / s2) - nu * s2 / (2 * v)) * v }
    return { x in
      let (mean, h) = meanAndLeverage(state, x)
      var sum = 0.0
      for (k, v) in grid.enumerated() {
        let variance = u * u + v * h
        sum += weights[k] * exp(-0.5 * (y - mean) * (y - mean) / variance) / variance.squareRoot()
      }
      return log(sum)
    }
  }

  /// Brute-force HPD: bisection on the density level, crossings by linear interpolation.
  static func highestDensityRegion(
    _ brute: BruteForcePosterior, level: Double
  ) throws -> [ClosedRange<Double>] {
    let last = try #require(brute.xs.last)
    func region(_ c: Double) throws -> (mass: Double, pieces: [ClosedRange<Double>]) {
      var pieces: [ClosedRange<Double>] = []
      var start: Double? = brute.density[0] > c ? brute.xs[0] : nil
      for k in 0..<(brute.xs.count - 1) {
        let (a, b) = (brute.density[k] > c, brute.density[k + 1] > c)
        guard a != b else { continue }
        let t = (c - brute.density[k]) / (brute.density[k + 1] - brute.density[k])
        let crossing = brute.xs[k] + t * brute.step
        if a {
          pieces.append(try #require(start)...crossing)
          start = nil
        } else {
          start = crossing
        }
      }
      if let start { pieces.append(start...last) }
      return (pieces.reduce(0) { $0 + brute.mass(from: $1.lowerBound, to: $1.upperBound) }, pieces)
    }
    var low = 0.0, high = 1.0
    for _ in 0..<60 {
      let c = 0.5 * (low + high)
      if try region(c).mass > level { low = c } else { high = c }
    }
    return try region(0.5 * (low + high)).pieces
  }

  /// Measures and compares every summary with the brute force, P(x > 0) included.
  ///
  /// A quantile in a region of negligible density (between two separated modes) is
  /// ill-conditioned in x: there it is held to its probability instead, |F(x) − q| ≤ 1e-9.
  func check(
    _ state: InstrumentState, _ observation: Observation, range: ClosedRangeRecord?,
    intervals: Int = 600_000,
    logLikelihood: (Double) -> Double, modes: Int
  ) throws {
    let measurer = try Measurer(
      instrument: state, settings: MeasurementSettings(level: 0.95, range: range))
    let report = try measurer.measure(observation)
    let brute = try BruteForcePosterior(
      range: measurer.priorRange, intervals: intervals, logLikelihood: logLikelihood)
    let sd = brute.sd
    let tolerance = 1e-6 * sd
    let x = report.x
    let (mean, xSD) = (try #require(x.mean), try #require(x.sd))
    let quantiles = [
      (try #require(x.median), 0.5), (try #require(x.interval.lower), 0.025),
      (try #require(x.interval.upper), 0.975),
    ]
    #expect(abs(mean - brute.mean) <= tolerance, "mean \(mean) vs \(brute.mean)")
    #expect(abs(xSD - sd) <= tolerance, "sd \(xSD) vs \(sd)")
    for (value, q) in quantiles {
      let reference = brute.quantile(q)
      #expect(
        abs(value - reference) <= tolerance || abs(brute.cdf(value) - q) <= 1e-9,
        "quantile \(q): \(value) vs \(reference)")
    }
    // P(x > 0), where 0 lies inside the prior range (the default threshold).
    if measurer.priorRange.lowerBound < 0 && 0 < measurer.priorRange.upperBound {
      let above = try #require(x.pAbove)
      #expect(above.threshold == 0)
      #expect(
        abs(above.probability - (1 - brute.cdf(0))) <= 1e-8,
        "P(x > 0) \(above.probability) vs \(1 - brute.cdf(0))")
    } else {
      #expect(x.pAbove == nil)
    }
    let hpd = try Self.highestDensityRegion(brute, level: 0.95)
    let pieces = try #require(x.hpd)
    // Counted first: the zips below stop at the shorter list.
    #expect(pieces.count == hpd.count, "HPD pieces \(pieces) vs \(hpd)")
    for (piece, reference) in zip(pieces, hpd) {
      let (lower, upper) = (try #require(piece.lower), try #require(piece.upper))
      #expect(
        abs(lower - reference.lowerBound) <= tolerance,
        "HPD lower \(lower) vs \(reference.lowerBound)")
      #expect(
        abs(upper - reference.upperBound) <= tolerance,
        "HPD upper \(upper) vs \(reference.upperBound)")
    }
    let xModes = try #require(x.modes)
    #expect(xModes.count == modes, "modes \(xModes)")
    // Each mode: the brute density is no higher a grid step either side.
    for mode in xModes {
      let here = brute.relativeDensity(mode)
      #expect(
        here >= brute.relativeDensity(mode - 1e-3 * sd)
          && here >= brute.relativeDensity(mode + 1e-3 * sd))
    }
    #expect(
      abs(
        report.coverage.pOutsideDomain
          - (brute.cdf(state.domain.xRange[0].lower) + 1 - brute.cdf(state.domain.xRange[0].upper)))
        <= 1e-7)
    #expect(try #require(x.numerical).integrationRelative < 1e-9)
    var deviations = [abs(mean - brute.mean), abs(xSD - sd)]
    for (piece, reference) in zip(pieces, hpd) {
      deviations += [
        abs(try #require(piece.lower) - reference.lowerBound),
        abs(try #require(piece.upper) - reference.upperBound),
      ]
    }
    for (value, q) in quantiles where brute.relativeDensity(value) > 1e-3 {
      deviations.append(abs(value - brute.quantile(q)))
    }
    let largest = try #require(deviations.max())
    print(
      String(
        format: "brute force %@: largest deviation %.2e posterior sd", observation.id,
        largest / sd))
  }

  @Test("one reading, σ estimated (Student-t predictive), default range: brute force to 1e-6 sd")
  func singleReading() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let observation = Observation(id: "a", readings: [0.5], line: 2)
    try check(
      state, observation, range: nil,
      logLikelihood: Self.logLikelihood(state, readings: [0.5], uncertainties: nil), modes: 1)
  }

  @Test("replicate readings sharing σ with the calibration: brute force to 1e-6 sd")
  func replicates() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let readings = [0.5253, 0.5316, 0.5259]
    try check(
      state, Observation(id: "mid", readings: readings, line: 2),
      range: ClosedRangeRecord(lower: 3, upper: 8),
      logLikelihood: Self.logLikelihood(state, readings: readings, uncertainties: nil), modes: 1)
  }

  @Test("known uncertainties (ISO/TS 28037 §6 instrument, y = 10.5 ± 0.5): brute force to 1e-6 sd")
  func knownUncertainty() throws {
    let state = try textInstrument(
      "x,y,u\n1,3.3,0.5\n2,5.6,0.5\n3,7.1,0.5\n4,9.3,0.5\n5,10.7,0.5\n6,12.1,0.5\n", spec: "line",
      sy: "u")
    let observation = Observation(id: "iso", readings: [10.5], uncertainties: [0.5], line: 2)
    try check(
      state, observation, range: nil,
      logLikelihood: Self.logLikelihood(state, readings: [10.5], uncertainties: [0.5]), modes: 1)
  }

  @Test(
    "two modes: a quadratic read on both sides of its vertex, brute force to 1e-6 sd",
    arguments: [9.933, 10.95])
  func twoModes(_ reading: Double) throws {
    let state = try fixtureInstrument(
      "quadratic-vertex.csv", x: "x", y: "reading", spec: "poly:2", sy: "u_reading")
    let observation = Observation(id: "q", readings: [reading], uncertainties: [0.05], line: 2)
    try check(
      state, observation, range: nil,
      logLikelihood: Self.logLikelihood(state, readings: [reading], uncertainties: [0.05]), modes: 2
    )
  }

  /// Reference: the brute-force posterior's mass on each side of its lowest density between
  /// the two HPD pieces (Simpson on 600 000 intervals); tolerance 1e-7 in probability, the
  /// brute force's own interpolation error between its nodes being far below it.
  @Test(
    "an ambiguous reading: each mode with its HPD piece and its brute-force probability, to 1e-7",
    arguments: [9.933, 9.5])
  func ambiguous(_ reading: Double) throws {
    let state = try fixtureInstrument(
      "quadratic-vertex.csv", x: "x", y: "reading", spec: "poly:2", sy: "u_reading")
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings(level: 0.95))
    let report = try measurer.measure(
      Observation(id: "q", readings: [reading], uncertainties: [0.05], line: 2))
    let components = try #require(report.x.components)
    let hpd = try #require(report.x.hpd)
    try #require(components.count == 2 && hpd.count == 2)
    let brute = try BruteForcePosterior(
      range: measurer.priorRange, intervals: 600_000,
      logLikelihood: Self.logLikelihood(state, readings: [reading], uncertainties: [0.05]))
    let (a, b) = (try #require(hpd[0].upper), try #require(hpd[1].lower))
    let grid = (0...10_000).map { a + (b - a) * Double($0) / 10_000 }
    let split = try #require(grid.min { brute.relativeDensity($0) < brute.relativeDensity($1) })
    let left = brute.cdf(split)
    #expect(abs(components[0].probability - left) < 1e-7, "\(components[0].probability) vs \(left)")
    #expect(abs(components[1].probability - (1 - left)) < 1e-7)
    #expect(abs(components[0].probability + components[1].probability - 1) < 1e-9)
    #expect(components.map(\.hpd) == hpd)
    #expect(components.map(\.mode) == report.x.modes)
    // The median stays where the contract puts it, and the reasons say why it misleads.
    #expect(report.x.estimate == report.x.median)
    #expect(report.coverage.reasons.contains { $0.hasPrefix("ambiguous: 2 separate values of x") })
    // One mode: no components.
    let single = try measurer.measure(
      Observation(id: "v", readings: [8.0], uncertainties: [0.05], line: 2))
    #expect(single.x.hpd?.count == 1 ? single.x.components == nil : true)
  }

  @Test(
    "σ estimated for the instrument, u given for the reading (mixture over σ²), to 1e-6 sd")
  func mixture() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let observation = Observation(id: "u", readings: [0.5], uncertainties: [0.004], line: 2)
    try check(
      state, observation, range: ClosedRangeRecord(lower: 4, upper: 6.5), intervals: 100_000,
      logLikelihood: Self.mixtureLogLikelihood(state, reading: 0.5, uncertainty: 0.004), modes: 1)
  }

  @Test("the same observation gives the same report, bit for bit")
  func deterministic() throws {
    let state = try fixtureInstrument(
      "quadratic-vertex.csv", x: "x", y: "reading", spec: "poly:2", sy: "u_reading")
    let observation = Observation(id: "q", readings: [9.9], uncertainties: [0.05], line: 2)
    let first = try Measurer(instrument: state, settings: MeasurementSettings()).measure(
      observation)
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    _ = try measurer.measure(
      Observation(id: "other", readings: [7.0], uncertainties: [0.05], line: 3))
    #expect(try measurer.measure(observation) == first)
  }
}
