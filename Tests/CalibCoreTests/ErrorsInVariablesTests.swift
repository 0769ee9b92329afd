import Foundation
import Testing

@testable import CalibCore

/// Errors in variables for any model in one predictor (`--sx` with `--sy`, issue 9 item 4):
/// the true x of each uncertain standard a parameter, marginalized. Fixture:
/// Fixtures/uncertain-standards.csv (ten standards whose doses carry u(x) growing with the
/// dose, readings with u(y) = 0.05).
@Suite("Errors in variables for any model")
struct ErrorsInVariablesTests {
  static func data() throws -> CalibrationData {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/uncertain-standards.csv")
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))),
      name: "uncertain-standards.csv")
    return try CalibrationData(
      reading: reader, predictors: ["dose"], response: "signal", uncertainty: "u_signal",
      predictorUncertainty: "u_dose")
  }

  static func fit(_ spec: String, start: [String: Double] = [:]) throws -> InstrumentState {
    try ResponseModel(spec: spec, predictors: ["dose"]).fit(
      to: data(), start: start, provenance: testProvenance)
  }

  /// Reference: Tests/Reference/noise/errors_in_variables.py, the same weighted orthogonal
  /// distance regression by MINPACK's Levenberg–Marquardt (scipy 1.17 `least_squares`,
  /// tolerances 1e-15) over (β, ξ), with the covariance (JᵀJ)⁻¹: β and χ² to 12 significant
  /// digits, standard errors to 10. ODRPACK (`scipy.odr`) agrees on the saturating curve and
  /// stops 4e-6 standard errors short on the badly fitting quadratic. Tolerances: 1e-6 of a
  /// standard error on the estimates, 1e-6 relative on the standard errors, 1e-9 on χ².
  @Test(
    "errors in variables of a nonlinear and a polynomial model match MINPACK (1e-6 se)",
    arguments: [
      (
        "b1*(1-exp(-b2*x))", ["b1": 10.0, "b2": 0.3], [9.97501549331, 0.349876079203],
        [0.05981687749, 0.006967293621], 8.22123519679
      ),
      (
        "poly:2", [:], [0.92172086753, 2.08632451657, -0.1229381306],
        [0.06854831332, 0.03601885195, 0.003592478658], 100.952027581
      ),
    ])
  func minpack(
    spec: String, start: [String: Double], estimates: [Double], errors: [Double], chi2: Double
  ) throws {
    let state = try Self.fit(spec, start: start)
    try #require(state.parameters.count == estimates.count)
    for (j, parameter) in state.parameters.enumerated() {
      #expect(abs(parameter.estimate - estimates[j]) <= 1e-6 * errors[j], "\(parameter)")
      #expect(abs(parameter.stdError - errors[j]) <= 1e-6 * errors[j], "\(parameter)")
    }
    #expect(abs(try #require(state.fit.chi2) - chi2) <= 1e-9 * chi2)
    #expect(state.fit.dof == 10 - estimates.count)
    #expect(state.domain.uX?.count == 10)
    #expect(state.fit.method.hasPrefix("errors in variables"))
  }

  /// The same fit of a straight line is ISO/TS 28037 §7's generalized distance regression:
  /// its worked example (published.json, ISO/TS 28037:2010 p. 21, printed to four decimals)
  /// by this general path, and calib's own ISO path to 1e-9 on the estimates and χ² (the two
  /// minimize the same χ² after the true x are profiled out) and 1e-6 on the standard errors.
  @Test("errors in variables of a straight line reproduce ISO/TS 28037 §7's example")
  func straightLine() throws {
    let reader = try CSVReader(
      source: MemoryByteSource(try ReferenceData.bytes("published/iso28037_ex3_wtls_xy.csv")),
      name: "iso.csv")
    let data = try CalibrationData(
      reading: reader, predictors: ["x"], response: "y", uncertainty: "u_y",
      predictorUncertainty: "u_x")
    let model = try ResponseModel(spec: "line", predictors: ["x"])
    let general = try model.errorsInVariablesFit(to: data, start: [:], provenance: testProvenance)
    let iso = try model.fit(to: data, provenance: testProvenance)
    let published = [(0.5788, 0.4764), (2.1597, 0.1355)]
    for j in 0..<2 {
      let parameter = general.parameters[j]
      #expect(abs(parameter.estimate - published[j].0) <= 0.00005, "\(parameter)")
      #expect(abs(parameter.stdError - published[j].1) <= 0.00005, "\(parameter)")
      #expect(abs(parameter.estimate - iso.parameters[j].estimate) <= 1e-9, "\(parameter)")
      #expect(
        abs(parameter.stdError - iso.parameters[j].stdError) <= 1e-6 * iso.parameters[j].stdError)
    }
    let chi2 = try #require(general.fit.chi2)
    #expect(abs(chi2 - 2.743) <= 0.0005)
    #expect(abs(chi2 - (iso.fit.chi2 ?? .nan)) <= 1e-9 * chi2)
  }

  /// The measurement carries the standards' uncertainty: against the fit that ignores u(x), a
  /// reading's posterior is wider; measured by the linearized predictive and by integration
  /// over (b1, b2) with each standard's true x integrated out about its given x, the two agree
  /// to 1% of the sd (two methods, one posterior).
  @Test("a measurement with uncertain standards is wider, and its two methods agree to 1%")
  func measurement() throws {
    let state = try Self.fit("b1*(1-exp(-b2*x))", start: ["b1": 10, "b2": 0.3])
    var exactData = try Self.data()
    exactData.predictorUncertainties = nil
    let exact = try ResponseModel(spec: "b1*(1-exp(-b2*x))", predictors: ["dose"]).fit(
      to: exactData, start: ["b1": 10, "b2": 0.3], provenance: testProvenance)
    func sd(
      _ state: InstrumentState, _ marginalization: MeasurementSettings.Marginalization
    )
      throws -> Double
    {
      let measurer = try Measurer(
        instrument: state, settings: MeasurementSettings(marginalization: marginalization))
      let report = try measurer.measure(Observation(id: "r", readings: [9.0], line: 2))
      return try #require(report.x.sd)
    }
    let linearized = try sd(state, .linearized)
    let integrated = try sd(state, .integration)
    #expect(linearized > 1.05 * (try sd(exact, .linearized)))
    #expect(abs(integrated - linearized) <= 0.01 * linearized)
  }

  /// `calib validate` of an errors-in-variables instrument simulates the standards' given x
  /// scattered by their u(x) about the instrument's, and refits with them. Reference: the
  /// nominal levels; tolerance 3 binomial standard errors of 400 trials.
  @Test("errors in variables cover at the nominal level in simulation (3 binomial se)")
  func coverage() throws {
    let state = try Self.fit("b1*(1-exp(-b2*x))", start: ["b1": 10, "b2": 0.3])
    let result = try CoverageValidation.run(
      instrument: try Instrument(state), trials: 400, levels: [0.5, 0.9, 0.95], method: .bayes,
      seed: 3, truth: .domain)
    #expect(result.failedFits == 0)
    #expect(result.truth.contains("u(x)"))
    for (level, expected) in zip(result.levels, [0.5, 0.9, 0.95]) {
      let se = (expected * (1 - expected) / 400).squareRoot()
      #expect(abs(level.coverage - expected) <= 3 * se, "\(level)")
    }
  }

  @Test("an errors-in-variables file is schema-valid and round-trips")
  func instrumentFile() throws {
    let state = try Self.fit("b1*(1-exp(-b2*x))", start: ["b1": 10, "b2": 0.3])
    let bytes = try InstrumentFile.encode(state)
    #expect(try InstrumentFile.decode(bytes, name: "i.json").state == state)
    let validator = try JSONSchemaValidator(folder: SchemaTests.folder)
    let problems = validator.validate(try JSONValue.parse(bytes), against: "instrument.schema.json")
    #expect(problems.isEmpty, "\(problems)")
  }
}
