import Foundation

/// The rules of the coverage check (docs/coverage.md): from the figures of one measurement
/// and the thresholds, its status and the reasons, in sentences. A pure function: the
/// measurer gathers the figures; these rules alone decide.
///
/// The first rule that holds gives the status (`out_of_range`, `inconsistent`,
/// `extrapolated`, `sparse` (too few standards nearby, or too few to tell the curvature from
/// noise), else `covered`); every rule that holds adds a reason, and so do
/// the warnings that do not change the status.
enum CoverageRules {
  /// The coverage report of a measurement with `evidence`, judged by `thresholds`.
  static func judge(_ evidence: CoverageEvidence, thresholds: CoverageThresholds) -> CoverageReport
  {
    var reasons: [String] = []
    var statuses: [CoverageStatus] = []
    let e = evidence
    let y = e.reading.mean
    let (domain, prior) = (e.domain, e.priorRange)

    // Where the model itself begins (x = 0 for a 4pl), a posterior that reaches the bound is
    // not cut off by the range: no x lies beyond it. A reading beyond the response there is
    // judged by its consistency instead.
    if e.priorBoundDensity >= thresholds.boundDensity {
      if e.boundIsNatural {
        reasons.append(
          "the posterior reaches x = \(format(e.atBound)), where the model begins (its density there is \(format(e.priorBoundDensity)) of its peak): x may be as low as that bound"
        )
      } else {
        statuses.append(.outOfRange)
        reasons.append(
          "the posterior density at the prior bound x = \(format(e.atBound)) is \(format(e.priorBoundDensity)) of its peak: the range [\(format(prior.lowerBound)), \(format(prior.upperBound))] cuts the posterior off, and x may lie beyond it (the curve is too flat there, or the reading lies beyond the response, to place x inside)"
        )
      }
    }
    let consistency = e.consistency
    if consistency.pValue < thresholds.inconsistencyP {
      statuses.append(.inconsistent)
      if consistency.residualPValue < thresholds.inconsistencyP {
        reasons.append(
          "no x explains the mean reading \(format(y)): its residual at the best x has p = \(format(consistency.residualPValue))"
        )
      }
      if let p = consistency.replicatePValue, p < thresholds.inconsistencyP {
        reasons.append(
          "the replicate readings scatter more than the instrument's noise allows (p = \(format(p)))"
        )
      }
    }
    if e.pOutsideDomain > thresholds.extrapolationMass {
      statuses.append(.extrapolated)
      reasons.append(
        "the posterior lies mostly outside the calibrated domain [\(format(domain.lowerBound)), \(format(domain.upperBound))]: P = \(format(e.pOutsideDomain))"
      )
    }
    let nearby = e.support.distinctStandardsNearby
    if nearby < thresholds.minimumSupport {
      statuses.append(.sparse)
      let neighbourhood = e.support.neighbourhood
      reasons.append(
        "\(nearby) distinct standard\(nearby == 1 ? "" : "s") within [\(format(neighbourhood.lower ?? -.infinity)), \(format(neighbourhood.upper ?? .infinity))]: too few to pin the curve down there (minimum \(thresholds.minimumSupport))"
      )
    }
    if !e.local.sufficient {
      statuses.append(.sparse)
      reasons.append(LocalCurvatureCheck.sparseReason(e.local, predictors: ["x"]))
    }
    if let (_, curvature) = e.local.disagreement {
      reasons.append(LocalCurvatureCheck.disagreementReason(curvature, output: e.response))
    }
    reasons += warnings(e, thresholds: thresholds)
    return CoverageReport(
      status: statuses.first ?? .covered, reasons: reasons, pOutsideDomain: e.pOutsideDomain,
      domain: RangeRecord(domain), priorBoundDensity: e.priorBoundDensity, reading: e.reading,
      leverage: e.leverage, support: e.support, consistency: consistency,
      priorBound: statuses.first == .outOfRange ? e.atBound : nil, local: e.local)
  }

  /// The reasons that do not change the status.
  private static func warnings(_ e: CoverageEvidence, thresholds: CoverageThresholds) -> [String] {
    var reasons: [String] = []
    let y = e.reading.mean
    if e.pOutsideDomain > 0.05 && e.pOutsideDomain <= thresholds.extrapolationMass {
      reasons.append("P(x outside the calibrated domain) = \(format(e.pOutsideDomain))")
    }
    if let ratio = e.leverage.ratio, ratio > 1 {
      reasons.append(
        "the leverage at the estimate is \(format(ratio)) times the largest among the standards")
    } else if e.leverage.ratio == nil {
      reasons.append(
        "the leverage at the estimate x = \(format(e.estimate)) is not defined: the model or its sensitivity to the parameters is not finite there"
      )
    }
    reasons += e.posteriorWarnings
    let quantity = e.quantity
    if let components = quantity.components {
      let list = components.map { "x ≈ \(format($0.mode)) (P = \(format($0.probability)))" }
      var sentence =
        "ambiguous: \(components.count) separate values of x explain the reading: \(list.joined(separator: ", "))"
      if !components.contains(where: { contains($0.hpd, e.estimate) }) {
        sentence += "; the median \(format(e.estimate)) lies between them, where the density is low"
      }
      reasons.append(sentence)
    }
    // Two solutions in the prior range are two explanations; a far root of a quadratic, many
    // domain widths away, is not one a lab would consider.
    let near = quantity.solutions?.filter { e.priorRange.contains($0) } ?? []
    if near.count > 1 {
      reasons.append(
        "ambiguous: \(near.count) values of x in the prior range give the mean reading: \(near.map(format).joined(separator: ", ")); the estimate is the one inside the calibrated domain, or the first"
      )
    }
    if let solutions = quantity.solutions, solutions.isEmpty {
      reasons.append(
        "no x in [\(format(e.classicalRange.lowerBound)), \(format(e.classicalRange.upperBound))] gives the mean reading \(format(y)): the estimate is where the curve comes closest to it, not a solution"
      )
    }
    let pieces =
      quantity.interval.pieces
      ?? [RangeRecord(lower: quantity.interval.lower, upper: quantity.interval.upper)]
    if quantity.method != .bayes, !pieces.contains(where: { contains($0, e.estimate) }) {
      reasons.append(
        "the estimate lies outside its own \(quantity.method.rawValue) interval, which holds no x that explains the reading"
      )
    }
    if !e.reading.withinResponseRange {
      let range = e.reading.responseRange
      reasons.append(
        "the mean reading \(format(y)) lies beyond the standards' readings [\(format(range.lower ?? -.infinity)), \(format(range.upper ?? .infinity))]"
      )
    }
    return reasons
  }

  /// Whether x lies in the range (a null end is open).
  private static func contains(_ range: RangeRecord, _ x: Double) -> Bool {
    (range.lower ?? -.infinity) <= x && x <= (range.upper ?? .infinity)
  }

  /// A figure in a reason: three significant digits.
  private static func format(_ value: Double) -> String { String(format: "%.3g", value) }
}
