import CalibCore
import Foundation
import Testing

/// Generalized distance regression of a straight line (`--sx` with `--sy`): ISO/TS 28037:2010
/// §7 and York et al., Am. J. Phys. 72, 367 (2004).
@Suite("Straight line with uncertain standards (ISO/TS 28037 §7)")
struct DistanceRegressionTests {
  /// A published file read with `--sx u_x` (when given) and `--sy u_y`.
  static func data(_ file: String, sx: String?) throws -> CalibrationData {
    let reader = try CSVReader(
      source: MemoryByteSource(try ReferenceData.bytes("published/\(file)")), name: file)
    return try CalibrationData(
      reading: reader, predictors: ["x"], response: "y", uncertainty: "u_y",
      predictorUncertainty: sx)
  }

  /// CSV text read with `--sx u_x --sy u_y`.
  static func data(text: String) throws -> CalibrationData {
    let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), name: "text.csv")
    return try CalibrationData(
      reading: reader, predictors: ["x"], response: "y", uncertainty: "u_y",
      predictorUncertainty: "u_x")
  }

  static func fit(_ data: CalibrationData, spec: String = "line") throws -> InstrumentState {
    try ResponseModel(spec: spec, predictors: ["x"]).fit(to: data, provenance: testProvenance)
  }

  struct Figures {
    var a, b, ua, ub, cov, chi2: Double
  }

  static func figures(_ state: InstrumentState) -> Figures {
    Figures(
      a: state.parameters[0].estimate, b: state.parameters[1].estimate,
      ua: state.parameters[0].stdError, ub: state.parameters[1].stdError,
      cov: state.covariance[0][1], chi2: state.fit.chi2 ?? .nan)
  }

  @Test("ISO/TS 28037 7.4 example: a, b, u(a), u(b), cov, χ² to the printed digits (half a unit)")
  func publishedExample() throws {
    let state = try Self.fit(try Self.data("iso28037_ex3_wtls_xy.csv", sx: "u_x"))
    let f = Self.figures(state)
    // published.json, iso_ts_28037_2010_examples, 7.4 (ISO/TS 28037:2010 p. 21): printed to
    // four decimals, so each must round to it (|error| ≤ half a unit in the last place).
    #expect(Swift.abs(f.a - 0.5788) <= 0.00005, "a = \(f.a)")
    #expect(Swift.abs(f.b - 2.1597) <= 0.00005, "b = \(f.b)")
    #expect(Swift.abs(f.ua - 0.4764) <= 0.00005, "u(a) = \(f.ua)")
    #expect(Swift.abs(f.ub - 0.1355) <= 0.00005, "u(b) = \(f.ub)")
    #expect(Swift.abs(f.cov - -0.0577) <= 0.00005, "cov(a,b) = \(f.cov)")
    #expect(Swift.abs(f.chi2 - 2.743) <= 0.0005, "χ² = \(f.chi2)")
    #expect(state.fit.dof == 4)
    // The collector's York iteration (computed_here), printed to 8 decimals: 1e-7 absolute.
    #expect(Swift.abs(f.a - 0.57882212) <= 1e-7)
    #expect(Swift.abs(f.b - 2.15965657) <= 1e-7)
    #expect(Swift.abs(f.ua - 0.47642063) <= 1e-7)
    #expect(Swift.abs(f.ub - 0.13554793) <= 1e-7)
    #expect(Swift.abs(f.cov - -0.05771694) <= 1e-7)
    #expect(Swift.abs(f.chi2 - 2.74267679) <= 1e-7)
    // What the file records: the method, the standards' u(x), the noise known, a ~ N(â, C).
    #expect(state.domain.uX == [0.2, 0.2, 0.2, 0.2, 0.2, 0.2])
    #expect(state.fit.method.hasPrefix("generalized distance regression"))
    #expect(state.noise.model == .known)
    #expect(state.posterior.kind == .normal)
    #expect(state.posterior.scale == state.covariance)
    _ = try Instrument(state)
  }

  /// The full problem of ISO/TS 28037 §7: minimize Σ[(xᵢ−ξᵢ)²/u²(xᵢ) + (yᵢ−a−bξᵢ)²/u²(yᵢ)]
  /// over a, b and every ξᵢ together, by plain Gauss–Newton on the 2n residuals in n + 2
  /// unknowns (dense normal equations, Gaussian elimination with partial pivoting), and the
  /// covariance of (a, b) as the corresponding block of (JᵀJ)⁻¹. It shares nothing with the
  /// engine's reduced two-parameter problem but the data.
  static func bruteForce(
    x: [Double], ux: [Double], y: [Double], uy: [Double]
  ) -> (
    a: Double, b: Double, covariance: [[Double]], chi2: Double
  ) {
    let n = x.count
    // An exact standard (u(x) = 0) has ξ = x and no parameter; slot[i] is ξᵢ's index in θ.
    var slot = [Int?](repeating: nil, count: n)
    var m = 2
    for i in 0..<n where ux[i] > 0 {
      slot[i] = m
      m += 1
    }
    var theta = [0.0, 1.0] + (0..<n).filter { ux[$0] > 0 }.map { x[$0] }  // a, b, free ξ
    func xi(_ t: [Double], _ i: Int) -> Double { slot[i].map { t[$0] } ?? x[i] }
    func residuals(_ t: [Double]) -> [Double] {
      (0..<n).map { ux[$0] > 0 ? (x[$0] - xi(t, $0)) / ux[$0] : 0 }
        + (0..<n).map { (y[$0] - t[0] - t[1] * xi(t, $0)) / uy[$0] }
    }
    func jacobian(_ t: [Double]) -> [[Double]] {
      var j = [[Double]](repeating: [Double](repeating: 0, count: m), count: 2 * n)
      for i in 0..<n {
        j[n + i][0] = -1 / uy[i]
        j[n + i][1] = -xi(t, i) / uy[i]
        if let k = slot[i] {
          j[i][k] = -1 / ux[i]
          j[n + i][k] = -t[1] / uy[i]
        }
      }
      return j
    }
    func solve(_ matrix: [[Double]], _ rhs: [[Double]]) -> [[Double]] {
      var a = matrix, b = rhs
      let k = a.count
      for col in 0..<k {
        let pivot = (col..<k).max { Swift.abs(a[$0][col]) < Swift.abs(a[$1][col]) } ?? col
        a.swapAt(col, pivot)
        b.swapAt(col, pivot)
        for row in (col + 1)..<k {
          let factor = a[row][col] / a[col][col]
          for c in col..<k { a[row][c] -= factor * a[col][c] }
          for c in 0..<b[row].count { b[row][c] -= factor * b[col][c] }
        }
      }
      for row in stride(from: k - 1, through: 0, by: -1) {
        for c in 0..<b[row].count {
          var sum = b[row][c]
          for j in (row + 1)..<k { sum -= a[row][j] * b[j][c] }
          b[row][c] = sum / a[row][row]
        }
      }
      return b
    }
    func normal(_ t: [Double]) -> [[Double]] {
      let j = jacobian(t)
      return (0..<m).map { p in
        (0..<m).map { q in (0..<(2 * n)).map { j[$0][p] * j[$0][q] }.reduce(0, +) }
      }
    }
    for _ in 0..<100 {
      let r = residuals(theta)
      let j = jacobian(theta)
      let g = (0..<m).map { p in [-(0..<(2 * n)).map { j[$0][p] * r[$0] }.reduce(0, +)] }
      let step = solve(normal(theta), g)
      theta = (0..<m).map { theta[$0] + step[$0][0] }
    }
    let identity = (0..<m).map { p in (0..<m).map { $0 == p ? 1.0 : 0.0 } }
    let inverse = solve(normal(theta), identity)
    let chi2 = residuals(theta).map { $0 * $0 }.reduce(0, +)
    return (
      theta[0], theta[1], [[inverse[0][0], inverse[0][1]], [inverse[1][0], inverse[1][1]]], chi2
    )
  }

  @Test("Brute force: the full problem over a, b and ξ agrees to 1e-10 relative")
  func bruteForceFullProblem() throws {
    // Two data sets: the ISO example, and one with unequal u(x), one exact standard and a
    // steep slope, where u(x) dominates some points.
    let iso = try Self.data("iso28037_ex3_wtls_xy.csv", sx: "u_x")
    let other = try Self.data(
      text: """
        x,u_x,y,u_y
        0.5,0.05,-12.1,0.3
        1.5,0.3,-5.2,0.2
        2.5,0,1.9,0.4
        3.1,0.15,5.3,0.1
        4.4,0.4,12.2,0.5
        5.0,0.1,16.9,0.3
        6.2,0.25,22.8,0.2
        """)
    for data in [iso, other] {
      let state = try Self.fit(data)
      let f = Self.figures(state)
      let x = try #require(state.domain.x.first)
      let ux = try #require(state.domain.uX)
      let uy = try #require(state.domain.uY)
      let reference = Self.bruteForce(x: x, ux: ux, y: state.domain.y, uy: uy)
      // Both solve the same minimum to rounding (about 1e-14 relative); 1e-10 leaves room for
      // the conditioning of the n + 2 normal equations the brute force inverts.
      func close(_ value: Double, _ expected: Double) -> Bool {
        Swift.abs(value - expected) <= 1e-10 * Swift.abs(expected)
      }
      #expect(close(f.a, reference.a), "a \(f.a) vs \(reference.a)")
      #expect(close(f.b, reference.b), "b \(f.b) vs \(reference.b)")
      #expect(close(f.ua, reference.covariance[0][0].squareRoot()), "u(a) \(f.ua)")
      #expect(close(f.ub, reference.covariance[1][1].squareRoot()), "u(b) \(f.ub)")
      #expect(close(f.cov, reference.covariance[0][1]), "cov \(f.cov)")
      #expect(close(f.chi2, reference.chi2), "χ² \(f.chi2) vs \(reference.chi2)")
    }
  }

  @Test("All u(x) = 0: the weighted least-squares line, closed form and ISO 6.3, to 1e-12")
  func exactStandardsReduceToWeightedLeastSquares() throws {
    // ISO/TS 28037 6.3 data (equal u(y) = 0.5) with a column u(x) = 0 added.
    let text =
      "x,u_x,y,u_y\n1,0,3.3,0.5\n2,0,5.6,0.5\n3,0,7.1,0.5\n4,0,9.3,0.5\n5,0,10.7,0.5\n"
      + "6,0,12.1,0.5\n"
    let f = Self.figures(try Self.fit(try Self.data(text: text)))
    // Closed form for equal weights w = 1/0.25: b = Sxy/Sxx, a = ȳ − b·x̄, Var b = 1/(w·Sxx),
    // Var a = 1/(n·w) + x̄²/(w·Sxx), cov = −x̄/(w·Sxx).
    let x = [1.0, 2, 3, 4, 5, 6]
    let y = [3.3, 5.6, 7.1, 9.3, 10.7, 12.1]
    let w = 4.0
    let xm = x.reduce(0, +) / 6, ym = y.reduce(0, +) / 6
    let sxx = x.map { ($0 - xm) * ($0 - xm) }.reduce(0, +)
    let sxy = zip(x, y).map { ($0 - xm) * ($1 - ym) }.reduce(0, +)
    let b = sxy / sxx, a = ym - b * xm
    let chi2 = zip(x, y).map { w * ($1 - a - b * $0) * ($1 - a - b * $0) }.reduce(0, +)
    #expect(Swift.abs(f.a - a) <= 1e-12 * Swift.abs(a))
    #expect(Swift.abs(f.b - b) <= 1e-12 * Swift.abs(b))
    #expect(Swift.abs(f.ua - (1 / (6 * w) + xm * xm / (w * sxx)).squareRoot()) <= 1e-12)
    #expect(Swift.abs(f.ub - (1 / (w * sxx)).squareRoot()) <= 1e-12)
    #expect(Swift.abs(f.cov - -xm / (w * sxx)) <= 1e-12)
    #expect(Swift.abs(f.chi2 - chi2) <= 1e-12 * chi2)
    // And the published figures of 6.3 (p. 13) to their printed digits, half a unit.
    #expect(Swift.abs(f.a - 1.867) <= 0.0005 && Swift.abs(f.b - 1.757) <= 0.0005)
    #expect(Swift.abs(f.chi2 - 1.665) <= 0.0005)
  }

  @Test("--sx without --sy is refused; a formula for the line is a straight line")
  func refusals() throws {
    let data = try Self.data("iso28037_ex3_wtls_xy.csv", sx: "u_x")
    var noSy = data
    noSy.responseUncertainties = nil
    #expect(throws: FitError.self) { try Self.fit(noSy) }
    // A formula for the same line is a straight line, parameters in its own order.
    let swapped = try Self.fit(data, spec: "s*x + c")
    #expect(swapped.parameters.map(\.name) == ["s", "c"])
    #expect(Swift.abs(swapped.parameters[0].estimate - 2.15965657) <= 1e-7)
    #expect(Swift.abs(swapped.parameters[1].estimate - 0.57882212) <= 1e-7)
  }

  @Test("Measuring with the GDR instrument: Bayesian posterior vs brute force, 1e-4 of the sd")
  func measurementCarriesTheFitCovariance() throws {
    let state = try Self.fit(try Self.data("iso28037_ex3_wtls_xy.csv", sx: "u_x"))
    let (y1, u1) = (10.5, 0.5)
    let range = 0.0...9.0
    let measurer = try Measurer(
      instrument: state,
      settings: MeasurementSettings(
        range: ClosedRangeRecord(lower: range.lowerBound, upper: range.upperBound)))
    let report = try measurer.measure(
      Observation(id: "s1", readings: [y1], uncertainties: [u1], line: 2))
    // Independent: y1 | x ~ N(a + b·x, u1² + [1 x]C[1 x]ᵀ) with (a, b) ~ N(â, C) from the fit,
    // flat prior on the range, integrated by Simpson on a fine grid.
    let (a, b, c) = (state.parameters[0].estimate, state.parameters[1].estimate, state.covariance)
    let brute = try BruteForcePosterior(range: range, intervals: 200_000) { x in
      let v = u1 * u1 + c[0][0] + 2 * x * c[0][1] + x * x * c[1][1]
      let d = y1 - a - b * x
      return -0.5 * log(v) - 0.5 * d * d / v
    }
    let mean = try #require(report.x.mean)
    let sd = try #require(report.x.sd)
    #expect(Swift.abs(mean - brute.mean) <= 1e-4 * brute.sd, "mean \(mean) vs \(brute.mean)")
    #expect(Swift.abs(sd - brute.sd) <= 1e-4 * brute.sd, "sd \(sd) vs \(brute.sd)")
    // The fit's u(x) of the standards widens the result against ignoring them (WLS on u(y)):
    // the ISO data give a larger C, so a larger sd.
    var exact = try Self.data("iso28037_ex3_wtls_xy.csv", sx: nil)
    exact.predictorUncertainties = nil
    let wls = try Measurer(
      instrument: try Self.fit(exact),
      settings: MeasurementSettings(
        range: ClosedRangeRecord(lower: range.lowerBound, upper: range.upperBound))
    ).measure(Observation(id: "s1", readings: [y1], uncertainties: [u1], line: 2))
    #expect(try #require(wls.x.sd) < sd)
  }

  @Test("ISO/TS 28037 6.3 inverse use: y1 = 10.5, u = 0.5 gives x1 = 4.913, u(x1) = 0.322")
  func inverseExample() throws {
    // The WLS instrument of 6.3 (u(y) only). ISO's u(x1) is the delta method,
    // u²(x1) = [u²(y1) + u²(a) + x1²u²(b) + 2x1·cov(a,b)]/b², which is calib's wald: its
    // sd must round to the printed 0.322 (half a unit: 0.0005), x1 to 4.913.
    let state = try Self.fit(try Self.data("iso28037_ex1_wls_equal.csv", sx: nil))
    let observation = Observation(id: "y1", readings: [10.5], uncertainties: [0.5], line: 2)
    let wald = try Measurer(instrument: state, settings: MeasurementSettings(method: .wald))
      .measure(observation)
    #expect(Swift.abs(wald.x.estimate - 4.913) <= 0.0005, "x1 = \(wald.x.estimate)")
    let waldSD = try #require(wald.x.sd)
    #expect(Swift.abs(waldSD - 0.322) <= 0.0005, "u(x1) = \(waldSD)")
    // The Bayesian posterior is not Gaussian in x (x = (y − a)/b, b uncertain), so its sd
    // exceeds the delta method's first order by terms of order (u(b)/b)² ≈ 0.5% times a
    // factor of a few: within 2% of the published figure (0.3264 computed).
    let bayes = try Measurer(instrument: state, settings: MeasurementSettings())
      .measure(observation)
    let bayesSD = try #require(bayes.x.sd)
    #expect(Swift.abs(bayesSD - 0.322) <= 0.02 * 0.322, "Bayesian sd \(bayesSD)")
    #expect(Swift.abs(bayes.x.estimate - 4.913) <= 0.01, "Bayesian median \(bayes.x.estimate)")
  }

  @Test("The file: schema-valid, read back equal, u_x checked (JSON path in the message)")
  func instrumentFile() throws {
    let state = try Self.fit(try Self.data("iso28037_ex3_wtls_xy.csv", sx: "u_x"))
    let bytes = try InstrumentFile.encode(state)
    let validator = try JSONSchemaValidator(folder: SchemaTests.folder)
    let problems = validator.validate(try JSONValue.parse(bytes), against: "instrument.schema.json")
    #expect(problems.isEmpty, "\(problems)")
    #expect(try InstrumentFile.decode(bytes, name: "gdr.json").state == state)
    // A negative u(x), a count that is not n, and u(x) with σ estimated are each refused.
    var negative = state
    negative.domain.uX?[2] = -0.1
    var short = state
    short.domain.uX?.removeLast()
    var estimated = try Self.fit(try Self.data("iso28037_ex3_wtls_xy.csv", sx: nil))
    estimated.domain.uX = nil
    let constant = try ResponseModel(spec: "line", predictors: ["x"]).fit(
      to: try ReferenceData.calibration("published/iso28037_ex3_wtls_xy.csv", x: ["x"], y: "y"),
      provenance: testProvenance)
    var withUX = constant
    withUX.domain.uX = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2]
    for (bad, path) in [
      (negative, "$.domain.u_x[2]"), (short, "$.domain.u_x"), (withUX, "$.domain.u_x"),
    ] {
      #expect {
        _ = try InstrumentFile.decode(try InstrumentFile.encode(bad), name: "gdr.json")
      } throws: { error in
        "\(error)".contains(path)
      }
    }
    _ = try Instrument(estimated)
  }
}
