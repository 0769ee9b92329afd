import CalibCore
import Foundation
import Testing

/// Student-t noise (issue 9, item 1): heavy tails for the occasional outlier, fitted jointly
/// with the model by maximum likelihood, ν estimated or fixed, and measured with the noise's
/// parameters integrated out. Fixture: Fixtures/plate-reader-outliers.csv (a line whose
/// readings are t₃ about it with a scale growing with the response).
@Suite("Student-t noise")
struct StudentNoiseTests {
  static func data() throws -> CalibrationData {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/plate-reader-outliers.csv")
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))),
      name: "plate-reader-outliers.csv")
    return try CalibrationData(reading: reader, predictors: ["conc"], response: "signal")
  }

  static func instrument(_ scale: NoiseModel, df: Double? = nil) throws -> InstrumentState {
    try ResponseModel(spec: "line", predictors: ["conc"]).fit(
      to: data(), noise: scale, distribution: .student, degreesOfFreedom: df,
      provenance: testProvenance)
  }

  /// −log L of a line with Student-t noise, written out here with Foundation's `lgamma`:
  /// Σ log σᵢ + ((ν+1)/2)·log(1 + rᵢ²/(νσᵢ²)) + log Γ(ν/2) − log Γ((ν+1)/2) + ½·log(νπ),
  /// θ = (b0, b1, scale parameters, ν unless `df` is given).
  static func negativeLog(_ t: [Double], _ scale: NoiseModel, df: Double?) throws -> Double {
    let data = try Self.data()
    let nu = df ?? t[t.count - 1]
    var total = 0.0
    for i in 0..<data.count {
      let x = data.predictors[i][0].doubleValue, y = data.responses[i].doubleValue
      let mu = t[0] + t[1] * x
      let sigma = scale == .linear ? t[2] + t[3] * abs(mu) : t[2] * abs(mu)
      let z2 = (y - mu) * (y - mu) / (sigma * sigma)
      total +=
        log(sigma) + (nu + 1) / 2 * log1p(z2 / nu) + lgamma(nu / 2) - lgamma((nu + 1) / 2)
        + 0.5 * log(nu * Double.pi)
    }
    return total
  }

  /// Reference: Tests/Reference/noise/student_fit.py, scipy 1.17 Nelder–Mead on
  /// −Σ scipy.stats.t.logpdf(y, ν, μ, σ), restarted three times to xatol 1e-12, printed to 10
  /// significant digits (about 1e-9 of a standard error here); tolerance 1e-5 standard errors,
  /// and 1e-8 on log L.
  @Test(
    "Student-t maximum likelihood, ν estimated or fixed, matches scipy to 1e-5 standard errors",
    arguments: [
      (
        NoiseModel.linear, nil as Double?,
        [0.2037344679, 1.469456897, 0.02559418466, 0.02616797599, 2.105461857], -1.934487835
      ),
      (.proportional, nil, [0.2134495654, 1.46699891, 0.02984519866, 1.679271402], -2.082687465),
      (.proportional, 3.0, [0.2110090508, 1.464068884, 0.03713239405], -2.635203896),
    ])
  func maximumLikelihood(
    scale: NoiseModel, df: Double?, reference: [Double], logLikelihood: Double
  ) throws {
    let state = try Self.instrument(scale, df: df)
    let estimates = state.parameters + (try #require(state.noise.parameters))
    try #require(estimates.count == reference.count)
    for (j, parameter) in estimates.enumerated() {
      #expect(
        abs(parameter.estimate - reference[j]) <= 1e-5 * parameter.stdError,
        "\(parameter.name): \(parameter.estimate) against \(reference[j])")
    }
    let names = (scale == .linear ? ["s0", "s1"] : ["s1"]) + (df == nil ? ["df"] : [])
    #expect(state.noise.parameters?.map(\.name) == names)
    #expect(state.noise.distribution == .student)
    #expect(state.noise.fixedDegreesOfFreedom == df)
    #expect(state.fit.dof == 21 - reference.count)
    #expect(abs(try #require(state.fit.logLikelihood) - logLikelihood) <= 1e-8)
  }

  /// The covariance is the inverse Hessian of −log L at the optimum, ν included. Reference:
  /// the Hessian of the −log L written out above by central second differences (steps 1e-4
  /// of each standard error), inverted by Gauss–Jordan; 1e-4 relative on the standard errors.
  @Test(
    "Student-t standard errors, ν's included, are the inverse Hessian of −log L to 1e-4",
    arguments: [(NoiseModel.linear, nil as Double?), (.proportional, 3.0)])
  func standardErrors(scale: NoiseModel, df: Double?) throws {
    let state = try Self.instrument(scale, df: df)
    let estimates = state.parameters + (try #require(state.noise.parameters))
    let theta = estimates.map(\.estimate)
    let steps = estimates.map { 1e-4 * $0.stdError }
    let k = theta.count
    var hessian = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for i in 0..<k {
      for j in 0..<k {
        func at(_ di: Double, _ dj: Double) throws -> Double {
          var t = theta
          t[i] += di * steps[i]
          t[j] += dj * steps[j]
          return try Self.negativeLog(t, scale, df: df)
        }
        hessian[i][j] =
          (try at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * steps[i] * steps[j])
      }
    }
    let inverse = try #require(gaussJordanInverse(hessian))
    for j in 0..<k {
      let reference = inverse[j][j].squareRoot()
      #expect(
        abs(estimates[j].stdError - reference) <= 1e-4 * reference,
        "\(estimates[j].name): \(estimates[j].stdError) against \(reference)")
    }
  }

  /// With a constant scale the readings of this fixture are better explained by normal
  /// noise than by any t: scipy's profile log-likelihood rises with ν (−5.529 at ν = 3,
  /// −5.386 at 10, −5.215 at 100, −5.1926 at 10⁴; student_fit.py). ν has no finite estimate:
  /// the fit is the t's limit, the normal constant-noise fit (compared with that fit made
  /// directly, bit for bit), and the file says why.
  @Test("a Student-t fit whose ν runs off to infinity is the normal limit, with a warning")
  func normalTails() throws {
    let state = try Self.instrument(.constant)
    let normal = try ResponseModel(spec: "line", predictors: ["conc"]).fit(
      to: Self.data(), provenance: testProvenance)
    #expect(state.parameters == normal.parameters)
    #expect(state.noise == normal.noise)
    #expect(state.noise.distribution == nil)
    let warnings = try #require(state.posterior.warnings)
    #expect(warnings.count == 1)
    #expect(warnings.first?.contains("no finite maximum-likelihood estimate") == true)
    // With ν fixed there is a maximum: σ is the constant scale s0.
    let fixed = try Self.instrument(.constant, df: 4)
    #expect(fixed.noise.parameters?.map(\.name) == ["s0"])
    #expect(fixed.posterior.warnings == nil)
  }

  /// `--marginalize integration` integrates out (b0, b1, s1) with ν fixed at 3. Reference:
  /// Tests/Reference/noise/brute_force_student.py, a 32-point Gauss–Legendre product rule on
  /// ±8 sd of the Laplace posterior in (b0, b1, log s1) and Simpson's rule on 4000 intervals
  /// over the prior range [−1, 12] (48 points per axis move no figure by 1e-6 sd). The t's
  /// tails make the sd depend on the range, so both use the same. Tolerance 1e-4 sd (calib's
  /// 20-point Gauss–Hermite rule is within 5e-5 sd).
  @Test(
    "a Student-t posterior with the noise integrated out matches brute force to 1e-4 sd",
    arguments: [
      (1.2, [0.68022215, 0.19892042, 0.5733957, 0.8520961]),
      (7.5, [4.99877580, 0.46310383, 4.3626792, 6.0204273]),
    ])
  func integratedMeasurement(reading: Double, reference: [Double]) throws {
    let state = try Self.instrument(.proportional, df: 3)
    let measurer = try Measurer(
      instrument: state,
      settings: MeasurementSettings(
        range: ClosedRangeRecord(lower: -1, upper: 12), marginalization: .integration))
    let report = try measurer.measure(Observation(id: "r", readings: [reading], line: 2))
    let sd = try #require(report.x.sd)
    #expect(abs(report.x.estimate - reference[0]) <= 1e-4 * sd)
    #expect(abs(sd - reference[1]) <= 1e-4 * sd)
    #expect(abs(try #require(report.x.interval.lower) - reference[2]) <= 1e-4 * sd)
    #expect(abs(try #require(report.x.interval.upper) - reference[3]) <= 1e-4 * sd)
  }

  /// `student:known`: the same standards with u(y) = 0.05 + 0.04·(0.2 + 1.5·x), the scale they
  /// were simulated with, as each reading's t scale; ν estimated. Reference for the fit:
  /// student_fit.py (scipy Nelder–Mead on −Σ t.logpdf(y, ν, μ, u), 10 significant digits);
  /// 1e-5 standard errors, log L to 1e-8. For the measurement of 7.5 (u 0.35) with every
  /// parameter integrated out, ν under its Gamma(2, 0.1) prior, on the prior range [−1, 12]:
  /// brute_force_student_known.py (48-point Gauss–Legendre on ±12 sd in (b0, b1, log ν); 32
  /// points move no figure by 1e-4 sd); tolerance 1e-4 sd.
  @Test(
    "student:known fits ν as scipy does (1e-5 se), and integrates it out as brute force (1e-4 sd)")
  func knownScale() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/plate-reader-outliers.csv")
    let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
    var text = "conc,signal,u\n"
    for row in rows {
      let x = try #require(Double(row.split(separator: ",")[0]))
      text += "\(row),\(String(format: "%.4f", 0.05 + 0.04 * (0.2 + 1.5 * x)))\n"
    }
    let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), name: "known.csv")
    let data = try CalibrationData(
      reading: reader, predictors: ["conc"], response: "signal", uncertainty: "u")
    let state = try ResponseModel(spec: "line", predictors: ["conc"]).fit(
      to: data, noise: .known, distribution: .student, provenance: testProvenance)
    let estimates = state.parameters + (try #require(state.noise.parameters))
    let reference = [0.2012457652, 1.463785866, 4.340047089]
    try #require(estimates.count == reference.count)
    for (j, parameter) in estimates.enumerated() {
      #expect(
        abs(parameter.estimate - reference[j]) <= 1e-5 * parameter.stdError, "\(parameter)")
    }
    #expect(estimates.last?.name == "df")
    #expect(abs(try #require(state.fit.logLikelihood) - -3.242739156) <= 1e-8)
    #expect(state.domain.uY?.count == 21)
    let bytes = try InstrumentFile.encode(state)
    #expect(try InstrumentFile.decode(bytes, name: "i.json").state == state)
    let measurer = try Measurer(
      instrument: state,
      settings: MeasurementSettings(
        range: ClosedRangeRecord(lower: -1, upper: 12), marginalization: .integration))
    let report = try measurer.measure(
      Observation(id: "r", readings: [7.5], uncertainties: [0.35], line: 2))
    let sd = try #require(report.x.sd)
    #expect(abs(report.x.estimate - 4.99844663) <= 1e-4 * sd)
    #expect(abs(sd - 0.29935220) <= 1e-4 * sd)
    #expect(abs(try #require(report.x.interval.lower) - 4.4289699) <= 1e-4 * sd)
    #expect(abs(try #require(report.x.interval.upper) - 5.5730456) <= 1e-4 * sd)
  }

  @Test("a Student-t instrument file is schema-valid and round-trips; a fixed ν ≤ 0 is refused")
  func instrumentFile() throws {
    let state = try Self.instrument(.proportional, df: 3)
    let bytes = try InstrumentFile.encode(state)
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains("\"distribution\" : \"student\""))
    #expect(text.contains("\"fixed_df\" : 3"))
    #expect(try InstrumentFile.decode(bytes, name: "i.json").state == state)
    let validator = try JSONSchemaValidator(folder: SchemaTests.folder)
    let problems = validator.validate(try JSONValue.parse(bytes), against: "instrument.schema.json")
    #expect(problems.isEmpty, "\(problems)")
    var broken = state
    broken.noise.fixedDegreesOfFreedom = -1
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(try InstrumentFile.encode(broken), name: "i.json")
    }
    #expect(error?.message.hasPrefix("$.noise.fixed_df") == true)
  }
}
