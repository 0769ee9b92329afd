import CalibCore
import Foundation
import Testing

/// Rounds to `digits` decimal places, as a publication prints.
func rounded(_ value: Double, places digits: Int) -> Double {
  (value * pow(10, Double(digits))).rounded() / pow(10, Double(digits))
}

@Suite("Linear instrument fits")
struct LinearFitTests {
  /// ISO/TS 28037:2010 §6.3: weighted line with equal known u(y) = 0.5 (dof = ∞, χ² reported).
  @Test(
    "ISO/TS 28037 §6.3 weighted straight line: the printed digits, and the closed form to 1e-15")
  func iso28037() throws {
    let data = try ReferenceData.calibration(
      "published/iso28037_ex1_wls_equal.csv", x: ["x"], y: "y", sy: "u_y")
    let fit = try ResponseModel(spec: "line", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
    let (a, b) = (fit.parameters[0], fit.parameters[1])
    // Published digits (page 13).
    #expect(rounded(a.estimate, places: 3) == 1.867)
    #expect(rounded(a.stdError, places: 3) == 0.465)
    #expect(rounded(b.estimate, places: 3) == 1.757)
    #expect(rounded(b.stdError, places: 2) == 0.12)
    #expect(rounded(fit.covariance[0][1], places: 2) == -0.05)
    #expect(rounded(try #require(fit.fit.chi2), places: 3) == 1.665)
    // Closed form with all weights 4: a = 28/15, b = 123/70, cov(a, b) = −x̄/(w·Sxx) = −0.05.
    #expect(Swift.abs(a.estimate - 28.0 / 15.0) < 1e-15)
    #expect(Swift.abs(b.estimate - 123.0 / 70.0) < 1e-15)
    #expect(Swift.abs(fit.covariance[0][1] + 0.05) < 1e-16)
    #expect(fit.noise.model == .known && fit.noise.sigma == nil)
    #expect(fit.posterior.kind == .normal)
  }

  /// GUM (JCGM 100:2008) H.3: thermometer calibration, b(t) = y1 + y2·(t − t0), t0 = 20 °C.
  @Test(
    "GUM H.3 thermometer and its correction at 30 °C, to half a unit of each given last digit")
  func gumThermometer() throws {
    let data = try ReferenceData.calibration(
      "published/gum_h3_thermometer.csv", x: ["t_k_degC"], y: "b_k_degC")
    let fit = try ResponseModel(spec: "y1 + y2*(x - 20)", predictors: ["t_k_degC"]).fit(
      to: data, provenance: testProvenance)
    let (y1, y2) = (fit.parameters[0], fit.parameters[1])
    // Published digits.
    #expect(rounded(y1.estimate, places: 4) == -0.1712)
    #expect(rounded(y1.stdError, places: 4) == 0.0029)
    #expect(rounded(y2.estimate, places: 5) == 0.00218)
    #expect(rounded(y2.stdError, places: 5) == 0.00067)
    let r = fit.covariance[0][1] / (y1.stdError * y2.stdError)
    #expect(rounded(r, places: 2) == -0.93)
    #expect(rounded(try #require(fit.fit.residualSD), places: 4) == 0.0035)
    #expect(fit.fit.dof == 9)
    // The collector's recomputation, to the digits it gives.
    #expect(Swift.abs(y1.estimate - -0.17120379) < 5e-9)
    // u(y1): the collector prints 0.00287757; numpy's lstsq on the same data gives
    // 0.0028775978, which is what we hold to.
    #expect(Swift.abs(y1.stdError - 0.0028775978) < 5e-11)
    #expect(Swift.abs(y2.estimate - 0.0021827) < 5e-8)
    #expect(Swift.abs(y2.stdError - 0.00066794) < 5e-9)
    // Correction at 30 °C: b = y1 + 10·y2, u² = u1² + 100·u2² + 20·cov.
    let b30 = y1.estimate + 10 * y2.estimate
    let u30 = (fit.covariance[0][0] + 100 * fit.covariance[1][1] + 20 * fit.covariance[0][1])
      .squareRoot()
    #expect(rounded(b30, places: 4) == -0.1494)
    #expect(rounded(u30, places: 4) == 0.0041)
    #expect(Swift.abs(b30 - -0.14937681) < 5e-9)
    #expect(Swift.abs(u30 - 0.0041386) < 5e-8)
  }

  /// NIST/SEMATECH e-Handbook 2.3.6.7.2: linewidth calibration line.
  @Test("e-Handbook linewidth calibration line, to half a unit of each printed value's last digit")
  func linewidth() throws {
    let data = try ReferenceData.calibration(
      "published/ehandbook_linewidth_calibrationline.csv", x: ["x"], y: "y")
    let fit = try ResponseModel(spec: "line", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
    // The handbook prints a = 0.2357 (truncated); the value is 0.235762.
    #expect(Swift.abs(fit.parameters[0].estimate - 0.2357) < 1e-4)
    #expect(Swift.abs(fit.parameters[0].estimate - 0.235762) < 5e-7)
    #expect(rounded(fit.parameters[1].estimate, places: 3) == 0.987)
    #expect(Swift.abs(fit.parameters[0].stdError - 0.0243003) < 5e-8)
    #expect(Swift.abs(fit.parameters[1].stdError - 0.00344058) < 5e-9)
    #expect(Swift.abs(try #require(fit.fit.residualSD) - 0.062032) < 5e-7)
    #expect(Swift.abs(fit.covariance[0][1] - -7.64945e-05) < 5e-11)
  }

  struct Expected: Decodable {
    var estimates: [Double]
    var std_errors: [Double]
    var rss: Double
    var n: Int
    var dof: Int
  }

  /// The fixtures against an independent 50-digit computation (Fixtures/expected.json).
  @Test(
    "fixtures match the 50-digit reference, to 1e-13 relative (RSS 1e-12)",
    arguments: [
      ("pontius-load-cell.csv", "load", "deflection", "poly:2", nil as String?, nil as String?),
      ("absorbance-line.csv", "concentration", "absorbance", "line", nil, "standard"),
      ("quadratic-vertex.csv", "x", "reading", "poly:2", "u_reading", nil),
    ])
  func fixtures(
    _ file: String, x: String, y: String, spec: String, sy: String?, group: String?
  ) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures")
    let references = try JSONDecoder().decode(
      [String: Expected].self, from: Data(contentsOf: root.appendingPathComponent("expected.json")))
    let expected = try #require(references[file], "no reference for \(file) in expected.json")
    let bytes = try [UInt8](Data(contentsOf: root.appendingPathComponent(file)))
    let reader = try CSVReader(source: MemoryByteSource(bytes), name: file)
    let data = try CalibrationData(
      reading: reader, predictors: [x], response: y, uncertainty: sy, group: group)
    let fit = try ResponseModel(spec: spec, predictors: [x]).fit(
      to: data, provenance: testProvenance)
    #expect(fit.fit.n == expected.n && fit.fit.dof == expected.dof)
    // The reference is rounded to double: agreement to 1e-13 relative is every digit but the last.
    for (k, parameter) in fit.parameters.enumerated() {
      #expect(
        Swift.abs(parameter.estimate - expected.estimates[k]) <= 1e-13
          * Swift.abs(expected.estimates[k]))
      #expect(
        Swift.abs(parameter.stdError - expected.std_errors[k]) <= 1e-13 * expected.std_errors[k])
    }
    #expect(Swift.abs(fit.fit.rss - expected.rss) <= 1e-12 * expected.rss)
    if let group { #expect(fit.domain.groups?.count == expected.n, "\(group)") }
  }

  /// The conjugate posterior of a straight line against its closed form:
  /// (ΦᵀΦ)⁻¹ = [[Σx², −Σx], [−Σx, n]] / (n·Sxx), s² = rss/(n − 2), ν = n − 2.
  @Test("straight-line posterior in closed form, to 1e-12 relative")
  func posterior() throws {
    let x: [Double] = [0, 1, 2, 3, 5, 8, 13]
    let y: [Double] = [0.9, 3.2, 4.8, 7.1, 11.2, 16.7, 27.3]
    let text = "x,y\n" + zip(x, y).map { "\($0),\($1)" }.joined(separator: "\n")
    let data = try readCalibration(text)
    let fit = try ResponseModel(spec: "line", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
    let n = Double(x.count)
    let sx = x.reduce(0, +), sxx = x.map { $0 * $0 }.reduce(0, +)
    let centered = sxx - sx * sx / n
    let scale = [
      [sxx / (n * centered), -sx / (n * centered)], [-sx / (n * centered), 1 / centered],
    ]
    for j in 0..<2 {
      for k in 0..<2 {
        #expect(
          Swift.abs(fit.posterior.scale[j][k] - scale[j][k]) <= 1e-14 * Swift.abs(scale[j][k]))
      }
    }
    let slope = zip(x, y).map { ($0 - sx / n) * $1 }.reduce(0, +) / centered
    let intercept = (y.reduce(0, +) - slope * sx) / n
    let rss = zip(x, y).map { pow($1 - intercept - slope * $0, 2) }.reduce(0, +)
    #expect(Swift.abs(fit.parameters[1].estimate - slope) <= 1e-14 * slope)
    #expect(Swift.abs(try #require(fit.posterior.s2) - rss / (n - 2)) <= 1e-12 * rss)
    #expect(fit.posterior.dof == x.count - 2)
    #expect(fit.posterior.kind == .normalScaledInverseChi2)
    // The classical covariance is s²·(ΦᵀΦ)⁻¹.
    let s2 = try #require(fit.posterior.s2)
    #expect(
      Swift.abs(fit.covariance[1][1] - s2 * fit.posterior.scale[1][1]) <= 1e-15
        * fit.covariance[1][1])
    // Leverages of a line: 1/n + (x − x̄)²/Sxx, and they sum to p = 2.
    for (i, xi) in x.enumerated() {
      #expect(Swift.abs(fit.domain.leverage[i] - (1 / n + pow(xi - sx / n, 2) / centered)) < 1e-14)
    }
    #expect(fit.domain.maxLeverage == fit.domain.leverage.max())
  }

  @Test("a rank-deficient design names its collinear terms")
  func collinear() throws {
    let data = try readCalibration("x,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n")
    let error = #expect(throws: FitError.self) {
      try ResponseModel(spec: "b0 + b1*x + b2*(2*x)", predictors: ["x"]).fit(
        to: data, provenance: testProvenance)
    }
    guard case .collinearTerms(let terms, _) = error else {
      Issue.record("\(String(describing: error))"); return
    }
    #expect(terms == ["x", "2*x"])
    #expect(error?.description.contains("'x', '2*x'") == true)

    let replicated = try readCalibration("x,y\n2,2\n2,4.1\n2,5.9\n")
    let second = #expect(throws: FitError.self) {
      try ResponseModel(spec: "line", predictors: ["x"]).fit(
        to: replicated, provenance: testProvenance)
    }
    guard case .collinearTerms(let both, _) = second else {
      Issue.record("\(String(describing: second))"); return
    }
    #expect(both == ["1", "x"])
  }

  @Test("too few standards, undefined terms and nonlinear formulas without a start are errors")
  func refused() throws {
    let two = try readCalibration("x,y\n1,2\n2,4\n")
    #expect(throws: FitError.tooFewStandardsForNoise(have: 2, parameters: 2)) {
      try ResponseModel(spec: "line", predictors: ["x"]).fit(to: two, provenance: testProvenance)
    }
    let zero = try readCalibration("x,y\n1,2\n0,4\n3,5\n")
    #expect(throws: FitError.undefinedAtStandard(line: 3, term: "log(x)")) {
      try ResponseModel(spec: "log", predictors: ["x"]).fit(to: zero, provenance: testProvenance)
    }
    let data = try readCalibration("x,y\n1,2\n2,4\n3,5\n4,5.5\n")
    #expect(
      throws: FitError.missingStartingValues(model: "b1*x/(b2 + x)", parameters: ["b1", "b2"])
    ) {
      try ResponseModel(spec: "b1*x/(b2 + x)", predictors: ["x"]).fit(
        to: data, provenance: testProvenance)
    }
  }

  @Test(
    "known uncertainties with as many standards as parameters: b and u(b) in closed form, to 1e-15")
  func exactlyDetermined() throws {
    let data = try readCalibration("x,y,u\n1,2,0.1\n3,5,0.2\n", sy: "u")
    let fit = try ResponseModel(spec: "line", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
    #expect(fit.fit.dof == 0 && fit.fit.residualSD == nil && fit.fit.chi2PValue == nil)
    #expect(Swift.abs(fit.parameters[1].estimate - 1.5) < 1e-15)
    // u(b) = √(u1² + u2²)/(x2 − x1) for two points.
    #expect(Swift.abs(fit.parameters[1].stdError - (0.01 + 0.04).squareRoot() / 2) < 1e-15)
  }

  /// Lack of fit on the absorbance fixture against numpy/scipy (`stats.f.sf`): pure error
  /// 1.3420666666666677e-04 on 12 dof, lack of fit 1.3184571428568e-05 on 4, F = 0.29472242525735,
  /// p = 0.87580721718867. Tolerance 1e-9 relative: numpy's sums carry ~1e-12 error.
  @Test("lack-of-fit F test from replicate standards against scipy, to 1e-9")
  func lackOfFit() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/absorbance-line.csv")
    let text = try String(contentsOf: root, encoding: .utf8)
    for group in ["standard", nil] {
      let reader = try CSVReader(source: MemoryByteSource(text), name: "absorbance-line.csv")
      let data = try CalibrationData(
        reading: reader, predictors: ["concentration"], response: "absorbance", group: group)
      let fit = try ResponseModel(spec: "line", predictors: ["concentration"]).fit(
        to: data, provenance: testProvenance)
      let test = try #require(fit.fit.lackOfFit)
      #expect(test.groups == 6 && test.pureErrorDOF == 12 && test.lackOfFitDOF == 4)
      #expect(Swift.abs(test.pureErrorSS - 1.3420666666666677e-04) <= 1e-9 * 1.342e-4)
      #expect(Swift.abs(test.f - 0.2947224252573526) <= 1e-9)
      #expect(Swift.abs(test.pValue - 0.8758072171886679) <= 1e-9)
    }
    // A curve fitted with a line: the replicates show it (F large, p tiny).
    let curved =
      "x,y\n"
      + [0.0, 1, 2, 3, 4].flatMap { x in [-0.01, 0.01].map { "\(x),\(x * x + $0)" } }.joined(
        separator: "\n")
    let data = try readCalibration(curved)
    let fit = try ResponseModel(spec: "line", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
    #expect(try #require(fit.fit.lackOfFit).pValue < 1e-6)
    // Without replicates there is no test.
    let single = try readCalibration("x,y\n0,0.1\n1,2.0\n2,4.1\n3,5.9\n")
    #expect(
      try ResponseModel(spec: "line", predictors: ["x"]).fit(to: single, provenance: testProvenance)
        .fit.lackOfFit == nil)
  }

  @Test("the replicates of a labelled group must share their x")
  func groupMismatch() throws {
    let reader = try CSVReader(
      source: MemoryByteSource("g,x,y\nA,1,2\nA,1,2.1\nB,2,4\nB,2.5,4.9\nC,3,6\n"), name: "cal.csv")
    let data = try CalibrationData(reading: reader, predictors: ["x"], response: "y", group: "g")
    let error = #expect(throws: InputError.self) {
      try ResponseModel(spec: "line", predictors: ["x"]).fit(to: data, provenance: testProvenance)
    }
    #expect(
      error?.description
        == "cal.csv:5: the replicates of group 'B' must share their x, but this standard differs from line 4"
    )
  }

  /// Readings that do not vary: the fit is exact, R² is undefined and written as null,
  /// never as a non-finite number that JSON cannot hold.
  @Test("constant readings leave R² undefined")
  func constantReadings() throws {
    let data = try readCalibration("x,y\n1,5\n2,5\n3,5\n")
    let fit = try ResponseModel(spec: "line", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
    #expect(fit.fit.rSquared == nil)
    // The exact slope is 0; refinement brings it below double-double resolution of b0.
    #expect(fit.parameters[0].estimate == 5 && Swift.abs(fit.parameters[1].estimate) < 1e-30)
    #expect(
      String(decoding: try InstrumentFile.encode(fit), as: UTF8.self).contains(
        "\"r_squared\" : null"))
  }

  /// Readings of order 1e300: the covariance overflows a double. The fit says so instead of
  /// writing a non-finite number.
  @Test("results beyond the range of a double are an error, not a NaN in the file")
  func overflow() throws {
    let data = try readCalibration("x,y\n1,1e300\n2,2.1e300\n3,2.9e300\n4,4e300\n")
    let error = #expect(throws: FitError.self) {
      try ResponseModel(spec: "line", predictors: ["x"]).fit(to: data, provenance: testProvenance)
    }
    #expect(error?.description.contains("rescale") == true, "\(String(describing: error))")
  }
}
