import CalibCore
import Foundation
import Testing

/// Statistical coverage by simulation: the Bayesian intervals of a linear instrument hold the
/// truth as often as their level says, and the ranks are uniform.
@Suite("Statistical coverage by simulation")
struct ValidationTests {
  /// 800 trials: each coverage is held within 4 binomial standard errors of its level
  /// (about ±0.03 at 0.5, ±0.02 at 0.9); the rank histogram's χ² p-value above 0.001.
  @Test(
    "Bayesian intervals have their nominal coverage (to 4 binomial se) and uniform ranks",
    arguments: MeasurementSettings.Method.allCases)
  func nominalCoverage(_ method: MeasurementSettings.Method) throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let result = try CoverageValidation.run(
      instrument: try Instrument(state), trials: 800, levels: [0.5, 0.9, 0.95], method: method,
      seed: 11)
    #expect(result.format == "calib-validation/1" && result.trials == 800 && result.failedFits == 0)
    for level in result.levels {
      let se = (level.level * (1 - level.level) / 800).squareRoot()
      #expect(abs(level.coverage - level.level) <= 4 * se, "\(method): \(level)")
    }
    if method == .bayes {
      let ranks = try #require(result.ranks)
      #expect(ranks.bins.reduce(0, +) == 800 && ranks.bins.count == 20)
      #expect(ranks.pValue > 0.001, "\(ranks)")
    } else {
      #expect(result.ranks == nil)
    }
  }

  @Test("the same seed gives the same figures")
  func reproducible() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let first = try CoverageValidation.run(
      instrument: try Instrument(state), trials: 50, levels: [0.95], method: .bayes, seed: 5,
      truth: .domain)
    #expect(
      try CoverageValidation.run(
        instrument: try Instrument(state), trials: 50, levels: [0.95], method: .bayes, seed: 5,
        truth: .domain)
        == first)
    #expect(first.truth.contains("calibrated domain"))
    #expect(throws: MeasurementError.self) {
      try CoverageValidation.run(
        instrument: try Instrument(state), trials: 10, levels: [1.5], method: .bayes, seed: 1)
    }
  }
}
