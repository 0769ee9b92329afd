import Foundation

/// The figures the coverage rules judge for a measurement with several outputs, as the
/// measurer gathers them (docs/geometry.md, docs/coverage.md).
struct MultiOutputCoverageEvidence {
  /// The names of the unknowns and of the outputs.
  var predictors: [String]
  var responses: [String]
  /// Each unknown's marginal check, by name.
  var quantities: [String: QuantityCoverage]
  /// The whitened residual at the posterior's mode: its squared Mahalanobis distance in the
  /// predictive metric (nil where it is not defined), and the F test of it.
  var distance2: Double?
  var consistency: VectorConsistency
  /// ν′, the denominator dof of the F test.
  var predictiveDOF: Int
  /// The posterior probability outside the calibrated box, and the box.
  var pOutsideDomain: Double
  var domain: [ClosedRange<Double>]
  /// The neighbourhood of the estimate per unknown and the distinct standards inside it.
  var neighbourhoods: [ClosedRange<Double>]
  var standardsNearby: Int
  /// The local curvature test at the estimate.
  var local: LocalCurvatureCheck
  /// Distances in the metric of the noise.
  var metric: MetricCheck
}

/// The coverage rules for a measurement with several outputs: the rules of one output
/// (`CoverageRules`) with every distance in the metric of the noise, per unknown and jointly.
/// A pure function of the figures and thresholds.
enum MultiOutputCoverageRules {
  /// The status of one unknown from its marginal posterior: `out_of_range` when its density
  /// at an end of its prior range is at least the threshold of its peak, `extrapolated` when
  /// its mass outside its calibrated range exceeds the threshold, else `covered`.
  static func quantityStatus(
    boundDensity: Double, pOutsideDomain: Double, thresholds: CoverageThresholds
  ) -> CoverageStatus {
    boundDensity >= thresholds.boundDensity
      ? .outOfRange : pOutsideDomain > thresholds.extrapolationMass ? .extrapolated : .covered
  }

  /// The coverage report of a measurement with `evidence`, judged by `thresholds`: the first
  /// of `out_of_range`, `inconsistent`, `extrapolated`, `sparse` that a rule gives, else
  /// `covered`; every rule that holds adds a reason.
  static func judge(
    _ e: MultiOutputCoverageEvidence, thresholds: CoverageThresholds
  ) -> MultiOutputCoverageReport {
    let k = e.predictors.count
    var statuses: [CoverageStatus] = []
    var reasons: [String] = []
    for (name, check) in e.quantities.sorted(by: { $0.key < $1.key })
    where check.status == .outOfRange {
      statuses.append(.outOfRange)
      reasons.append(
        "the posterior of \(name) reaches the end of its prior range (density \(format(check.priorBoundDensity)) of its peak there): no \(name) in the range accounts for the readings"
      )
    }
    if let p = e.consistency.pValue, let statistic = e.consistency.statistic,
      let distance2 = e.distance2, p < thresholds.inconsistencyP
    {
      statuses.append(.inconsistent)
      reasons.append(
        "no \(k == 1 ? "x" : "value of the unknowns") explains the reading vector: it lies \(format(distance2.squareRoot())) noise sd from the calibrated responses at the best x (F = \(format(statistic)) on \(e.consistency.dof) and \(e.predictiveDOF) degrees of freedom, p = \(format(p)))"
      )
    }
    if e.pOutsideDomain > thresholds.extrapolationMass {
      statuses.append(.extrapolated)
      reasons.append(
        "the posterior lies mostly outside the calibrated \(k == 1 ? "domain" : "box") \(box(e.domain)): P = \(format(e.pOutsideDomain))"
      )
    }
    if !e.local.sufficient {
      statuses.append(.sparse)
      reasons.append(LocalCurvatureCheck.sparseReason(e.local, predictors: e.predictors))
    }
    if let (output, curvature) = e.local.disagreement {
      reasons.append(
        LocalCurvatureCheck.disagreementReason(curvature, output: e.responses[output]))
    }
    let nearby = e.standardsNearby
    if nearby < thresholds.minimumSupport {
      statuses.append(.sparse)
      reasons.append(
        "\(nearby) distinct standard\(nearby == 1 ? "" : "s") near the estimate (within \(box(e.neighbourhoods))): too few to pin the responses down there (minimum \(thresholds.minimumSupport))"
      )
    }
    let order: [CoverageStatus] = [.outOfRange, .inconsistent, .extrapolated, .sparse]
    return MultiOutputCoverageReport(
      status: order.first(where: statuses.contains) ?? .covered, reasons: reasons,
      pOutsideDomain: e.pOutsideDomain, metric: e.metric, consistency: e.consistency,
      standardsNearby: nearby, quantities: e.quantities, local: e.local)
  }

  /// Ranges written as [a, b] × [c, d].
  private static func box(_ ranges: [ClosedRange<Double>]) -> String {
    ranges.map { "[\(format($0.lowerBound)), \(format($0.upperBound))]" }
      .joined(separator: " × ")
  }

  /// A figure in a reason: three significant digits.
  private static func format(_ value: Double) -> String { String(format: "%.3g", value) }
}
