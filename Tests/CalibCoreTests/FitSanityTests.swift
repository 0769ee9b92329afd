import CalibCore
import Foundation
import Testing

/// Fits never report nonsense as converged (issue 7, item 6): a curve with a pole inside the
/// calibrated domain is no solution, and an MCMC posterior that did not converge says so at
/// fit time, in the file and on every measurement made with it.
@Suite("Fit sanity")
struct FitSanityTests {
  /// tan(u) has a pole wherever cos(u) changes sign. From b = 0.3 the solver first reaches
  /// b ≈ 0.39, a pole at x = π/(2b) ≈ 4 inside [0, 32]; that run is rejected and the fit ends
  /// where b·32 < π/2 (closed form of the pole: no x in the domain has cos(b·x) = 0).
  @Test("a tan formula: a run with a pole inside the domain is rejected")
  func tangentPole() throws {
    let text =
      "x,y\n0,0.6441\n2,2.3247\n4,3.2332\n6,4.4177\n8,5.8539\n10,8.0157\n12,9.0889\n"
      + "14,10.4816\n16,12.8997\n18,14.4667\n20,16.2732\n22,17.1430\n24,19.2025\n26,20.7676\n"
      + "28,21.6471\n30,24.2690\n32,25.7604\n"
    let data = try readCalibration(text)
    let state = try ResponseModel(spec: "a*tan(b*x)", predictors: ["x"]).fit(
      to: data, start: ["a": 1, "b": 0.3], provenance: testProvenance)
    let b = state.parameters[1].estimate
    #expect(abs(b) * 32 < Double.pi / 2, "b = \(b)")
    let attempts = try #require(state.fit.solver?.attempts)
    #expect(attempts.contains { ($0.failure ?? "").contains("cos(b*x)") }, "\(attempts)")
  }

  /// From vmax = −5 the first trust-region run ends at km ≈ −32: a pole at dose 32, inside
  /// [2, 100], RSS 813 685 against 161.6 at the optimum. It must be rejected and the search
  /// go on to the optimum. Reference: scipy.optimize.least_squares (lm, tolerances 1e-15) on
  /// the same file, vmax 954.4748877138455, km 45.4055625555808 (as in
  /// NonlinearInstrumentTests), to 1e-7 relative.
  @Test("a converged run with a pole inside the domain is rejected and the search goes on")
  func poleRejected() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/saturating-detector.csv")
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))), name: "saturating-detector.csv")
    let data = try CalibrationData(reading: reader, predictors: ["dose"], response: "counts")
    let state = try ResponseModel(spec: "mm", predictors: ["dose"])
      .fit(to: data, start: ["vmax": -5], posterior: .laplace, provenance: testProvenance)
    #expect(abs(state.parameters[0].estimate - 954.4748877138455) <= 1e-7 * 954.5)
    #expect(abs(state.parameters[1].estimate - 45.4055625555808) <= 1e-7 * 45.4)
    let first = try #require(state.fit.solver?.attempts.first)
    #expect(!first.converged)
    #expect(first.failure?.contains("pole") == true && first.failure?.contains("km + x") == true)
    #expect(state.fit.solver?.attempts.last?.converged == true)
  }

  /// The detection reads the divisors off any formula: closed forms of where each curve has
  /// its pole or is undefined, against the domain of the standards.
  @Test("poles and gaps inside the calibrated domain are found in any formula")
  func detection() throws {
    let standards = [0.5, 2, 4, 6, 8, 10].map { [$0] }
    let mm = try ResponseModel(spec: "mm", predictors: ["x"])
    // km + x = 0 at x = −km: inside [0.5, 10] for km = −3, outside for km = 3 or −0.2.
    #expect(
      mm.poleOrGap(at: [100, -3], standards: standards)?.contains("'km + x' changes sign") == true)
    #expect(mm.poleOrGap(at: [100, 3], standards: standards) == nil)
    #expect(mm.poleOrGap(at: [100, -0.2], standards: standards) == nil)
    // A pole exactly at a standard (x = 6): the response is not finite there.
    let shifted = try ResponseModel(spec: "b0 + b1/(x - b2)", predictors: ["x"])
    #expect(shifted.poleOrGap(at: [1, 1, 6], standards: standards)?.contains("= 6.0") == true)
    // 0/0 at a standard (x = 6 here) is not a finite response.
    let removable = try ResponseModel(spec: "b0 + (x - b2)^2/(x - b2)", predictors: ["x"])
    #expect(removable.poleOrGap(at: [1, 6], standards: standards) != nil)
    // A divisor that is 0 where the response has a finite limit is no pole: exp(−q/x) at 0.
    let arrhenius = try ResponseModel(spec: "k + m*exp(-q/x)", predictors: ["x"])
    #expect(arrhenius.poleOrGap(at: [1, 2, 3], standards: [[0]] + standards) == nil)
    #expect(arrhenius.poleOrGap(at: [1, 2, -3], standards: [[0]] + standards) != nil)
    #expect(
      shifted.poleOrGap(at: [1, 1, 7.3], standards: standards)?.contains("changes sign") == true)
    #expect(shifted.poleOrGap(at: [1, 1, 12], standards: standards) == nil)
    // A base raised to a negative power is a divisor; to a positive one it is not.
    let power = try ResponseModel(spec: "b0 + b1*(x - b2)^b3", predictors: ["x"])
    #expect(power.poleOrGap(at: [1, 1, 5, 2], standards: standards) == nil)
    #expect(power.poleOrGap(at: [1, 1, 5.01, -1], standards: standards) != nil)
    // The log of a negative number: a gap (not finite) inside the domain.
    let logarithm = try ResponseModel(spec: "b0 + b1*log(x - b2)", predictors: ["x"])
    #expect(
      logarithm.poleOrGap(at: [1, 1, 3], standards: standards)?.contains("not a finite number")
        == true)
    #expect(logarithm.poleOrGap(at: [1, 1, 0], standards: standards) == nil)
  }

  /// The 5pl on the ELISA fixture, sampled with seed 1, has R̂ above 1.1 (1.18–1.24 seen); the
  /// Michaelis–Menten detector's run has R̂ ≤ 1.03. The warning carries the sampler's own
  /// figures, is in the file, survives a round trip, and is a reason on a measurement that
  /// averages over the samples (not on one that linearizes).
  @Test("an MCMC posterior with R̂ > 1.1 is a warning in the file and on every measurement")
  func samplerWarnings() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/elisa-4pl.csv")
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))), name: "elisa-4pl.csv")
    let data = try CalibrationData(reading: reader, predictors: ["conc_ng_mL"], response: "od")
    let state = try ResponseModel(spec: "5pl", predictors: ["conc_ng_mL"])
      .fit(to: data, posterior: .mcmc, seed: 1, provenance: testProvenance)
    #expect(state.posterior.kind == .mcmc)
    let rHat = try #require(state.posterior.sampler?.rHat)
    let worst = try #require(rHat.max())
    #expect(worst > 1.1)
    let warnings = try #require(state.posterior.warnings)
    #expect(warnings.count == 1)
    #expect(warnings[0].contains("R̂ = \(String(format: "%.3g", worst)) > 1.1"))

    // The file with `mcmc` and `warnings` matches the published schema.
    let validator = try JSONSchemaValidator(folder: SchemaTests.folder)
    let encoded = try JSONValue.parse(try InstrumentFile.encode(state))
    #expect(validator.validate(encoded, against: "instrument.schema.json").isEmpty)
    let decoded = try InstrumentFile.decode(try InstrumentFile.encode(state), name: "5pl.json")
    #expect(decoded.posterior.warnings == warnings && decoded.posterior.kind == .mcmc)

    let observation = Observation(id: "s", readings: [1.0], line: 2)
    let averaged = try Measurer(instrument: state, settings: MeasurementSettings()).measure(
      observation)
    #expect(averaged.x.predictive == .samples)
    #expect(averaged.coverage.reasons.contains(warnings[0]))
    let linearized = try Measurer(
      instrument: state, settings: MeasurementSettings(marginalization: .linearized)
    )
    .measure(observation)
    #expect(!linearized.coverage.reasons.contains(warnings[0]))

    let detector = try fixtureInstrument(
      "saturating-detector.csv", x: "dose", y: "counts", spec: "mm")
    let mmData = try CalibrationData(
      reading: try CSVReader(
        source: MemoryByteSource(
          [UInt8](
            try Data(
              contentsOf: url.deletingLastPathComponent().appendingPathComponent(
                "saturating-detector.csv")))),
        name: "saturating-detector.csv"),
      predictors: ["dose"], response: "counts")
    let sampled = try ResponseModel(spec: "mm", predictors: ["dose"]).fit(
      to: mmData, posterior: .mcmc, seed: 1, provenance: testProvenance)
    #expect(sampled.posterior.kind == .mcmc && sampled.posterior.warnings == nil)
    #expect((sampled.posterior.sampler?.rHat.max() ?? 2) <= 1.1)
    #expect(detector.posterior.kind == .laplace && detector.posterior.samples == nil)
  }

  /// A file written before `posterior.warnings` existed (no such key) still reads.
  @Test("instrument files without posterior.warnings still decode")
  func oldFilesDecode() throws {
    let state = try fixtureInstrument("elisa-4pl.csv", x: "conc_ng_mL", y: "od", spec: "4pl")
    let text = String(decoding: try InstrumentFile.encode(state), as: UTF8.self)
    #expect(!text.contains("\"warnings\""))
    let decoded = try InstrumentFile.decode(Array(text.utf8), name: "old.json")
    #expect(decoded.posterior.warnings == nil && decoded.state == state)
  }
}
