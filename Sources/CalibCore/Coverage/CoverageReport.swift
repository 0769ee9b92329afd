/// Did the calibration reach this measurement? The figures behind the answer and the
/// status they give (docs/coverage.md).
public struct CoverageReport: Codable, Equatable, Sendable {
  /// The answer: `covered`, `sparse`, `extrapolated`, `out_of_range` or `inconsistent`.
  public var status: CoverageStatus
  /// Why, in sentences: every rule that fired, the status's first.
  public var reasons: [String]
  /// The posterior probability that x lies outside the calibrated domain [min x, max x].
  public var pOutsideDomain: Double
  /// The calibrated domain.
  public var domain: RangeRecord
  /// The posterior density at the nearer bound of the prior range, relative to its highest
  /// value: large when the prior range, not the data, stops the posterior.
  public var priorBoundDensity: Double
  /// The mean reading against the standards' readings.
  public var reading: ReadingCheck
  /// The leverage h(x̂) = φ(x̂)ᵀ(ΦᵀWΦ)⁻¹φ(x̂) against the largest among the standards.
  public var leverage: LeverageCheck
  /// The standards near the estimate.
  public var support: SupportCheck
  /// How probable the readings are under the fitted instrument.
  public var consistency: ConsistencyCheck
  /// With `out_of_range`: the bound of the prior range that cuts the posterior (the lower or
  /// the upper end of the range). The estimate is then only a bound: x lies beyond the
  /// interval's far end, toward this bound. Absent otherwise.
  public var priorBound: Double?
  /// Whether the standards near the estimate tell the response's curvature from noise
  /// (absent in reports written before the test existed).
  public var local: LocalCurvatureCheck?

  enum CodingKeys: String, CodingKey {
    case status, reasons, domain, reading, leverage, support, consistency, local
    case pOutsideDomain = "p_outside_domain"
    case priorBoundDensity = "prior_bound_density"
    case priorBound = "prior_bound"
  }
}

/// The mean reading against the range of the standards' readings.
public struct ReadingCheck: Codable, Equatable, Sendable {
  /// ȳ (weighted by 1/u² when the readings carry u).
  public var mean: Double
  /// The smallest and largest reading of the standards.
  public var responseRange: RangeRecord
  /// Whether ȳ lies within it.
  public var withinResponseRange: Bool

  enum CodingKeys: String, CodingKey {
    case mean
    case responseRange = "response_range"
    case withinResponseRange = "within_response_range"
  }
}

/// The leverage of the estimate against the standards'.
public struct LeverageCheck: Codable, Equatable, Sendable {
  /// h(x̂), with the unweighted regressors; null where it is not finite (the model or its
  /// sensitivities to the parameters are undefined at x̂), and a reason says so.
  public var atEstimate: Double?
  /// max over the standards of h(xᵢ), likewise.
  public var maxStandard: Double
  /// atEstimate/maxStandard: above 1 is extrapolation in the sense of the design; null where
  /// h(x̂) is, or where every standard has zero leverage.
  public var ratio: Double?

  /// The check of an estimate with leverage `atEstimate` against the standards' largest.
  public init(atEstimate: Double, maxStandard: Double) {
    self.atEstimate = atEstimate.isFinite ? atEstimate : nil
    self.maxStandard = maxStandard
    let ratio = atEstimate / maxStandard
    self.ratio = ratio.isFinite ? ratio : nil
  }

  enum CodingKeys: String, CodingKey {
    case ratio
    case atEstimate = "at_estimate"
    case maxStandard = "max_standard"
  }

  /// Writes a figure that is not defined as `null`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(atEstimate, forKey: .atEstimate)
    try container.encode(maxStandard, forKey: .maxStandard)
    try container.encode(ratio, forKey: .ratio)
  }
}

/// The standards near the estimate.
public struct SupportCheck: Codable, Equatable, Sendable {
  /// Standards (replicates counted) inside the credible interval.
  public var standardsInInterval: Int
  /// The neighbourhood: the credible interval widened to at least the reach of the estimate,
  /// 1.25 typical spacings of the standards on each side (in log x for a geometric design).
  public var neighbourhood: RangeRecord
  /// Distinct standard values of x inside the neighbourhood.
  public var distinctStandardsNearby: Int
  /// The standard nearest the estimate.
  public var nearestStandard: Double
  /// Its distance from the estimate in the metric of the noise: |μ(x̂) − μ(x_near)|/σ, σ the
  /// noise sd of a reading there (s, or its u(y)); with a σ that varies with the response, the
  /// length ∫|μ′(x)|/σ(μ(x)) dx between them. Null where μ(x̂) is not finite.
  public var nearestDistance: Double?

  enum CodingKeys: String, CodingKey {
    case neighbourhood
    case standardsInInterval = "standards_in_interval"
    case distinctStandardsNearby = "distinct_standards_nearby"
    case nearestStandard = "nearest_standard"
    case nearestDistance = "nearest_distance"
  }

  /// Writes a distance that is not defined as `null`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(standardsInInterval, forKey: .standardsInInterval)
    try container.encode(neighbourhood, forKey: .neighbourhood)
    try container.encode(distinctStandardsNearby, forKey: .distinctStandardsNearby)
    try container.encode(nearestStandard, forKey: .nearestStandard)
    try container.encode(nearestDistance, forKey: .nearestDistance)
  }
}

/// How probable the readings are under the fitted instrument.
public struct ConsistencyCheck: Codable, Equatable, Sendable {
  /// The smallest of the p-values below.
  public var pValue: Double
  /// Two-sided p-value of ȳ − μ(x_mode) against its predictive sd: small when no x in the
  /// range explains the reading.
  public var residualPValue: Double
  /// Upper-tail p-value of the replicates' spread against σ (F or χ²); null for one reading.
  public var replicatePValue: Double?

  enum CodingKeys: String, CodingKey {
    case pValue = "p_value"
    case residualPValue = "residual_p_value"
    case replicatePValue = "replicate_p_value"
  }
}
