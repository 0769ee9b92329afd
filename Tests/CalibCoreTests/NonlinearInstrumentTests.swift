import CalibCore
import Foundation
import Testing

/// Nonlinear instruments: self-starting fits against an independent solver, measurement by
/// the linearized predictive against brute force, and honest answers near asymptotes.
/// The 4pl response, and its leverage g(x)ᵀCg(x) with g by central differences in the
/// parameters (relative step 1e-6), written independently of the engine.
private func fourPL(_ x: Double, _ p: [Double]) -> Double {
  p[3] + (p[0] - p[3]) / (1 + pow(x / p[2], p[1]))
}

private func fourPLLeverage(_ x: Double, _ state: InstrumentState) -> Double {
  let a = state.posterior.location
  var g = [Double](repeating: 0, count: 4)
  for j in 0..<4 {
    var up = a, down = a
    let step = 1e-6 * max(abs(a[j]), 1e-3)
    up[j] += step; down[j] -= step
    g[j] = (fourPL(x, up) - fourPL(x, down)) / (2 * step)
  }
  var h = 0.0
  for j in 0..<4 { for k in 0..<4 { h += g[j] * state.posterior.scale[j][k] * g[k] } }
  return h
}

@Suite("Nonlinear instruments")
struct NonlinearInstrumentTests {
  func elisa() throws -> InstrumentState {
    try fixtureInstrument("elisa-4pl.csv", x: "conc_ng_mL", y: "od", spec: "4pl")
  }

  /// scipy.optimize.least_squares (method 'lm', tolerances 1e-15) on the same files gave
  /// 4pl: a 0.054077883599372385, b 1.1135281721559633, c 11.96655686202693,
  /// d 2.1935296273688816, se 0.009569456457198915, 0.02735866446984214, 0.2763243682681135,
  /// 0.01486509990847881; mm: vmax 954.4748877138455, km 45.4055625555808, se
  /// 14.447911414018861, 1.572646003147732. Agreement to 1e-7 relative (scipy's tolerance).
  @Test(
    "self-starting 4pl and mm fits agree with scipy: estimates to 1e-7, se to 1e-6 relative")
  func selfStart() throws {
    let four = try elisa()
    let reference = [
      0.054077883599372385, 1.1135281721559633, 11.96655686202693, 2.1935296273688816,
    ]
    let referenceSE = [
      0.009569456457198915, 0.02735866446984214, 0.2763243682681135, 0.01486509990847881,
    ]
    for (k, parameter) in four.parameters.enumerated() {
      #expect(abs(parameter.estimate - reference[k]) <= 1e-7 * abs(reference[k]), "\(parameter)")
      #expect(abs(parameter.stdError - referenceSE[k]) <= 1e-6 * referenceSE[k], "\(parameter)")
    }
    #expect(four.fit.solver?.startSource == "self-start")
    #expect(four.posterior.kind == .laplace && !four.model.linear)
    let mm = try fixtureInstrument("saturating-detector.csv", x: "dose", y: "counts", spec: "mm")
    #expect(abs(mm.parameters[0].estimate - 954.4748877138455) <= 1e-7 * 954.5)
    #expect(abs(mm.parameters[1].estimate - 45.4055625555808) <= 1e-7 * 45.4)
    #expect(abs(mm.parameters[0].stdError - 14.447911414018861) <= 1e-6 * 14.45)
  }

  /// log p(reading | x) of the linearized predictive of a 4pl, written out independently:
  /// μ(x) = f(x; â), g = ∂f/∂a by central differences, h = gᵀCg, a Student-t in the reading.
  static func linearizedLogLikelihood(
    _ state: InstrumentState, reading: Double
  ) throws -> (Double) -> Double {
    let a = state.posterior.location
    let s2 = try #require(state.posterior.s2)
    let nu = Double(try #require(state.posterior.dof))
    return { x in
      let h = fourPLLeverage(x, state)
      let d = reading - fourPL(x, a)
      return -0.5 * log(1 + h) - 0.5 * (nu + 1) * log(1 + d * d / (s2 * (1 + h) * nu))
    }
  }

  /// The linearized predictive written out independently (`linearizedLogLikelihood`), then
  /// Simpson as for the linear instruments. This checks the numerics of a nonlinear
  /// measurement.
  @Test("a 4pl measurement against brute force on the linearized predictive, to 1e-5 sd")
  func bruteForce() throws {
    let state = try elisa()
    let reading = 1.0
    let logLikelihood = try Self.linearizedLogLikelihood(state, reading: reading)
    let range = ClosedRangeRecord(lower: 3, upper: 12)
    let report = try Measurer(instrument: state, settings: MeasurementSettings(range: range))
      .measure(Observation(id: "e", readings: [reading], line: 2))
    let brute = try BruteForcePosterior(
      range: 3...12, intervals: 200_000, logLikelihood: logLikelihood)
    // Central differences carry ~1e-10 relative error into h: 1e-5 sd is ample and still tight.
    let tolerance = 1e-5 * brute.sd
    #expect(report.x.predictive == .linearized)
    #expect(abs(try #require(report.x.mean) - brute.mean) <= tolerance)
    #expect(abs(try #require(report.x.sd) - brute.sd) <= tolerance)
    #expect(abs(try #require(report.x.median) - brute.quantile(0.5)) <= tolerance)
    #expect(abs(try #require(report.x.interval.lower) - brute.quantile(0.025)) <= tolerance)
    #expect(abs(try #require(report.x.interval.upper) - brute.quantile(0.975)) <= tolerance)
  }

  /// A reading low on the curve, measured on the default range [0, 600]: its posterior (sd
  /// about 0.15) is far narrower than the 129-point scan's step (4.7), and lies between its
  /// first two points. Reference: the brute-force linearized predictive on that range
  /// (Simpson, 2·10⁶ intervals), tolerance 1e-5 sd as above; the one mode is the brute
  /// force's highest point, to a grid step.
  @Test(
    "a posterior narrower than the scan's grid: 1e-5 sd of brute force, mode to 2 steps, not cut")
  func narrowPeak() throws {
    let state = try elisa()
    let reading = 0.192
    let logLikelihood = try Self.linearizedLogLikelihood(state, reading: reading)
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    let report = try measurer.measure(Observation(id: "S1", readings: [reading], line: 2))
    let brute = try BruteForcePosterior(
      range: measurer.priorRange, intervals: 2_000_000, logLikelihood: logLikelihood)
    let tolerance = 1e-5 * brute.sd
    #expect(abs(try #require(report.x.mean) - brute.mean) <= tolerance)
    #expect(abs(try #require(report.x.sd) - brute.sd) <= tolerance)
    #expect(abs(try #require(report.x.median) - brute.quantile(0.5)) <= tolerance)
    let modes = try #require(report.x.modes)
    try #require(modes.count == 1)
    let peak = try #require(brute.xs.indices.max { brute.density[$0] < brute.density[$1] })
    #expect(abs(modes[0] - brute.xs[peak]) <= 2 * brute.step, "\(modes) vs \(brute.xs[peak])")
    #expect(report.coverage.priorBoundDensity < 1e-3)
    #expect(report.coverage.status == .covered)
  }

  @Test("readings beyond either asymptote of a 4pl are out of range; inside, covered")
  func asymptotes() throws {
    let measurer = try Measurer(instrument: try elisa(), settings: MeasurementSettings())
    // The default range stops at x = 0, where the 4pl is defined to begin.
    #expect(measurer.priorRange.lowerBound == 0)
    func status(_ y: Double) throws -> CoverageStatus {
      try measurer.measure(Observation(id: "s", readings: [y], line: 2)).coverage.status
    }
    #expect(try status(0.6) == .covered)
    #expect(try status(2.45) == .outOfRange)  // above d ≈ 2.19
    // Below a ≈ 0.054 the posterior piles at x = 0, where the 4pl begins: no x lies beyond,
    // so the range does not cut it; 0.01 (2.5 s below a) is consistent with a blank, while
    // −0.3 (20 s below) is inconsistent: no x explains it.
    #expect(try status(0.01) != .outOfRange)
    #expect(try status(-0.3) == .inconsistent)
    let blank = try measurer.measure(Observation(id: "b", readings: [0.054], line: 2))
    #expect(blank.coverage.status != .outOfRange)
    // The density at the bound where the posterior piles is its peak's, 1 at most (the point
    // 10⁻⁹ of the range inside can lie a few 10⁻⁸ above the peak Brent's method placed).
    for y in [0.01, 0.03, 0.05, 0.052, 0.054] {
      let report = try measurer.measure(Observation(id: "b", readings: [y], line: 2))
      #expect(report.coverage.priorBoundDensity <= 1, "ȳ = \(y)")
      #expect(report.coverage.priorBoundDensity > 0.5, "ȳ = \(y)")
    }
    #expect(blank.coverage.reasons.contains { $0.contains("where the model begins") })
  }

  @Test("a saturating detector: a reading above vmax is out of range, never a confident interval")
  func saturation() throws {
    let state = try fixtureInstrument("saturating-detector.csv", x: "dose", y: "counts", spec: "mm")
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    let inside = try measurer.measure(Observation(id: "in", readings: [375], line: 2))
    #expect(inside.coverage.status == .covered)
    let above = try measurer.measure(Observation(id: "above", readings: [990], line: 3))
    #expect(above.coverage.status == .outOfRange)
    #expect(above.coverage.priorBoundDensity > 0.1)
  }

  @Test("a nonlinear formula needs --start; with it, it fits Misra1a's certified b1 to 1e-6")
  func formula() throws {
    let data = try ReferenceData.calibration("strd/Misra1a.csv", x: ["x"], y: "y")
    let model = try ResponseModel(spec: "b1*(1-exp(-b2*x))", predictors: ["x"])
    #expect(throws: FitError.self) { try model.fit(to: data, provenance: testProvenance) }
    let fit = try model.fit(to: data, start: ["b1": 500, "b2": 1e-4], provenance: testProvenance)
    #expect(fit.fit.solver?.startSource == "given")
    #expect(abs(fit.parameters[0].estimate - 238.94212918) < 1e-6)
  }

  /// Wald for a 4pl by the delta method written out: x̂ solves f(x) = y, se =
  /// s·√(1 + g(x̂)ᵀCg(x̂))/|f′(x̂)| with g and f′ by central differences, t on n − p dof.
  @Test("classical Wald and inversion for a 4pl against the delta method, to 1e-6 relative")
  func classical() throws {
    let state = try elisa()
    let a = state.posterior.location
    let f = fourPL
    let reading = 1.0
    // x̂ by bisection on the increasing curve.
    var lo = 0.1, hi = 300.0
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi); if f(mid, a) < reading { lo = mid } else { hi = mid }
    }
    let x0 = 0.5 * (lo + hi)
    let h = fourPLLeverage(x0, state)
    let slope = (f(x0 * (1 + 1e-7), a) - f(x0 * (1 - 1e-7), a)) / (2e-7 * x0)
    let s2 = try #require(state.posterior.s2)
    let se = (s2 * (1 + h)).squareRoot() / abs(slope)
    let wald = try Measurer(instrument: state, settings: MeasurementSettings(method: .wald))
      .measure(Observation(id: "w", readings: [reading], line: 2))
    #expect(abs(wald.x.estimate - x0) < 1e-9 * x0)
    let waldSD = try #require(wald.x.sd)
    #expect(abs(waldSD - se) < 1e-6 * se, "\(waldSD) vs \(se)")
    #expect(wald.x.dof == 12)
    // Inversion: at its ends the reading sits on the prediction band, |y − f| = t·s·√(1 + h).
    let inversion = try Measurer(
      instrument: state, settings: MeasurementSettings(method: .inversion)
    )
    .measure(Observation(id: "i", readings: [reading], line: 2))
    let t = try #require(inversion.x.quantile)
    let ends = [try #require(inversion.x.interval.lower), try #require(inversion.x.interval.upper)]
    for end in ends {
      let hEnd = fourPLLeverage(end, state)
      let band = t * (s2 * (1 + hEnd)).squareRoot()
      #expect(abs(abs(reading - f(end, a)) - band) < 1e-6 * band)
    }
  }

  /// Readings beyond the asymptotes have no solution: neither method has an interval (inversion
  /// an empty set; Wald nothing to linearize about), the reasons say so, and neither traps.
  /// Above d the prior range cuts the posterior (out_of_range); below a it reaches x = 0,
  /// where the 4pl begins, and is not cut.
  @Test("classical intervals for readings no x explains")
  func classicalBeyondAsymptotes() throws {
    let state = try elisa()
    for method in [MeasurementSettings.Method.wald, .inversion] {
      let measurer = try Measurer(instrument: state, settings: MeasurementSettings(method: method))
      for y in [2.45, 0.01] {
        let report = try measurer.measure(Observation(id: "beyond", readings: [y], line: 2))
        #expect(report.x.solutions == [])
        #expect((report.coverage.status == .outOfRange) == (y > 2))
        #expect(report.x.interval.pieces == [] && !report.x.interval.bounded)
        #expect(report.coverage.reasons.contains { $0.contains("gives the mean reading") })
      }
    }
  }
}
