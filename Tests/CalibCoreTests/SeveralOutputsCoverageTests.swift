@testable import CalibCore
import Testing

/// The instrument map of instruments with several outputs (docs/coverage.md, "Several
/// outputs") against independent computations: the sd of two independent outputs in closed
/// form, and the design suggestion against a brute force that updates the parameters'
/// covariance in its information form, (K⁻¹ + GzᵀΣz⁻¹Gz)⁻¹, for every candidate.
@Suite("Coverage maps of instruments with several outputs")
struct SeveralOutputsCoverageTests {
  /// Two outputs fitted as straight lines with a diagonal Σ are independent: one reading
  /// vector at x tells x with 1/sd² = Σⱼ bⱼ²/(σⱼ²(1 + h(x))), h(x) = 1/n + (x − x̄)²/Sxx the
  /// line's leverage, bⱼ the slopes and σⱼ² the outputs' variances.
  @Test func sdOfIndependentOutputsMatchesTheClosedForm() throws {
    let instrument = try GeometryTests.instrument(
      "two-channel-sensor.csv", x: ["conc"], y: ["signal", "reference"], spec: "poly:1",
      structure: .diagonal)
    let measurer = try MultiOutputMeasurer(
      instrument: instrument, settings: MeasurementSettings())
    let map = MultiOutputInstrumentMap(measurer: measurer, points: 21)
    let x = instrument.state.domain.x[0]
    let n = Double(x.count)
    let mean = x.reduce(0, +) / n
    let sxx = x.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
    let slopes = instrument.state.outputs.map { $0.posterior.location[1] }
    let variances = (0..<2).map { instrument.state.noise.covariance[$0][$0] }
    var checked = 0
    for point in map.axes[0].points {
      let h = 1 / n + (point.x - mean) * (point.x - mean) / sxx
      let information = (0..<2).reduce(0.0) {
        $0 + slopes[$1] * slopes[$1] / (variances[$1] * (1 + h))
      }
      let expected = 1 / information.squareRoot()
      let sd = try #require(point.xSD)
      #expect(Swift.abs(sd - expected) < 1e-10 * expected)
      let sensitivity = try #require(point.sensitivity)
      let metric = (0..<2).reduce(0.0) { $0 + slopes[$1] * slopes[$1] / variances[$1] }
      #expect(Swift.abs(sensitivity - metric.squareRoot()) < 1e-10 * sensitivity)
      checked += 1
    }
    #expect(checked == 21)
    // Outside the calibrated range the line is extrapolated; inside, 7 evenly spaced levels
    // with duplicates are locally sufficient everywhere.
    for point in map.axes[0].points {
      let inside =
        instrument.state.domain.xRange[0].lower <= point.x
        && point.x <= instrument.state.domain.xRange[0].upper
      #expect(point.status == (inside ? .covered : .extrapolated))
    }
  }

  /// The suggestion for the two-component mixture (two unknowns, three outputs, a full Σ)
  /// and for a two-output quadratic with a gap in its design, against a brute force: for
  /// every candidate z, K′ = (K⁻¹ + GzᵀΣz⁻¹Gz)⁻¹, then the worst relative sd over the grid.
  @Test func designSuggestionMatchesBruteForce() throws {
    var gapped = "x,y1,y2\n"
    let noise = [0.004, -0.006, 0.003, 0.005, -0.002, -0.004, 0.006, -0.003, 0.002]
    for (i, x) in [0.0, 1, 2, 8, 9, 10, 0, 1, 2, 8, 9, 10].enumerated() {
      gapped +=
        "\(x),\(1 + 0.5 * x + 0.02 * x * x + noise[i % 9]),\(2 - 0.3 * x + noise[(i + 4) % 9])\n"
    }
    let reader = try CSVReader(source: MemoryByteSource(Array(gapped.utf8)), name: "g.csv")
    let data = try CalibrationData.outputs(
      reading: reader, predictors: ["x"], responses: ["y1", "y2"])
    let models = try (0..<2).map { _ in try ResponseModel(spec: "poly:2", predictors: ["x"]) }
    let quadratic = try MultiOutputInstrument(
      try MultiOutputFit.fit(
        to: data, models: models, structure: .full, spec: "poly:2", provenance: testProvenance))
    for instrument in [try GeometryTests.mixture(), quadratic] {
      let measurer = try MultiOutputMeasurer(
        instrument: instrument, settings: MeasurementSettings())
      let map = MultiOutputInstrumentMap(measurer: measurer, points: 5)
      let design = try #require(map.design)
      let box = instrument.state.domain.xRange
      let k = box.count
      let perAxis = k == 1 ? 101 : 11
      var grid: [[Double]] = [[]]
      for a in 0..<k {
        let levels = (0..<perAxis).map {
          box[a].lower + (box[a].upper - box[a].lower) * Double($0) / Double(perAxis - 1)
        }
        grid = grid.flatMap { prefix in levels.map { prefix + [$0] } }
      }
      let points = grid.map { LinearizedPrecision(measurer.predictive, at: $0) }
      let widths = box.map { $0.upper - $0.lower }
      let p = Int(Double(measurer.predictive.covariance.count).squareRoot())
      let m = measurer.predictive.outputs
      let kInverse = try #require(Cholesky.inverse(measurer.predictive.covariance, size: p))
      let noises = points.map {
        measurer.predictive.noiseCovariance(atMeans: measurer.predictive.means(at: $0.x))
      }
      var best = (value: Double.infinity, z: 0)
      for (z, candidate) in points.enumerated() {
        let noiseInverse = try #require(Cholesky.inverse(noises[z], size: m))
        var information = kInverse
        for r in 0..<p {
          for c in 0..<p {
            for i in 0..<m {
              for j in 0..<m {
                information[r * p + c] +=
                  candidate.gradients[i * p + r] * noiseInverse[i * m + j]
                  * candidate.gradients[j * p + c]
              }
            }
          }
        }
        let updated = try #require(Cholesky.inverse(information, size: p))
        var worst = 0.0
        for (point, noise) in zip(points, noises) {
          let sd = try #require(
            Self.standardDeviations(point, noise: noise, covariance: updated, p: p))
          for a in 0..<k { worst = max(worst, sd[a] / widths[a]) }
        }
        if worst < best.value { best = (worst, z) }
      }
      #expect(design.suggestedStandard == points[best.z].x)
      let after =
        design.worstAfter.xSD
        / widths[instrument.state.model.predictors.firstIndex(of: design.worstAfter.quantity)!]
      #expect(Swift.abs(after - best.value) < 1e-9 * best.value)
      #expect(design.reduction > 0 && design.reduction < 1)
    }
  }

  /// sd of each unknown at `point` with the parameters' covariance `covariance` (p × p):
  /// (JᵀV⁻¹J)⁻¹ with V = Σ + GKGᵀ formed directly, Σ the noise covariance there.
  static func standardDeviations(
    _ point: LinearizedPrecision, noise: [Double], covariance: [Double], p: Int
  ) -> [Double]? {
    let m = point.outputs, k = point.unknowns
    var v = noise
    for i in 0..<m {
      for j in 0..<m {
        for r in 0..<p {
          for c in 0..<p {
            v[i * m + j] +=
              point.gradients[i * p + r] * covariance[r * p + c] * point.gradients[j * p + c]
          }
        }
      }
    }
    guard let inverse = Cholesky.inverse(v, size: m) else { return nil }
    var information = [Double](repeating: 0, count: k * k)
    for a in 0..<k {
      for b in 0..<k {
        for i in 0..<m {
          for j in 0..<m {
            information[a * k + b] +=
              point.sensitivity[i * k + a] * inverse[i * m + j] * point.sensitivity[j * k + b]
          }
        }
      }
    }
    guard let covariance = Cholesky.inverse(information, size: k) else { return nil }
    return (0..<k).map { covariance[$0 * k + $0].squareRoot() }
  }
}
