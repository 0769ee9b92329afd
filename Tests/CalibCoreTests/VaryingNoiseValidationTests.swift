import CalibCore
import Foundation
import Testing

/// `calib validate` on an instrument whose noise varies with the response
/// (Fixtures/heteroscedastic-line.csv, 21 standards, a line with σ = s1·|μ|): the readings are
/// simulated with σ(μ) at the instrument's estimates and refitted with the same noise model, or
/// with a constant σ to show where a constant-noise fit of such data errs.
@Suite("Statistical coverage with a noise that varies")
struct VaryingNoiseValidationTests {
  static let trials = 600

  /// The fixture fitted as a line with proportional noise.
  static func proportionalInstrument() throws -> Instrument {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures").appendingPathComponent("heteroscedastic-line.csv")
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))),
      name: "heteroscedastic-line.csv")
    let data = try CalibrationData(
      reading: reader, predictors: ["conc"], response: "signal", uncertainty: nil, group: nil)
    let state = try ResponseModel(spec: "line", predictors: ["conc"]).fit(
      to: data, noise: .proportional, provenance: testProvenance)
    return try Instrument(state)
  }

  /// Reference: the nominal level. The maximum-likelihood σ̂² is biased low by (n − p − q)/n
  /// and scatters as a χ² on n − p − q = 18 degrees of freedom; for σ ∝ |μ| the reading's
  /// error standardized by σ̂·√(n/(n − p − q)) is a Student t₁₈, which is what the linearized
  /// predictive uses (a Gaussian with σ̂ covered only 0.460, 0.855, 0.910 here). Tolerance: 3
  /// binomial standard errors of the count of 600 trials (±0.061, ±0.037, ±0.027).
  /// The Bayesian method only: `inversion` takes about 50 ms a trial in a debug build.
  @Test("proportional noise: the linearized predictive covers at the nominal level (3 binomial se)")
  func proportionalCoverage() throws {
    let method = MeasurementSettings.Method.bayes
    let result = try CoverageValidation.run(
      instrument: try Self.proportionalInstrument(), trials: Self.trials,
      levels: [0.5, 0.9, 0.95], method: method, seed: 3, truth: .domain)
    #expect(result.failedFits == 0)
    #expect(result.simulatedNoise == .proportional && result.fittedNoise == .proportional)
    let reference = [0.5, 0.9, 0.95]
    for (level, expected) in zip(result.levels, reference) {
      let se = (expected * (1 - expected) / Double(Self.trials)).squareRoot()
      #expect(abs(level.coverage - expected) <= 3 * se, "\(method): \(level)")
    }
    let ranges = try #require(result.ranges)
    #expect(ranges.map(\.part) == ["low", "middle", "high"])
    #expect(ranges.map(\.trials).reduce(0, +) == Self.trials)
    // Each third on its own also covers at 95%: σ ∝ |μ| makes the pivot the same everywhere
    // (3 binomial se of its own count).
    for range in ranges {
      let c = try #require(range.levels.last).coverage
      let se = (0.95 * 0.05 / Double(range.trials)).squareRoot()
      #expect(abs(c - 0.95) <= 3 * se, "\(method): \(range)")
    }
  }

  /// The same simulation refitted with a constant σ: the pooled s is about the noise at the
  /// middle of the range, so intervals are too wide at the low end and too narrow at the high
  /// end. Reference: the binomial distribution of each third's count under the nominal level;
  /// the high third must fall below nominal by more than 3·√(L(1 − L)/m) (m its trials) at
  /// every level, the low third above it by more than that at 0.5 and 0.9 (at 0.95 the room
  /// above, 0.05, is within the tolerance of about 200 trials, ±0.046, so it is only required
  /// above nominal).
  @Test("constant-noise refit of proportional noise: over-covers low, under-covers high")
  func constantRefit() throws {
    let result = try CoverageValidation.run(
      instrument: try Self.proportionalInstrument(), trials: Self.trials,
      levels: [0.5, 0.9, 0.95], method: .bayes, seed: 3, truth: .domain, refit: .constant)
    #expect(result.simulatedNoise == .proportional && result.fittedNoise == .constant)
    #expect(result.truth.contains("refitted with a constant σ"))
    let ranges = try #require(result.ranges)
    let (low, high) = (ranges[0], ranges[2])
    for (k, level) in [0.5, 0.9, 0.95].enumerated() {
      let toleranceLow = 3 * (level * (1 - level) / Double(low.trials)).squareRoot()
      let toleranceHigh = 3 * (level * (1 - level) / Double(high.trials)).squareRoot()
      #expect(high.levels[k].coverage < level - toleranceHigh, "\(high)")
      if level < 0.95 {
        #expect(low.levels[k].coverage > level + toleranceLow, "\(low)")
      } else {
        #expect(low.levels[k].coverage > level, "\(low)")
      }
    }
  }

  /// The new fields validate against docs/schemas/validation.schema.json (which has
  /// additionalProperties false, so a field it did not list would be refused), and a third's
  /// coverage outside [0, 1] is refused.
  @Test("a varying-noise validation file validates against its schema")
  func schema() throws {
    let result = try CoverageValidation.run(
      instrument: try Self.proportionalInstrument(), trials: 12, levels: [0.9, 0.95],
      method: .wald, seed: 2, refit: .constant)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let validator = try JSONSchemaValidator(folder: SchemaTests.folder)
    let file = try JSONValue.parse([UInt8](try encoder.encode(result)))
    let problems = validator.validate(file, against: "validation.schema.json")
    #expect(problems.isEmpty, "\(problems)")
    guard case .object(var object) = file else {
      Issue.record("not an object")
      return
    }
    // A third's coverage is a share: 1.5 is refused.
    guard case .array(var ranges) = try #require(object["ranges"]),
      case .object(var low) = ranges[0], case .array(var levels) = try #require(low["levels"]),
      case .object(var first) = levels[0]
    else {
      Issue.record("ranges[0].levels[0] is not where the schema puts it")
      return
    }
    first["coverage"] = .number(1.5)
    levels[0] = .object(first)
    low["levels"] = .array(levels)
    ranges[0] = .object(low)
    object["ranges"] = .array(ranges)
    #expect(!validator.validate(.object(object), against: "validation.schema.json").isEmpty)
  }

  /// A calibration set from Fixtures, read as a line in `predictor`.
  static func data(_ file: String, predictor: String, response: String) throws -> CalibrationData {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures").appendingPathComponent(file)
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))), name: file)
    return try CalibrationData(reading: reader, predictors: [predictor], response: response)
  }

  /// Readings simulated from the instrument's own law: Poisson counts (Fixtures/counts-line.csv,
  /// nothing estimated in the noise) and Student's t₃ with a proportional scale
  /// (Fixtures/plate-reader-outliers.csv, ν fixed at 3), each refitted with its noise model
  /// and measured by the linearized predictive. Reference: the nominal levels; tolerance 3
  /// binomial standard errors of 600 trials. (calib: Poisson 0.513, 0.918, 0.952; t₃ 0.483,
  /// 0.902, 0.952.)
  @Test(
    "Poisson and Student-t instruments cover at the nominal level in simulation (3 binomial se)",
    arguments: [
      ("counts-line.csv", "dose", "counts", NoiseModel.poisson, NoiseDistribution.normal),
      ("plate-reader-outliers.csv", "conc", "signal", .proportional, .student),
    ])
  func lawCoverage(
    file: String, predictor: String, response: String, noise: NoiseModel,
    distribution: NoiseDistribution
  ) throws {
    let data = try Self.data(file, predictor: predictor, response: response)
    let state = try ResponseModel(spec: "line", predictors: [predictor]).fit(
      to: data, noise: noise, distribution: distribution,
      degreesOfFreedom: distribution == .student ? 3 : nil, provenance: testProvenance)
    let result = try CoverageValidation.run(
      instrument: try Instrument(state), trials: Self.trials, levels: [0.5, 0.9, 0.95],
      method: .bayes, seed: 3, truth: .domain)
    #expect(result.failedFits == 0)
    #expect(result.simulatedNoise == noise)
    for (level, expected) in zip(result.levels, [0.5, 0.9, 0.95]) {
      let se = (expected * (1 - expected) / Double(Self.trials)).squareRoot()
      #expect(abs(level.coverage - expected) <= 3 * se, "\(noise): \(level)")
    }
  }

  @Test("a constant refit of an instrument whose noise is constant is refused")
  func constantRefitNeedsVaryingNoise() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    #expect(throws: MeasurementError.self) {
      try CoverageValidation.run(
        instrument: try Instrument(state), trials: 10, levels: [0.95], method: .bayes, seed: 1,
        refit: .constant)
    }
    let same = try CoverageValidation.run(
      instrument: try Instrument(state), trials: 10, levels: [0.95], method: .bayes, seed: 1)
    #expect(same.ranges == nil && same.simulatedNoise == nil && same.fittedNoise == nil)
  }
}
