import CalibCore
import Foundation
import Testing

/// The classical intervals against published examples and the closed forms of
/// Greenwell & Schubert Kabban (R Journal 6(1), 2014, eqs. for the inversion and Wald intervals).
@Suite("Classical calibration intervals")
struct ClassicalCalibrationTests {
  /// Graybill & Iyer (1994, p. 431) thermostat: readings of a thermostat against true temperature.
  static let thermostat =
    "x,y\n96,95.71\n98,98.16\n100,99.52\n102,102.09\n104,103.79\n106,106.18\n108,108.14\n110,110.21\n"

  func measure(
    _ state: InstrumentState, _ readings: [Double], method: MeasurementSettings.Method,
    level: Double = 0.95, uncertainties: [Double]? = nil
  ) throws -> ObservationReport {
    try Measurer(instrument: state, settings: MeasurementSettings(level: level, method: method))
      .measure(Observation(id: "o", readings: readings, uncertainties: uncertainties, line: 2))
  }

  @Test("Graybill & Iyer thermostat: the printed digits")
  func thermostat() throws {
    let state = try textInstrument(Self.thermostat, spec: "line")
    let first = try measure(state, [104], method: .inversion)
    #expect(rounded(first.x.estimate, places: 3) == 103.995)
    #expect(rounded(try #require(first.x.interval.lower), places: 1) == 103.4)
    #expect(rounded(try #require(first.x.interval.upper), places: 1) == 104.6)
    #expect(first.x.interval.bounded && first.x.dof == 6)
    let second = try measure(state, [100], method: .inversion, level: 0.9)
    #expect(rounded(second.x.estimate, places: 1) == 100.1)
    #expect(rounded(try #require(second.x.interval.lower), places: 2) == 99.63)
    #expect(rounded(try #require(second.x.interval.upper), places: 2) == 100.59)
  }

  @Test(
    "ISO/TS 28037 §6.3 inverse use: y = 10.5 ± 0.5 gives x = 4.913, u(x) = 0.322 as printed")
  func isoInverse() throws {
    let state = try textInstrument(
      "x,y,u\n1,3.3,0.5\n2,5.6,0.5\n3,7.1,0.5\n4,9.3,0.5\n5,10.7,0.5\n6,12.1,0.5\n", spec: "line",
      sy: "u")
    let report = try measure(state, [10.5], method: .wald, uncertainties: [0.5])
    #expect(rounded(report.x.estimate, places: 3) == 4.913)
    #expect(rounded(try #require(report.x.sd), places: 3) == 0.322)
    #expect(report.x.dof == nil)  // known u: a normal quantile
    #expect(abs(try #require(report.x.quantile) - 1.959963984540054) < 1e-12)
    // Without --sy the readings take the standards' common u = 0.5.
    #expect(try measure(state, [10.5], method: .wald).x.sd == report.x.sd)
  }

  /// The paper's closed forms with Graybill's pooled variance for m replicates.
  @Test("replicates: inversion and Wald against the closed forms with pooled variance, to 1e-10")
  func replicates() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let readings = [0.5253, 0.5316, 0.5259]
    let x = state.domain.x[0]
    let n = Double(x.count), m = Double(readings.count)
    let xbar = x.reduce(0, +) / n
    let sxx = x.map { ($0 - xbar) * ($0 - xbar) }.reduce(0, +)
    let (b0, b1) = (state.parameters[0].estimate, state.parameters[1].estimate)
    let ybar = readings.reduce(0, +) / m
    let sy2 = readings.map { ($0 - ybar) * ($0 - ybar) }.reduce(0, +) / (m - 1)
    let dof = n + m - 3
    let s2 = try #require(state.posterior.s2)
    let pooled = (((n - 2) * s2 + (m - 1) * sy2) / dof).squareRoot()
    // t(0.975) on n + m − 3 = 18 dof, from scipy.stats.t.ppf.
    #expect(dof == 18)
    let quantile = try #require(try measure(state, readings, method: .inversion).x.quantile)
    #expect(abs(quantile - 2.1009220402410382) < 1e-12)
    let x0 = (ybar - b0) / b1
    let g = quantile * quantile * pooled * pooled / (b1 * b1 * sxx)
    let half =
      quantile * pooled / abs(b1)
      * ((x0 - xbar) * (x0 - xbar) / sxx + (1 - g) * (1 / m + 1 / n)).squareRoot()
    let lower = x0 + ((x0 - xbar) * g - half) / (1 - g),
      upper = x0 + ((x0 - xbar) * g + half) / (1 - g)
    let inversion = try measure(state, readings, method: .inversion)
    #expect(abs(inversion.x.estimate - x0) < 1e-12)
    let ends = (try #require(inversion.x.interval.lower), try #require(inversion.x.interval.upper))
    #expect(abs(ends.0 - lower) < 1e-10 && abs(ends.1 - upper) < 1e-10)
    #expect(inversion.x.dof == dof)
    let se = pooled / abs(b1) * (1 / m + 1 / n + (x0 - xbar) * (x0 - xbar) / sxx).squareRoot()
    let wald = try measure(state, readings, method: .wald)
    #expect(abs(try #require(wald.x.sd) - se) < 1e-12)
    #expect(abs(try #require(wald.x.interval.lower) - (x0 - quantile * se)) < 1e-10)
  }

  @Test("numeric inversion agrees with Fieller's closed form, to 1e-9")
  func numericInversion() throws {
    let closed = try textInstrument(Self.thermostat, spec: "line")
    // The same line written so that its regressor is not plainly x: solved numerically.
    let numeric = try textInstrument(Self.thermostat, spec: "b0 + b1*(2*x)/2")
    for y in [96.0, 104, 109.9] {
      let a = try measure(closed, [y], method: .inversion),
        b = try measure(numeric, [y], method: .inversion)
      let (aLower, bLower) = (try #require(a.x.interval.lower), try #require(b.x.interval.lower))
      let (aUpper, bUpper) = (try #require(a.x.interval.upper), try #require(b.x.interval.upper))
      #expect(abs(aLower - bLower) < 1e-9 && abs(aUpper - bUpper) < 1e-9)
    }
  }

  @Test("a flat line gives an unbounded inversion set, and the report says so")
  func unbounded() throws {
    // Slope not significant: the prediction band never leaves the reading.
    let state = try textInstrument("x,y\n0,5.1\n1,4.7\n2,5.3\n3,4.9\n4,5.2\n5,4.8\n", spec: "line")
    let report = try measure(state, [5.0], method: .inversion)
    #expect(!report.x.interval.bounded)
    #expect(report.x.interval.lower == nil || report.x.interval.upper == nil)
    let far = try measure(state, [7.0], method: .inversion)
    #expect(!far.x.interval.bounded)
    #expect(
      far.x.interval.pieces?.count == 2 || far.x.interval.lower == nil
        || far.x.interval.upper == nil)
  }

  /// Reference: ordinary least squares and the textbook intervals written out in the test
  /// (Graybill & Iyer ch. 6 with m = 1): x̂ = (y − b0)/b1, se = s·√(1 + 1/n + (x̂ − x̄)²/Sxx)/|b1|,
  /// Wald x̂ ± t·se. Tolerance 1e-9 relative: the closed form evaluated two ways in double.
  @Test(
    "a barely determined slope: the classical (y − b0)/b1 beyond the prior range, to 1e-9 relative")
  func notClamped() throws {
    let xs: [Double] = [0, 1, 2, 3, 4, 5]
    let ys: [Double] = [1.02, 1.18, 1.01, 1.23, 1.15, 1.31]
    let text = "x,y\n" + zip(xs, ys).map { "\($0),\($1)" }.joined(separator: "\n") + "\n"
    let state = try textInstrument(text, spec: "line")
    let n = Double(xs.count)
    let xbar = xs.reduce(0, +) / n, ybar = ys.reduce(0, +) / n
    let sxx = xs.map { ($0 - xbar) * ($0 - xbar) }.reduce(0, +)
    let b1 = zip(xs, ys).map { ($0 - xbar) * ($1 - ybar) }.reduce(0, +) / sxx
    let b0 = ybar - b1 * xbar
    let s2 = zip(xs, ys).map { ($1 - b0 - b1 * $0) * ($1 - b0 - b1 * $0) }.reduce(0, +) / (n - 2)
    let reading = 3.0
    let x0 = (reading - b0) / b1
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings(method: .wald))
    #expect(x0 > measurer.priorRange.upperBound)
    let wald = try measurer.measure(Observation(id: "o", readings: [reading], line: 2))
    #expect(abs(wald.x.estimate - x0) <= 1e-9 * x0, "\(wald.x.estimate) vs \(x0)")
    let se = (s2 * (1 + 1 / n + (x0 - xbar) * (x0 - xbar) / sxx)).squareRoot() / abs(b1)
    let t = try #require(wald.x.quantile)
    // t(0.975) on 4 dof (scipy.stats.t.ppf(0.975, 4)).
    #expect(abs(t - 2.7764451051977987) < 1e-12)
    #expect(abs(try #require(wald.x.interval.lower) - (x0 - t * se)) <= 1e-9 * x0)
    #expect(abs(try #require(wald.x.interval.upper) - (x0 + t * se)) <= 1e-9 * x0)
    // Inversion: the same estimate, inside its Fieller set.
    let inversion = try Measurer(
      instrument: state, settings: MeasurementSettings(method: .inversion)
    )
    .measure(Observation(id: "o", readings: [reading], line: 2))
    #expect(abs(inversion.x.estimate - x0) <= 1e-9 * x0)
    let pieces =
      inversion.x.interval.pieces
      ?? [RangeRecord(lower: inversion.x.interval.lower, upper: inversion.x.interval.upper)]
    #expect(pieces.contains { ($0.lower ?? -.infinity) <= x0 && x0 <= ($0.upper ?? .infinity) })
    // The same line as a formula is solved numerically, beyond the prior range too.
    let formula = try textInstrument(text, spec: "b0 + b1*(2*x)/2")
    let numeric = try Measurer(instrument: formula, settings: MeasurementSettings(method: .wald))
      .measure(Observation(id: "o", readings: [reading], line: 2))
    #expect(abs(numeric.x.estimate - x0) <= 1e-9 * x0, "\(numeric.x.estimate) vs \(x0)")
  }

  @Test("a reading no x gives: the estimate is no solution, and the reasons say so")
  func noSolution() throws {
    let state = try fixtureInstrument(
      "quadratic-vertex.csv", x: "x", y: "reading", spec: "poly:2", sy: "u_reading")
    // Far above the vertex of a downward parabola (the fixture's top is near 10.0).
    let report = try Measurer(instrument: state, settings: MeasurementSettings(method: .inversion))
      .measure(Observation(id: "o", readings: [14], uncertainties: [0.05], line: 2))
    #expect(report.x.solutions == [])
    #expect(report.coverage.reasons.contains { $0.contains("gives the mean reading 14") })
  }

  /// y = b0 + b1·x^b2 with b2 ≈ 0.5 is infinitely steep at x = 0: a reading below b0 has no
  /// solution, its closest x is 0, and there the delta method's se is 0. Reference: the
  /// closed form of the slope, b1·b2·x^(b2 − 1) → ∞ as x → 0 for b2 < 1.
  @Test("Wald where the slope is infinite: unbounded, never a zero-width interval")
  func infiniteSlope() throws {
    let text = "x,y\n0,1.01\n0.5,2.40\n1,3.02\n2,3.81\n4,5.03\n8,6.62\n16,8.97\n"
    let state = try textInstrument(text, spec: "power")
    #expect(try #require(state.parameters.last?.estimate) < 1)
    let report = try Measurer(instrument: state, settings: MeasurementSettings(method: .wald))
      .measure(Observation(id: "o", readings: [0.5], line: 2))
    #expect(report.x.solutions == [])
    #expect(!report.x.interval.bounded)
    #expect(report.x.interval.lower == nil && report.x.interval.upper == nil)
    #expect(report.x.sd == nil)
  }

  @Test(
    "a quadratic has two solutions of μ(x) = ȳ (to 1e-9); the one in the domain is the estimate")
  func twoSolutions() throws {
    let state = try fixtureInstrument(
      "quadratic-vertex.csv", x: "x", y: "reading", spec: "poly:2", sy: "u_reading")
    let report = try measure(state, [9.933], method: .inversion, uncertainties: [0.05])
    #expect(report.x.solutions?.count == 2)
    let roots = try #require(report.x.solutions)
    // Both solve μ(x) = ȳ: b0 + b1·x + b2·x² = 9.933.
    for r in roots {
      let mu =
        state.parameters[0].estimate + state.parameters[1].estimate * r + state.parameters[2]
        .estimate * r * r
      #expect(abs(mu - 9.933) < 1e-9)
    }
    #expect(report.x.interval.pieces?.count == 2)
  }

  @Test(
    "a quadratic whose far solution lies beyond its vertex: the piece around the estimate is kept"
  )
  func narrowPieceBesideAFarOne() throws {
    // Pontius (NIST StRD): the vertex near x = 1.2e8 brings a second solution near 2.3e8 into
    // the search range, 100 000 times the width of the interval around the estimate.
    let state = try fixtureInstrument(
      "pontius-load-cell.csv", x: "load", y: "deflection", spec: "poly:2")
    let b = state.posterior.location
    let s2 = try #require(state.posterior.s2)
    let c = state.posterior.scale
    for x0 in [4e5, 1.25e6, 2.75e6, 3.5e6] {
      let y = b[0] + b[1] * x0 + b[2] * x0 * x0 + 1e-4
      let report = try measure(state, [y], method: .inversion)
      let q = try #require(report.x.quantile)
      // g(x) = (y − μ(x))² − q²·s²(1 + φᵀCφ), written out from the instrument's numbers.
      func g(_ x: Double) -> Double {
        let phi = [1, x, x * x]
        var h = 0.0
        for i in 0..<3 { for j in 0..<3 { h += phi[i] * c[i][j] * phi[j] } }
        let mean = b[0] + b[1] * x + b[2] * x * x
        return (y - mean) * (y - mean) - q * q * s2 * (1 + h)
      }
      let pieces = try #require(report.x.interval.pieces)
      #expect(pieces.count == 2, "x0 = \(x0): \(pieces)")
      let estimate = report.x.estimate
      let near = try #require(pieces.first)
      let (lower, upper) = (try #require(near.lower), try #require(near.upper))
      #expect(lower < estimate && estimate < upper, "x0 = \(x0): \(near) misses \(estimate)")
      let width = upper - lower
      let scale = q * q * s2
      for end in [lower, upper] {
        #expect(Swift.abs(g(end)) <= 1e-8 * scale, "g(\(end)) = \(g(end))")
      }
      #expect(g(lower - 1e-3 * width) > 0 && g(upper + 1e-3 * width) > 0)
      // Locally the curve is nearly straight: the Wald interval agrees to 1% of the width.
      let wald = try measure(state, [y], method: .wald).x.interval
      #expect(Swift.abs(try #require(wald.lower) - lower) < 0.01 * width)
      #expect(Swift.abs(try #require(wald.upper) - upper) < 0.01 * width)
    }
  }
}
