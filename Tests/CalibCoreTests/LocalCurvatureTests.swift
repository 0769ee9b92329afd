@testable import CalibCore
import Foundation
import Testing

/// The local curvature test of coverage (docs/coverage.md, "Enough standards to tell curvature
/// from noise") against closed forms: the full quadratic on a 3 × 3 factorial, whose
/// coefficients are orthogonal contrasts; the growth of the neighbourhood until it fixes a
/// quadratic; and distances in log x with a blank.
@Suite("Local curvature test")
struct LocalCurvatureTests {
  /// On a 3 × 3 factorial of spacing 1 about x̂, residuals from the model that are exactly
  /// 1 + 0.3d₁² − 0.2d₁d₂ + 0.1d₂² give those coefficients back, with the factorial's
  /// standard errors σ/√2 (squares: the contrast (r₋ − 2r₀ + r₊)/2 averaged over three rows)
  /// and σ/2 (the cross term: (r₊₊ − r₊₋ − r₋₊ + r₋₋)/4); the Wald statistic against zero is
  /// Σ c²/se² = 18 + 16 + 2 = 36 (the three are uncorrelated), over 3, on χ²₃ for a known
  /// noise: Q(36) = erfc(√18) + √(72/π)·e⁻¹⁸. The standards' curvature is the model's plus
  /// the residuals'; residuals that do not curve give F = 0, p = 1.
  @Test func quadraticOnAFactorialMatchesItsContrasts() {
    let centre = [5.0, 5.0]
    let points: [[Double]] = [4.0, 5, 6].flatMap { a in [4.0, 5, 6].map { b in [a, b] } }
    let y = points.map { p -> Double in
      let (d1, d2) = (p[0] - 5, p[1] - 5)
      return 1 + 0.3 * d1 * d1 - 0.2 * d1 * d2 + 0.1 * d2 * d2
    }
    let spacings = [StandardSpacing(standards: [4, 5, 6]), StandardSpacing(standards: [4, 5, 6])]
    func check(residuals: [Double]) -> LocalCurvatureCheck {
      LocalCurvatureCheck(
        estimate: centre, x: points, residuals: [residuals],
        sigma: [points.map { _ in 0.1 }], dof: [nil], modelCurvature: [[0.1, 0, -0.05]],
        spacings: spacings)
    }
    let curving = check(residuals: y)
    #expect(curving.sufficient && curving.standards.count == 9)
    #expect(Swift.abs((curving.reach ?? .nan) - 2.0.squareRoot()) < 1e-12)
    let output = curving.outputs![0]
    let sd = [0.1 / 2.0.squareRoot(), 0.05, 0.1 / 2.0.squareRoot()]
    for a in 0..<3 {
      #expect(Swift.abs(output.residual[a] - [0.3, -0.2, 0.1][a]) < 1e-12)
      #expect(Swift.abs(output.local![a] - [0.4, -0.2, 0.05][a]) < 1e-12)
      #expect(Swift.abs(output.standardError[a] - sd[a]) < 1e-12)
    }
    #expect(Swift.abs(output.statistic - 12) < 1e-9)
    let tail = erfc(18.0.squareRoot()) + (72 / Double.pi).squareRoot() * exp(-18)
    #expect(Swift.abs(output.pValue - tail) < 1e-9 * tail)
    let straight = check(residuals: points.map { 0.01 * ($0[0] - $0[1]) }).outputs![0]
    #expect(straight.statistic < 1e-18 && Swift.abs(straight.pValue - 1) < 1e-12)
    // Six points are as many as the quadratic's coefficients; on a line, or on two lines of
    // one axis, they cannot fix it; the centre, its four neighbours and a corner can.
    let line: [[Double]] = [2.0, 3, 4, 5, 6, 7].map { [$0, 5] }
    #expect(!LocalQuadratic.fixes(line))
    let twoRows: [[Double]] = [4.0, 5, 6].flatMap { a in [4.0, 6].map { b in [a, b] } }
    #expect(!LocalQuadratic.fixes(twoRows))
    let cross: [[Double]] = [[5, 5], [4, 5], [6, 5], [5, 4], [5, 6], [4, 4]]
    #expect(LocalQuadratic.fixes(cross))
  }

  /// On a 3 × 3 × 3 design, the ten points nearest an estimate near a face span only two
  /// levels of one axis: the neighbourhood grows until it holds a third.
  @Test func neighbourhoodGrowsUntilItFixesAQuadratic() {
    let levels = [0.0, 1, 2]
    let points: [[Double]] = levels.flatMap { a in
      levels.flatMap { b in levels.map { c in [a, b, c] } }
    }
    let estimate = [0.47, 1.54, 1.0]
    let check = LocalCurvatureCheck(
      estimate: estimate, x: points, residuals: [points.map { $0.reduce(0, +) }],
      sigma: [points.map { _ in 1 }], dof: [20], modelCurvature: [[0, 0, 0, 0, 0, 0]],
      spacings: (0..<3).map { _ in StandardSpacing(standards: levels) })
    #expect(check.standards.count > 10 && check.sufficient)
    #expect(Set(check.standards.map { $0[0] }).count == 3)
    let farthest = check.standards.map { p in
      zip(p, estimate).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }.max()!
    #expect(Swift.abs((check.reach ?? .nan) - farthest) < 1e-12)
  }

  /// Three levels 0, 2, 5 with 2, 3 and 1 replicates, σ = 0.1 known: the quadratic through
  /// them is exact, and its curvature is the second divided difference of the level means,
  /// c = Σ r̄ᵢ/Πⱼ≠ᵢ(xᵢ − xⱼ), with se = σ·√(Σ (1/nᵢ)/Πⱼ≠ᵢ(xᵢ − xⱼ)²), z = c/se and
  /// p = erfc(|z|/√2); the resolution is se·D²/σ, D the farthest level from x̂. Wherever x̂
  /// lies, the same: and a check that keeps its fits between estimates (`Fits`, as a
  /// measurer does) gives every figure of a fresh one, bit for bit.
  @Test func threeLevelsWithReplicatesMatchTheDividedDifference() {
    let x = [0.0, 0, 2, 2, 2, 5]
    let r = [0.013, -0.004, 0.051, 0.038, 0.060, 0.240]
    let levels = [0.0, 2, 5], counts = [2.0, 3, 1]
    let means = [(r[0] + r[1]) / 2, (r[2] + r[3] + r[4]) / 3, r[5]]
    let products = levels.indices.map { i in
      levels.indices.filter { $0 != i }.reduce(1.0) { $0 * (levels[i] - levels[$1]) }
    }
    let c = levels.indices.reduce(0.0) { $0 + means[$1] / products[$1] }
    let se =
      0.1
      * levels.indices.reduce(0.0) { $0 + 1 / counts[$1] / (products[$1] * products[$1]) }
      .squareRoot()
    let design = LocalCurvatureCheck.Design(
      x: x.map { [$0] }, spacings: [StandardSpacing(standards: x)])
    var fits = LocalCurvatureCheck.Fits()
    for estimate in stride(from: -3.0, through: 9, by: 0.37) {
      func check(_ fits: inout LocalCurvatureCheck.Fits) -> LocalCurvatureCheck {
        LocalCurvatureCheck(
          estimate: [estimate], design: design, residuals: [r], sigma: [x.map { _ in 0.1 }],
          dof: [nil], modelCurvature: [[0.5]], fits: &fits)
      }
      var fresh = LocalCurvatureCheck.Fits()
      let kept = check(&fits)
      #expect(kept == check(&fresh), "x̂ = \(estimate)")
      let output = kept.outputs![0]
      #expect(Swift.abs(output.residual[0] - c) < 1e-12 * Swift.abs(c))
      #expect(Swift.abs(output.standardError[0] - se) < 1e-12 * se)
      #expect(Swift.abs(output.local![0] - (0.5 + c)) < 1e-12)
      #expect(Swift.abs(output.statistic - c * c / (se * se)) < 1e-10 * c * c / (se * se))
      let p = erfc(Swift.abs(c / se) / 2.0.squareRoot())
      #expect(Swift.abs(output.pValue - p) < 1e-10 * p)
      let farthest = levels.map { Swift.abs($0 - estimate) }.max()!
      let resolution = se * farthest * farthest / 0.1
      #expect(Swift.abs(kept.resolution! - resolution) < 1e-12 * resolution)
    }
  }

  /// A dilution series with a blank: distances are taken in log x, where the blank sits one
  /// step (log(300)/5) below the lowest positive standard, 0.1, and x = 0.05 halfway between;
  /// the typical gap is the median of the six gaps in that coordinate (the step, log 3 three
  /// times, log(10/3) twice): the mean of log 3 and the step. The third nearest level, 0.3,
  /// lies half a step plus log 3 away.
  @Test func logDistancesWithABlank() {
    let levels = [0, 0.1, 0.3, 1, 3, 10, 30]
    let check = LocalCurvatureCheck(
      estimate: [0.05], x: levels.map { [$0] }, residuals: [levels.map { _ in 0 }],
      sigma: [levels.map { _ in 0.01 }], dof: [5], modelCurvature: [[0]],
      spacings: [StandardSpacing(standards: levels)])
    let step = log(300.0) / 5
    #expect(check.standards == [[0], [0.1], [0.3]] || check.standards == [[0.1], [0], [0.3]])
    let typical = (log(3.0) + step) / 2
    #expect(Swift.abs((check.reach ?? .nan) - (0.5 * step + log(3.0)) / typical) < 1e-12)
    #expect(check.sufficient)
  }
}

/// Regressions of the local test found in review: the median gap of an even number of gaps,
/// and the model's curvature near x = 0 of a wide design.
@Suite("Local curvature test: edge cases")
struct LocalCurvatureEdgeTests {
  /// Levels 0, 1, 3, 4, 6 have gaps 1, 2, 1, 2: their median is 1.5 (not the upper middle, 2),
  /// and at x̂ = 0 the third level, 3, lies two of them away.
  @Test func medianOfAnEvenNumberOfGaps() {
    let levels = [0.0, 1, 3, 4, 6]
    let check = LocalCurvatureCheck(
      estimate: [0], x: levels.map { [$0] }, residuals: [levels.map { _ in 0 }],
      sigma: [levels.map { _ in 1 }], dof: [3], modelCurvature: [[0]],
      spacings: [StandardSpacing(standards: levels)])
    #expect(check.reach == 2)
  }

  /// About an estimate that is not finite, no point is nearer than another: every level is in
  /// the neighbourhood, and no quadratic is fitted.
  @Test func estimateThatIsNotFinite() {
    let levels = [0.0, 1, 3, 4, 6]
    for estimate in [Double.nan, .infinity, -.infinity] {
      let check = LocalCurvatureCheck(
        estimate: [estimate], x: levels.map { [$0] }, residuals: [[0.1, -0.2, 0.3, 0, 0.2]],
        sigma: [levels.map { _ in 1 }], dof: [3], modelCurvature: [[0]],
        spacings: [StandardSpacing(standards: levels)])
      #expect(check.standards.count == levels.count, "x̂ = \(estimate)")
      #expect(check.outputs == nil && check.resolution == nil && check.reach == nil)
      #expect(!check.sufficient)
    }
  }

  /// f = x^1.5 on a design spanning 0 … 10 000: at x = 0.001 the step stays on the positive
  /// side, and f″/2 = 0.375/√x to 1e-6.
  @Test func curvatureNearZeroOfAWideDesign() {
    let x = 0.001
    let curvature = LocalCurvatureCheck.modelCurvature(at: [x], standards: [[0, 10_000]]) {
      [1.5 * $0[0].squareRoot()]
    }
    let expected = 0.375 / x.squareRoot()
    #expect(Swift.abs(curvature[0] - expected) < 1e-6 * expected)
  }
}

/// The model's own curvature in the report, for a polynomial in x taken exactly: for
/// `poly:3` on the Pontius load cell, ½f″(x̂) = a₂ + 3a₃x̂ at every estimate; for the line, 0.
@Suite("Local curvature test: the model's curvature")
struct LocalCurvatureModelTests {
  @Test func polynomialCurvatureIsExact() throws {
    let cubic = try fixtureInstrument(
      "pontius-load-cell.csv", x: "load", y: "deflection", spec: "poly:3")
    let a = cubic.parameters.map(\.estimate)
    let measurer = try Measurer(instrument: cubic, settings: MeasurementSettings())
    for (i, y) in [0.3, 0.9, 1.5, 2.1].enumerated() {
      let report = try measurer.measure(Observation(id: "o", readings: [y], line: i + 2))
      let local = try #require(report.coverage.local)
      let model = try #require(local.outputs?.first?.model?.first)
      let expected = a[2] + 3 * a[3] * local.estimate[0]
      #expect(Swift.abs(model - expected) <= 1e-14 * Swift.abs(expected), "y = \(y)")
    }
    let line = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line",
      group: "standard")
    let report = try Measurer(instrument: line, settings: MeasurementSettings()).measure(
      Observation(id: "o", readings: [0.4], line: 2))
    #expect(report.coverage.local?.outputs?.first?.model == [0])
  }
}

/// With uncertain standards (`--sx`) a standard's residual carries its x error through the
/// slope: readings on the fitted line are not said to curve unlike it.
@Suite("Local curvature test: uncertain standards")
struct LocalCurvatureUncertainStandardsTests {
  @Test func residualNoiseIncludesTheStandardsUncertainty() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/uncertain-standards.csv")
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))), name: "u.csv")
    let data = try CalibrationData(
      reading: reader, predictors: ["dose"], response: "signal", uncertainty: "u_signal",
      predictorUncertainty: "u_dose")
    let state = try ResponseModel(spec: "line", predictors: ["dose"]).fit(
      to: data, provenance: testProvenance)
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    let (b0, b1) = (state.parameters[0].estimate, state.parameters[1].estimate)
    for (i, x) in [1.2, 2.5, 4.0, 5.5, 7.0, 9.0].enumerated() {
      let report = try measurer.measure(
        Observation(id: "o\(i)", readings: [b0 + b1 * x], uncertainties: [0.05], line: i + 2))
      let local = try #require(report.coverage.local?.outputs?.first)
      #expect(local.pValue > 0.0027, "x = \(x): p = \(local.pValue)")
      #expect(!report.coverage.reasons.contains { $0.contains("curve unlike") })
    }
  }
}
