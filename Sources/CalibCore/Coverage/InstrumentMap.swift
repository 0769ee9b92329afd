/// Where an instrument can measure: across the prior range of x, the leverage, the local
/// support of standards, the sensitivity and the precision of a single reading, summarized
/// as regions `covered`, `sparse` and `extrapolated` (docs/coverage.md). The `calib coverage`
/// file (`calib-coverage/1`).
public struct InstrumentMap: Codable, Equatable, Sendable {
  /// `calib-coverage/1`.
  public var format: String
  /// The calibrated domain.
  public var domain: ClosedRangeRecord
  /// The prior range the map spans.
  public var range: ClosedRangeRecord
  /// Distinct standard values of x, and their typical spacing: the span over the gaps, in x
  /// (`spacing_scale` `linear`) or in log x (`log`, a geometric design).
  public var distinctStandards: Int
  public var typicalSpacing: Double
  public var spacingScale: String
  /// The largest leverage among the standards.
  public var maxLeverage: Double
  /// The map at evenly spaced points of the range (a point where the model is undefined is
  /// taken just inside it, or left out).
  public var points: [Point]
  /// The range cut into maximal runs of one status. Exact: the status changes only at the
  /// domain's ends and at the reach of a standard.
  public var regions: [Region]
  /// Where the response turns (dμ/dx = 0) inside the range: readings near the response
  /// there have two solutions.
  public var turningPoints: [Double]
  /// With observations: the coverage block of each.
  public var observations: [ObservationCoverage]?
  /// Where one more standard would help most (nil where it cannot be computed).
  public var design: DesignSuggestion?

  /// One point of the map.
  public struct Point: Codable, Equatable, Sendable {
    /// The point.
    public var x: Double
    /// μ(x), the mean response.
    public var response: Double
    /// dμ/dx, the sensitivity.
    public var sensitivity: Double
    /// h(x) and h(x)/max h(standards).
    public var leverage: Double
    public var leverageRatio: Double
    /// Distinct standards within reach of x: 1.25 typical spacings (in log x for a geometric
    /// design).
    public var support: Int
    /// The linearized sd of x from one reading at x: √(σ²(1 + h))/|dμ/dx| with σ estimated,
    /// √(u² + h)/|dμ/dx| with the standards' median u(y) when known; null where the
    /// sensitivity is 0 (a reading there does not tell x: the sd is unbounded).
    public var xSD: Double?
    /// `covered`, `sparse` or `extrapolated`.
    public var status: CoverageStatus

    enum CodingKeys: String, CodingKey {
      case x, response, sensitivity, leverage, support, status
      case leverageRatio = "leverage_ratio"
      case xSD = "x_sd"
    }

    /// Writes an unbounded sd as `null`.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(x, forKey: .x)
      try container.encode(response, forKey: .response)
      try container.encode(sensitivity, forKey: .sensitivity)
      try container.encode(leverage, forKey: .leverage)
      try container.encode(leverageRatio, forKey: .leverageRatio)
      try container.encode(support, forKey: .support)
      try container.encode(xSD, forKey: .xSD)
      try container.encode(status, forKey: .status)
    }
  }

  /// A run of the map with one status.
  public struct Region: Codable, Equatable, Sendable {
    /// Where the run starts.
    public var lower: Double
    /// Where it ends.
    public var upper: Double
    /// `covered`, `sparse` or `extrapolated`.
    public var status: CoverageStatus
  }

  /// An observation's estimate and coverage block.
  public struct ObservationCoverage: Codable, Equatable, Sendable {
    /// The observation's name.
    public var id: String
    /// Its line in the observations file.
    public var line: Int
    /// Its readings.
    public var readings: [Double]
    /// The Bayesian estimate (posterior median); absent when the observation could not be
    /// measured.
    public var estimate: Double?
    /// The coverage block; absent likewise.
    public var coverage: CoverageReport?
    /// Why the observation could not be measured, when it could not.
    public var error: ObservationFailure.Problem?

    /// The block of a measured observation.
    public init(_ report: ObservationReport) {
      id = report.id
      line = report.line
      readings = report.readings
      estimate = report.x.estimate
      coverage = report.coverage
    }

    /// The block of an observation that could not be measured.
    public init(_ failure: ObservationFailure) {
      id = failure.id
      line = failure.line
      readings = failure.readings
      error = failure.error
    }
  }

  enum CodingKeys: String, CodingKey {
    case format, domain, range, points, regions, observations, design
    case distinctStandards = "distinct_standards"
    case typicalSpacing = "typical_spacing"
    case spacingScale = "spacing_scale"
    case maxLeverage = "max_leverage"
    case turningPoints = "turning_points"
  }

  /// Where one more standard would shrink the worst measurement sd in the domain most,
  /// among the domain's ends and the map's points inside it.
  private static func designSuggestion(
    for linear: MeasuringInstrument, at xs: [Double]
  ) -> DesignSuggestion? {
    let domain = linear.domain
    let inside =
      [domain.lowerBound]
      + xs.filter { $0 > domain.lowerBound && $0 < domain.upperBound } + [domain.upperBound]
    let p = linear.parameterCount
    var gradients: [[Double]] = [], variances: [Double] = [], slopes: [Double] = []
    var points: [Double] = []
    for x in inside {
      var g = [Double](repeating: 0, count: p)
      let mean = g.withUnsafeMutableBufferPointer { linear.evaluate(at: x, regressors: $0).mean }
      let variance = linear.readingVariance(atMean: mean)
      let slope = linear.slope(at: x)
      // A point where the model or its gradient is not finite (x = 0 for a 4pl, whose gradient
      // in b holds 0·log 0) is left out of the search.
      guard g.allSatisfy(\.isFinite), variance.isFinite, slope.isFinite else { continue }
      points.append(x)
      gradients.append(g)
      variances.append(variance)
      slopes.append(slope)
    }
    return DesignSuggestion(
      x: points, gradients: gradients, noise: variances, slopes: slopes,
      covariance: linear.scale.map { $0 * linear.s2 })
  }

  /// The map of `measurer`'s instrument over its prior range.
  ///
  /// - Parameters:
  ///   - measurer: The instrument and its settings (the range, the support threshold).
  ///   - points: How many evenly spaced points, at least 2.
  public init(measurer: Measurer, points count: Int = 201) throws {
    let linear = measurer.linear
    let range = measurer.priorRange
    let thresholds = measurer.settings.thresholds
    let spacing = StandardSpacing(standards: linear.standardsX)
    let maxLeverage = linear.standardsX.map { linear.evaluate(at: $0).leverage }.max() ?? 0
    func status(at x: Double) -> (status: CoverageStatus, support: Int) {
      let support = spacing.count(in: spacing.reach(of: x))
      let status: CoverageStatus =
        !linear.domain.contains(x)
        ? .extrapolated : support < thresholds.minimumSupport ? .sparse : .covered
      return (status, support)
    }
    var points: [Point] = []
    let span = range.upperBound - range.lowerBound
    for i in 0..<max(count, 2) {
      var x = range.lowerBound + span * Double(i) / Double(max(count, 2) - 1)
      var (mean, leverage) = linear.evaluate(at: x)
      var slope = linear.slope(at: x)
      // Where the model is undefined at a point itself (x = 0 for a power x^b with b < 0, or a
      // 4pl whose slope there is infinite), a point just inside, toward the domain, stands for
      // it; a point where the model is undefined all the same is left out of the map.
      if !(mean.isFinite && leverage.isFinite && slope.isFinite) {
        x += (x < linear.domain.lowerBound ? 1 : -1) * span * 1e-9
        (mean, leverage) = linear.evaluate(at: x)
        slope = linear.slope(at: x)
        guard mean.isFinite, leverage.isFinite, slope.isFinite else { continue }
      }
      let (label, support) = status(at: x)
      let variance = linear.predictionVariance(atMean: mean, leverage: leverage)
      points.append(
        Point(
          x: x, response: mean, sensitivity: slope, leverage: leverage,
          leverageRatio: maxLeverage > 0 ? leverage / maxLeverage : 0, support: support,
          xSD: Optional(variance.squareRoot() / Swift.abs(slope)).flatMap {
            $0.isFinite ? $0 : nil
          },
          status: label))
    }
    // The status changes only at the domain's ends and at the reach of a standard: between
    // those breakpoints it is constant, so the regions are exact.
    var breakpoints = [
      range.lowerBound, range.upperBound, linear.domain.lowerBound, linear.domain.upperBound,
    ]
    breakpoints += spacing.breakpoints
    breakpoints = Array(Set(breakpoints.filter { range.contains($0) })).sorted()
    var regions: [Region] = []
    for k in 0..<(breakpoints.count - 1) {
      let label = status(at: 0.5 * (breakpoints[k] + breakpoints[k + 1])).status
      if let last = regions.last, last.status == label {
        regions[regions.count - 1].upper = breakpoints[k + 1]
      } else {
        regions.append(Region(lower: breakpoints[k], upper: breakpoints[k + 1], status: label))
      }
    }
    format = "calib-coverage/1"
    domain = ClosedRangeRecord(lower: linear.domain.lowerBound, upper: linear.domain.upperBound)
    self.range = ClosedRangeRecord(lower: range.lowerBound, upper: range.upperBound)
    distinctStandards = spacing.distinct.count
    typicalSpacing = spacing.step
    spacingScale = spacing.logarithmic ? "log" : "linear"
    self.maxLeverage = maxLeverage
    self.points = points
    self.regions = regions
    turningPoints = try Roots.all(of: { linear.slope(at: $0) }, in: range)
    observations = nil
    design = Self.designSuggestion(for: linear, at: points.map(\.x))
  }
}
