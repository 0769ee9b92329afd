/// What `calib measure` reports for one observation of an instrument with several outputs
/// (CONTRACT, "Several outputs" and "Several unknowns"; docs/geometry.md).
public struct MultiOutputObservationReport: Codable, Equatable, Sendable {
  /// The observation's name.
  public var id: String
  /// The line of the observations file where it starts.
  public var line: Int
  /// The reading vectors, one per row, in the order of the instrument's outputs.
  public var readings: [[Double]]
  /// The posterior summary of the unknown, for an instrument with one predictor.
  public var x: QuantityEstimate?
  /// The posterior summary of each unknown, for an instrument with several predictors.
  public var quantities: [String: QuantityEstimate]?
  /// The posterior correlation matrix of the unknowns, in the order of the predictors.
  public var correlation: [[Double]]?
  /// The joint highest-density credible region of the unknowns.
  public var joint: JointRegion?
  /// The coverage check: in the metric of the noise, and per unknown.
  public var coverage: MultiOutputCoverageReport
  /// With a dilution factor (`--dilution`): each unknown of the undiluted sample, its
  /// summaries times the factor; `x` and `quantities` stay the measured (diluted) sample's.
  public var undiluted: PerUnknown<UndilutedQuantity>?
  /// Each estimate against its unknown's range of quantitation (from the back-calculated
  /// standards); absent where the instrument has none.
  public var quantitation: PerUnknown<QuantitationStatus>?
}

/// The joint highest-density credible region of several unknowns: the set where the
/// posterior density is at least `density_threshold` of its peak, holding `level` of the
/// probability.
public struct JointRegion: Codable, Equatable, Sendable {
  /// The probability the region holds.
  public var level: Double
  /// Whether the region closes inside the prior range (false: the range cuts it).
  public var bounded: Bool
  /// The density on the region's boundary, relative to the posterior's peak.
  public var densityThreshold: Double
  /// The smallest box holding the region, per unknown.
  public var box: [String: RangeRecord]

  enum CodingKeys: String, CodingKey {
    case level, bounded, box
    case densityThreshold = "density_threshold"
  }
}

/// The coverage check of an observation of an instrument with several outputs.
public struct MultiOutputCoverageReport: Codable, Equatable, Sendable {
  /// The joint status: the first of `out_of_range`, `inconsistent`, `extrapolated`, `sparse`
  /// that any rule gives, else `covered`.
  public var status: CoverageStatus
  /// Every rule that holds, in words.
  public var reasons: [String]
  /// The posterior probability that the unknowns lie outside the calibrated box (the range
  /// of each predictor over the standards).
  public var pOutsideDomain: Double
  /// Distances in the metric of the noise.
  public var metric: MetricCheck
  /// Whether some x explains the reading vector.
  public var consistency: VectorConsistency
  /// The distinct standards (points in x) within the neighbourhood of the estimate.
  public var standardsNearby: Int
  /// The check per unknown, by predictor name.
  public var quantities: [String: QuantityCoverage]
  /// The local test of enough standards to tell curvature from noise (absent in reports
  /// written before it applied to several unknowns).
  public var local: LocalCurvatureCheck?

  enum CodingKeys: String, CodingKey {
    case status, reasons, metric, consistency, quantities, local
    case pOutsideDomain = "p_outside_domain"
    case standardsNearby = "standards_nearby"
  }
}

/// Distances of a reading vector in the metric of the noise, g = Σ⁻¹ (Mahalanobis), in
/// noise standard deviations of one reading vector.
public struct MetricCheck: Codable, Equatable, Sendable {
  /// From the calibrated response manifold {f(x)}: at the posterior mode, in the metric of
  /// the predictive covariance of the mean reading (noise and the instrument's uncertainty).
  public var fromManifold: Double
  /// To the nearest standard's fitted response vector f(xₛ), in the metric Σ(xₛ)⁻¹ there.
  public var toNearestStandard: Double
  /// That standard's x.
  public var nearestStandard: [Double]

  enum CodingKeys: String, CodingKey {
    case fromManifold = "from_manifold"
    case toNearestStandard = "to_nearest_standard"
    case nearestStandard = "nearest_standard"
  }
}

/// Whether any x explains a reading vector: the squared distance from the manifold at the
/// best x, referred to F(m − k, ν′) (the whitened residual's χ² with the noise estimated).
public struct VectorConsistency: Codable, Equatable, Sendable {
  /// dᵀΛ⁻¹d/(m − k) at the posterior mode.
  public var statistic: Double?
  /// m − k: the directions of the measurement space no x moves along.
  public var dof: Int
  /// P(F ≥ statistic); null where m = k (every reading vector is explained by some x).
  public var pValue: Double?

  enum CodingKeys: String, CodingKey {
    case statistic, dof
    case pValue = "p_value"
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(statistic, forKey: .statistic)
    try container.encode(dof, forKey: .dof)
    try container.encode(pValue, forKey: .pValue)
  }
}

/// The coverage check of one unknown of several.
public struct QuantityCoverage: Codable, Equatable, Sendable {
  /// `out_of_range`, `extrapolated` or `covered` for this unknown alone.
  public var status: CoverageStatus
  /// Its marginal posterior probability outside the predictor's calibrated range.
  public var pOutsideDomain: Double
  /// The predictor's range over the standards.
  public var domain: RangeRecord
  /// The marginal density at the prior range's ends, relative to its peak (the larger).
  public var priorBoundDensity: Double

  enum CodingKeys: String, CodingKey {
    case status, domain
    case pOutsideDomain = "p_outside_domain"
    case priorBoundDensity = "prior_bound_density"
  }
}
