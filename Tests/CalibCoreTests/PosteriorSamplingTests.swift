import CalibCore
import Foundation
import Testing

/// MCMC samples of a nonlinear instrument's posterior against a brute-force grid, their
/// diagnostics, reproducibility, the automatic choice, and measurement by averaging over them.
@Suite("Posterior sampling of nonlinear instruments")
struct PosteriorSamplingTests {
  func detector(_ posterior: PosteriorChoice, seed: UInt64 = 1) throws -> InstrumentState {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/saturating-detector.csv")
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))), name: "saturating-detector.csv")
    let data = try CalibrationData(reading: reader, predictors: ["dose"], response: "counts")
    return try ResponseModel(spec: "mm", predictors: ["dose"]).fit(
      to: data, posterior: posterior, seed: seed, provenance: testProvenance)
  }

  /// p(vmax, km | D) ∝ RSS^(−n/2) on a 600×600 grid over ±8 Laplace standard errors: its
  /// means and sds against the samples', within 5 Monte Carlo standard errors (sd/√ESS).
  @Test(
    "samples reproduce a brute-force grid's posterior moments, to 5 Monte Carlo standard errors")
  func againstGrid() throws {
    let state = try detector(.mcmc)
    let x = state.domain.x[0], y = state.domain.y
    // One reading per standard: the zip below would drop an unpaired one.
    try #require(x.count == y.count)
    let n = Double(x.count)
    let (v0, k0) = (state.parameters[0].estimate, state.parameters[1].estimate)
    let (sv, sk) = (state.parameters[0].stdError, state.parameters[1].stdError)
    var weights: [(Double, Double, Double)] = []
    let cells = 600
    for a in 0..<cells {
      for b in 0..<cells {
        let v = v0 + sv * (-8 + 16 * (Double(a) + 0.5) / Double(cells))
        let k = k0 + sk * (-8 + 16 * (Double(b) + 0.5) / Double(cells))
        let rss = zip(x, y).reduce(0.0) { $0 + pow($1.1 - v * $1.0 / (k + $1.0), 2) }
        weights.append((v, k, -0.5 * n * log(rss)))
      }
    }
    let top = try #require(weights.map(\.2).max())
    let w = weights.map { exp($0.2 - top) }
    let total = w.reduce(0, +)
    let meanV = zip(weights, w).reduce(0.0) { $0 + $1.0.0 * $1.1 } / total
    let meanK = zip(weights, w).reduce(0.0) { $0 + $1.0.1 * $1.1 } / total
    let sdV = (zip(weights, w).reduce(0.0) { $0 + pow($1.0.0 - meanV, 2) * $1.1 } / total)
      .squareRoot()
    let sdK = (zip(weights, w).reduce(0.0) { $0 + pow($1.0.1 - meanK, 2) * $1.1 } / total)
      .squareRoot()

    let samples = try #require(state.posterior.samples)
    let sampler = try #require(state.posterior.sampler)
    let count = Double(samples.count)
    let sampleMeanV = samples.reduce(0.0) { $0 + $1[0] } / count
    let sampleMeanK = samples.reduce(0.0) { $0 + $1[1] } / count
    let sampleSDV = (samples.reduce(0.0) { $0 + pow($1[0] - sampleMeanV, 2) } / (count - 1))
      .squareRoot()
    let sampleSDK = (samples.reduce(0.0) { $0 + pow($1[1] - sampleMeanK, 2) } / (count - 1))
      .squareRoot()
    let ess = sampler.effectiveSampleSize
    #expect(abs(sampleMeanV - meanV) <= 5 * sdV / ess[0].squareRoot(), "\(sampleMeanV) vs \(meanV)")
    #expect(abs(sampleMeanK - meanK) <= 5 * sdK / ess[1].squareRoot(), "\(sampleMeanK) vs \(meanK)")
    // The sd of a sample sd is about sd/√(2·ESS).
    #expect(abs(sampleSDV - sdV) <= 5 * sdV / (2 * ess[0]).squareRoot(), "\(sampleSDV) vs \(sdV)")
    #expect(abs(sampleSDK - sdK) <= 5 * sdK / (2 * ess[1]).squareRoot(), "\(sampleSDK) vs \(sdK)")
    #expect(sampler.rHat.allSatisfy { $0 < 1.1 })
    #expect(sampler.effectiveSampleSize.allSatisfy { $0 > 200 })
    #expect(state.posterior.sigmaSamples?.count == samples.count)
  }

  @Test("the same seed gives the same samples; another seed, others")
  func reproducible() throws {
    let first = try detector(.mcmc, seed: 7)
    #expect(try detector(.mcmc, seed: 7).posterior.samples == first.posterior.samples)
    #expect(try detector(.mcmc, seed: 8).posterior.samples != first.posterior.samples)
  }

  @Test("auto samples where the Laplace approximation fails, and says why")
  func automatic() throws {
    // Standards far below km: the asymptote is unreached and the posterior is far from Gaussian.
    let data = try readCalibration(
      "x,y\n1,21.1\n2,38.0\n3,58.9\n4,73.5\n5,95.2\n6,108.8\n8,139.1\n10,168.3\n")
    let fit = try ResponseModel(spec: "mm", predictors: ["x"]).fit(
      to: data, posterior: .auto, provenance: testProvenance)
    #expect(fit.posterior.choice?.used == .mcmc, "\(String(describing: fit.posterior.choice))")
    #expect(
      fit.posterior.choice?.reason.contains("departs from its quadratic approximation") == true)
    let elisa = try fixtureInstrument("elisa-4pl.csv", x: "conc_ng_mL", y: "od", spec: "4pl")
    #expect(elisa.posterior.choice?.used == .laplace && elisa.posterior.samples == nil)
  }

  @Test("on a well-determined reading the three marginalizations agree, to 0.1 posterior sd")
  func marginalizationsAgree() throws {
    let state = try detector(.mcmc)
    let observation = Observation(id: "d", readings: [350], line: 2)
    let range = ClosedRangeRecord(lower: 20, upper: 40)
    let sampled = try Measurer(instrument: state, settings: MeasurementSettings(range: range))
      .measure(observation)
    let linearized = try Measurer(
      instrument: state, settings: MeasurementSettings(range: range, marginalization: .linearized)
    ).measure(observation)
    let integrated = try Measurer(
      instrument: state, settings: MeasurementSettings(range: range, marginalization: .integration)
    ).measure(observation)
    #expect(
      sampled.x.predictive == .samples && linearized.x.predictive == .linearized
        && integrated.x.predictive == .integration)
    let (linearizedMedian, linearizedSD) = (
      try #require(linearized.x.median), try #require(linearized.x.sd)
    )
    #expect(abs(try #require(integrated.x.median) - linearizedMedian) < 0.1 * linearizedSD)
    #expect(abs(try #require(integrated.x.sd) - linearizedSD) < 0.1 * linearizedSD)
    let mc = try #require(sampled.x.numerical?.monteCarloRelative)
    #expect(mc < 0.05)
    // Within a tenth of the posterior sd: the sample average differs from the linearization by
    // the posterior's small nonlinearity and the Monte Carlo error.
    #expect(abs(try #require(sampled.x.median) - linearizedMedian) < 0.1 * linearizedSD)
    #expect(abs(try #require(sampled.x.sd) - linearizedSD) < 0.1 * linearizedSD)
  }

  /// Standards far below km: the posterior runs along a ridge toward the unreached asymptote,
  /// and a measurement through the linearization understates its spread.
  @Test("where the linearization fails, the samples show a wider posterior")
  func linearizationFails() throws {
    let data = try readCalibration(
      "x,y\n1,21.1\n2,38.0\n3,58.9\n4,73.5\n5,95.2\n6,108.8\n8,139.1\n10,168.3\n")
    let state = try ResponseModel(spec: "mm", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
    let observation = Observation(id: "top", readings: [190], line: 2)
    let sampled = try Measurer(instrument: state, settings: MeasurementSettings()).measure(
      observation)
    let linearized = try Measurer(
      instrument: state, settings: MeasurementSettings(marginalization: .linearized)
    ).measure(observation)
    let (sampledSD, linearizedSD) = (try #require(sampled.x.sd), try #require(linearized.x.sd))
    #expect(sampledSD > 1.3 * linearizedSD, "\(sampledSD) vs \(linearizedSD)")
    #expect(sampled.coverage.status == .extrapolated)
  }

  @Test("bounds make the ridge of an unreached asymptote proper, and the samples keep to them")
  func bounds() throws {
    let data = try readCalibration(
      "x,y\n1,21.1\n2,38.0\n3,58.9\n4,73.5\n5,95.2\n6,108.8\n8,139.1\n10,168.3\n")
    let model = try ResponseModel(spec: "mm", predictors: ["x"])
    let limits = [
      "km": RangeRecord(lower: 0, upper: 200), "vmax": RangeRecord(lower: 0, upper: nil),
    ]
    let fit = try model.fit(to: data, posterior: .mcmc, bounds: limits, provenance: testProvenance)
    let samples = try #require(fit.posterior.samples)
    #expect(samples.allSatisfy { $0[1] >= 0 && $0[1] <= 200 && $0[0] >= 0 })
    #expect(fit.posterior.bounds == limits)
    #expect(try #require(fit.posterior.sampler).rHat.allSatisfy { $0 < 1.1 })
    #expect(throws: FitError.self) {
      try model.fit(
        to: data, bounds: ["q": RangeRecord(lower: 0, upper: 1)], provenance: testProvenance)
    }
    #expect(throws: FitError.self) {
      try ResponseModel(spec: "line", predictors: ["x"]).fit(
        to: data, bounds: ["b0": RangeRecord(lower: 0, upper: 1)], provenance: testProvenance)
    }
  }

  @Test("asking for samples an instrument does not have is an error")
  func noSamples() throws {
    let state = try detector(.laplace)
    #expect(throws: MeasurementError.self) {
      try Measurer(instrument: state, settings: MeasurementSettings(marginalization: .samples))
    }
  }
}
