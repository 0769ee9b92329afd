@testable import CalibCore
import Testing

/// The coverage rules as a pure function of the figures and thresholds (docs/coverage.md):
/// each rule fires exactly at its threshold, and the first that holds gives the status.
/// Reference: the rules' table in docs/coverage.md; the figures are made up to sit on either
/// side of each threshold.
@Suite("Coverage rules")
struct CoverageRulesTests {
  /// Figures of a measurement that every rule passes: covered.
  func evidence() -> CoverageEvidence {
    CoverageEvidence(
      estimate: 5,
      quantity: QuantityEstimate(
        method: .bayes, estimate: 5,
        interval: IntervalRecord(level: 0.95, lower: 4, upper: 6, bounded: true)),
      domain: 0...10, priorRange: -10...20, classicalRange: -1000...1010, pOutsideDomain: 0,
      priorBoundDensity: 0, atBound: -10, boundIsNatural: false,
      reading: ReadingCheck(
        mean: 0.5, responseRange: RangeRecord(lower: 0, upper: 1), withinResponseRange: true),
      leverage: LeverageCheck(atEstimate: 0.1, maxStandard: 0.2),
      support: SupportCheck(
        standardsInInterval: 2, neighbourhood: RangeRecord(lower: 3, upper: 7),
        distinctStandardsNearby: 3,
        nearestStandard: 5, nearestDistance: 0.1),
      consistency: ConsistencyCheck(pValue: 0.5, residualPValue: 0.5, replicatePValue: nil),
      local: local(levels: Array(0...10).map(Double.init)), response: "y",
      posteriorWarnings: [])
  }

  /// The local curvature test at x̂ = 5 of a model that fits the standards at `levels`.
  func local(levels: [Double]) -> LocalCurvatureCheck {
    LocalCurvatureCheck(
      estimate: [5], x: levels.map { [$0] }, residuals: [levels.map { _ in 0 }],
      sigma: [levels.map { _ in 0.01 }], dof: [max(levels.count - 2, 1)],
      modelCurvature: [[0]], spacings: [StandardSpacing(standards: levels)])
  }

  @Test("too few standards to tell curvature from noise is sparse, with the reason")
  func localCurvatureRule() {
    var e = evidence()
    e.local = local(levels: [0, 10])
    let report = CoverageRules.judge(e, thresholds: thresholds)
    #expect(report.status == .sparse)
    #expect(
      report.reasons == [
        "the calibration has 2 distinct levels: 3 are needed near x̂ = 5 to tell the response's curvature from noise"
      ])
    e.local = local(levels: [0, 1, 2, 9, 10, 11])
    #expect(CoverageRules.judge(e, thresholds: thresholds).status == .sparse)
    #expect(
      CoverageRules.judge(e, thresholds: thresholds).reasons.first?.contains("reach 4") == true)
    e.local = local(levels: [0, 1, 2, 3, 4, 6, 7, 8, 9, 10])
    #expect(CoverageRules.judge(e, thresholds: thresholds).status == .covered)
  }

  let thresholds = CoverageThresholds()

  @Test("each rule at its threshold, and the order of precedence")
  func thresholdsAndOrder() {
    var e = evidence()
    #expect(CoverageRules.judge(e, thresholds: thresholds).status == .covered)
    #expect(CoverageRules.judge(e, thresholds: thresholds).reasons.isEmpty)
    e.support.distinctStandardsNearby = thresholds.minimumSupport - 1
    #expect(CoverageRules.judge(e, thresholds: thresholds).status == .sparse)
    e.pOutsideDomain = thresholds.extrapolationMass
    #expect(CoverageRules.judge(e, thresholds: thresholds).status == .sparse)
    e.pOutsideDomain = thresholds.extrapolationMass.nextUp
    #expect(CoverageRules.judge(e, thresholds: thresholds).status == .extrapolated)
    e.consistency.pValue = thresholds.inconsistencyP
    #expect(CoverageRules.judge(e, thresholds: thresholds).status == .extrapolated)
    e.consistency.pValue = thresholds.inconsistencyP.nextDown
    #expect(CoverageRules.judge(e, thresholds: thresholds).status == .inconsistent)
    e.priorBoundDensity = thresholds.boundDensity
    let cut = CoverageRules.judge(e, thresholds: thresholds)
    #expect(cut.status == .outOfRange && cut.priorBound == -10)
    // Every rule that holds gives a reason.
    #expect(cut.reasons.count >= 3)
  }

  @Test("where the model begins (x = 0 for a 4pl), a posterior reaching the bound is not cut")
  func naturalBound() {
    var e = evidence()
    e.priorRange = 0...20
    e.atBound = 0
    e.priorBoundDensity = 1
    e.boundIsNatural = true
    let blank = CoverageRules.judge(e, thresholds: thresholds)
    #expect(blank.status == .covered && blank.priorBound == nil)
    #expect(blank.reasons.contains { $0.contains("where the model begins") })
    e.boundIsNatural = false
    #expect(CoverageRules.judge(e, thresholds: thresholds).status == .outOfRange)
  }
}
