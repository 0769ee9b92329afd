import CalibCore
import Foundation
import Testing

/// The `replicates` noise model (issue 9, item 1): σ = s0·|μ|^k fitted to the scatter of
/// replicate standards alone, then the model by weighted least squares. Fixture:
/// Fixtures/heteroscedastic-line.csv (seven standards in triplicate, σ growing with μ).
@Suite("Noise estimated from replicate standards")
struct ReplicateNoiseTests {
  static func data(_ text: String? = nil) throws -> CalibrationData {
    let bytes: [UInt8]
    if let text {
      bytes = Array(text.utf8)
    } else {
      let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/heteroscedastic-line.csv")
      bytes = [UInt8](try Data(contentsOf: url))
    }
    let reader = try CSVReader(source: MemoryByteSource(bytes), name: "replicates.csv")
    return try CalibrationData(reading: reader, predictors: ["conc"], response: "signal")
  }

  static func instrument() throws -> InstrumentState {
    try ResponseModel(spec: "line", predictors: ["conc"]).fit(
      to: data(), noise: .replicates, provenance: testProvenance)
  }

  /// Reference: Tests/Reference/noise/replicates_fit.py, statsmodels 0.15's gamma GLM with log
  /// link on the groups' sample variances (var_weights 2, dispersion 2), then numpy's weighted
  /// least squares iterated until the weights settle; printed to 12 significant digits (10
  /// for the standard errors). Both solve the same equations: 1e-8 relative.
  @Test("the variance function and the weighted line match statsmodels and numpy to 1e-8")
  func fit() throws {
    let state = try Self.instrument()
    let noise = try #require(state.noise.parameters)
    let all = state.parameters + noise
    let reference: [(Double, Double)] = [
      (0.197809714713, 0.01510363474), (1.49995236485, 0.01597644881),
      (0.0215200101249, 0.007060299131), (1.2145217965, 0.1444420395),
    ]
    try #require(all.count == reference.count)
    for (parameter, (estimate, stdError)) in zip(all, reference) {
      #expect(abs(parameter.estimate - estimate) <= 1e-8 * abs(estimate), "\(parameter)")
      #expect(abs(parameter.stdError - stdError) <= 1e-8 * stdError, "\(parameter)")
    }
    #expect(noise.map(\.name) == ["s0", "k"])
    #expect(state.noise.model == .replicates)
    #expect(state.noise.replicateDegreesOfFreedom == 14)
    #expect(state.fit.dof == 21 - 4)
    #expect(state.posterior.kind == .laplace)
    // The joint covariance is block-diagonal: the model's block, then the noise's.
    let joint = try #require(state.noise.jointCovariance)
    #expect(joint[0][2] == 0 && joint[1][3] == 0 && joint[3][0] == 0)
    #expect(joint[0][0] == state.covariance[0][0])
    // rss of the raw residuals, χ² of the standardized ones, from the estimates here.
    let data = try Self.data()
    var rss = 0.0, chi2 = 0.0
    for i in 0..<data.count {
      let x = data.predictors[i][0].doubleValue
      let mu = all[0].estimate + all[1].estimate * x
      let r = data.responses[i].doubleValue - mu
      let sigma = all[2].estimate * pow(abs(mu), all[3].estimate)
      rss += r * r
      chi2 += r * r / (sigma * sigma)
    }
    #expect(abs(state.fit.rss - rss) <= 1e-12 * rss)
    #expect(abs(try #require(state.fit.chi2) - chi2) <= 1e-9 * chi2)
  }

  @Test("too few replicates, or a group whose mean reading is 0, are refused with the reason")
  func refusals() throws {
    let model = try ResponseModel(spec: "line", predictors: ["conc"])
    let single = try Self.data("conc,signal\n1,1.1\n2,2.0\n3,3.2\n4,3.9\n5,5.1\n")
    #expect(throws: FitError.tooFewReplicates(groups: 0, dof: 0)) {
      try model.fit(to: single, noise: .replicates, provenance: testProvenance)
    }
    let one = try Self.data("conc,signal\n1,1.1\n1,1.0\n2,2.0\n2,2.1\n3,3.0\n")
    #expect(throws: FitError.tooFewReplicates(groups: 2, dof: 2)) {
      try model.fit(to: one, noise: .replicates, provenance: testProvenance)
    }
    let blank = try Self.data(
      "conc,signal\n0,0.1\n0,-0.1\n1,1.1\n1,1.0\n2,2.0\n2,2.1\n3,3.0\n3,3.1\n")
    let error = #expect(throws: InputError.self) {
      try model.fit(to: blank, noise: .replicates, provenance: testProvenance)
    }
    #expect(error?.line == 2)
    #expect(error?.message.contains("within its standard error of 0") == true)
    // A mean that is 0 only up to rounding (0.1, 0.2, −0.3) is a blank too.
    let rounded = try Self.data(
      "conc,signal\n0,0.1\n0,0.2\n0,-0.3\n1,1.1\n1,1.0\n2,2.0\n2,2.1\n3,3.0\n3,3.1\n")
    #expect(throws: InputError.self) {
      try model.fit(to: rounded, noise: .replicates, provenance: testProvenance)
    }
  }

  /// Readings simulated with σ = s0·|μ|^k at the instrument's estimates, refitted with the
  /// replicates noise (the variance function from seven triplicates: 14 degrees of freedom)
  /// and measured by the linearized predictive, a t on the variance function's local degrees
  /// of freedom. Reference: the nominal levels; tolerance 3 binomial standard errors of 600
  /// trials. (calib: 0.498, 0.875, 0.937; with 12 degrees of freedom everywhere it covered
  /// 0.917 at 95%: the variance function is less certain at the ends of the range.)
  @Test("replicates noise: the linearized predictive covers at the nominal level (3 binomial se)")
  func coverage() throws {
    let result = try CoverageValidation.run(
      instrument: try Instrument(try Self.instrument()), trials: 600, levels: [0.5, 0.9, 0.95],
      method: .bayes, seed: 3, truth: .domain)
    #expect(result.failedFits == 0)
    #expect(result.simulatedNoise == .replicates)
    for (level, expected) in zip(result.levels, [0.5, 0.9, 0.95]) {
      let se = (expected * (1 - expected) / 600).squareRoot()
      #expect(abs(level.coverage - expected) <= 3 * se, "\(level)")
    }
  }

  @Test("a replicates instrument file is schema-valid and round-trips; replicate_dof is checked")
  func instrumentFile() throws {
    let state = try Self.instrument()
    let bytes = try InstrumentFile.encode(state)
    #expect(String(decoding: bytes, as: UTF8.self).contains("\"replicate_dof\" : 14"))
    #expect(try InstrumentFile.decode(bytes, name: "i.json").state == state)
    let validator = try JSONSchemaValidator(folder: SchemaTests.folder)
    let problems = validator.validate(try JSONValue.parse(bytes), against: "instrument.schema.json")
    #expect(problems.isEmpty, "\(problems)")
    var broken = state
    broken.noise.replicateDegreesOfFreedom = nil
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(try InstrumentFile.encode(broken), name: "i.json")
    }
    #expect(error?.message.hasPrefix("$.noise.replicate_dof") == true)
  }
}
