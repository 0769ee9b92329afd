/// Where an instrument with several outputs can measure (docs/coverage.md, "Several
/// outputs"): for each unknown, the line across its prior range through the middle of the
/// calibrated box (the other unknowns held at the middle of their calibrated ranges), and at
/// evenly spaced points of it the response vector, the sensitivity in the metric of the noise,
/// the linearized sd of that unknown from one reading vector, the local test of enough
/// standards to tell curvature from noise, and the status a measurement there would get;
/// then where one more standard would help most. The `calib coverage` file of such an
/// instrument (`calib-multi-output-coverage/1`).
public struct MultiOutputInstrumentMap: Codable, Equatable, Sendable {
  /// `calib-multi-output-coverage/1`.
  public var format: String
  /// The unknowns and the outputs, in the instrument's order.
  public var predictors: [String]
  public var responses: [String]
  /// The calibrated range of each unknown (over the standards), by name.
  public var domain: [String: ClosedRangeRecord]
  /// The prior range of each unknown the map spans, by name.
  public var range: [String: ClosedRangeRecord]
  /// One line per unknown, in the order of the predictors.
  public var axes: [Axis]
  /// Where one more standard would help most (nil where it cannot be computed).
  public var design: MultiOutputDesignSuggestion?
  /// With observations: the estimate and coverage block of each.
  public var observations: [ObservationCoverage]?

  /// The map along one unknown.
  public struct Axis: Codable, Equatable, Sendable {
    /// The unknown varied.
    public var predictor: String
    /// The value of every unknown where the line crosses the middle of the box.
    public var through: [Double]
    /// Distinct levels of this unknown among the standards, their typical spacing (the
    /// span over the gaps) and its scale (`linear`, or `log` for a geometric design).
    public var distinctStandards: Int
    public var typicalSpacing: Double
    public var spacingScale: String
    /// The map at evenly spaced points of the unknown's prior range (a point where the model
    /// is undefined is left out).
    public var points: [Point]
    /// The line cut into runs of one status, ends halfway between points of different
    /// status (to the map's resolution).
    public var regions: [InstrumentMap.Region]

    enum CodingKeys: String, CodingKey {
      case predictor, through, points, regions
      case distinctStandards = "distinct_standards"
      case typicalSpacing = "typical_spacing"
      case spacingScale = "spacing_scale"
    }
  }

  /// One point of a line.
  public struct Point: Codable, Equatable, Sendable {
    /// The value of the unknown varied.
    public var x: Double
    /// μ(x), one mean response per output.
    public var responses: [Double]
    /// √(jᵀΣ⁻¹j), j = ∂μ/∂x along the line: the change of the response vector per unit of
    /// the unknown, in noise sd; null where Σ(x) is singular.
    public var sensitivity: Double?
    /// The linearized sd of the unknown from one reading vector at x ((JᵀV⁻¹J)⁻¹, V the
    /// noise and the instrument's uncertainty; docs/coverage.md); null where a reading does
    /// not tell x there.
    public var xSD: Double?
    /// Distinct standards (points in x) within reach of x: 1.25 typical spacings along each
    /// unknown.
    public var support: Int
    /// The local test's reach in typical spacings, and whether the standards there tell the
    /// response's curvature from noise.
    public var localReach: Double?
    public var locallySufficient: Bool
    /// `covered`, `sparse` or `extrapolated`.
    public var status: CoverageStatus

    enum CodingKeys: String, CodingKey {
      case x, responses, sensitivity, support, status
      case xSD = "x_sd"
      case localReach = "local_reach"
      case locallySufficient = "locally_sufficient"
    }

    /// Writes an undefined figure as `null`.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(x, forKey: .x)
      try container.encode(responses, forKey: .responses)
      try container.encode(sensitivity, forKey: .sensitivity)
      try container.encode(xSD, forKey: .xSD)
      try container.encode(support, forKey: .support)
      try container.encode(localReach, forKey: .localReach)
      try container.encode(locallySufficient, forKey: .locallySufficient)
      try container.encode(status, forKey: .status)
    }
  }

  /// An observation's estimates and coverage block.
  public struct ObservationCoverage: Codable, Equatable, Sendable {
    /// The observation's name, its line, its reading vectors.
    public var id: String
    public var line: Int
    public var readings: [[Double]]
    /// The posterior median of each unknown, by name; absent when it could not be measured.
    public var estimate: [String: Double]?
    /// The coverage block; absent likewise.
    public var coverage: MultiOutputCoverageReport?
    /// Why the observation could not be measured, when it could not.
    public var error: ObservationFailure.Problem?

    /// The block of a measured observation of an instrument with unknowns `predictors`.
    public init(_ report: MultiOutputObservationReport, predictors: [String]) {
      id = report.id
      line = report.line
      readings = report.readings
      if let x = report.x {
        estimate = [predictors[0]: x.estimate]
      } else {
        estimate = report.quantities?.mapValues(\.estimate)
      }
      coverage = report.coverage
    }

    /// The block of an observation that could not be measured, with `outputs` outputs.
    public init(_ failure: ObservationFailure, outputs: Int) {
      id = failure.id
      line = failure.line
      let m = max(outputs, 1)
      readings = stride(from: 0, to: failure.readings.count - m + 1, by: m).map {
        Array(failure.readings[$0..<($0 + m)])
      }
      error = failure.error
    }
  }

  /// The map of `measurer`'s instrument over its prior ranges, `count` points per line (at
  /// least 2).
  public init(measurer: MultiOutputMeasurer, points count: Int = 201) {
    let state = measurer.instrument.state
    let predictors = state.model.predictors
    let k = predictors.count
    let box = state.domain.xRange.map { $0.lower...$0.upper }
    let middle = box.map { ($0.lowerBound + $0.upperBound) / 2 }
    let spacings = state.domain.x.map { StandardSpacing(standards: $0) }
    let minimumSupport = measurer.settings.thresholds.minimumSupport
    axes = (0..<k).map { a in
      let range = measurer.priorRanges[a]
      let n = max(count, 2)
      var points: [Point] = []
      for i in 0..<n {
        var x = middle
        x[a] = range.lowerBound + (range.upperBound - range.lowerBound) * Double(i) / Double(n - 1)
        let responses = measurer.predictive.means(at: x)
        // A point where the model is undefined (x ≤ 0 for a 4pl) is left out of the map.
        guard responses.allSatisfy(\.isFinite) else { continue }
        let precision = LinearizedPrecision(measurer.predictive, at: x)
        let local = measurer.localCurvature(at: x)
        let support = measurer.standardsNearby(
          within: (0..<k).map { spacings[$0].reach(of: x[$0]) })
        let status: CoverageStatus =
          !(0..<k).allSatisfy({ box[$0].contains(x[$0]) })
          ? .extrapolated
          : !local.sufficient || support < minimumSupport ? .sparse : .covered
        let sd = precision.standardDeviations()?[a]
        let sensitivity = precision.metricSensitivity?[a]
        points.append(
          Point(
            x: x[a], responses: responses,
            sensitivity: sensitivity.flatMap { $0.isFinite ? $0 : nil },
            xSD: sd, support: support, localReach: local.reach,
            locallySufficient: local.sufficient, status: status))
      }
      var regions: [InstrumentMap.Region] = []
      for (i, point) in points.enumerated() {
        if let last = regions.last, last.status == point.status {
          regions[regions.count - 1].upper = point.x
        } else {
          let lower = i == 0 ? point.x : (points[i - 1].x + point.x) / 2
          if i > 0 { regions[regions.count - 1].upper = lower }
          regions.append(InstrumentMap.Region(lower: lower, upper: point.x, status: point.status))
        }
      }
      return Axis(
        predictor: predictors[a], through: middle,
        distinctStandards: spacings[a].distinct.count, typicalSpacing: spacings[a].step,
        spacingScale: spacings[a].logarithmic ? "log" : "linear", points: points,
        regions: regions)
    }
    let perAxis = [101, 11, 5, 3][min(k, 4) - 1]
    var grid: [[Double]] = [[]]
    for a in 0..<k {
      let levels = (0..<perAxis).map {
        box[a].lowerBound + (box[a].upperBound - box[a].lowerBound) * Double($0)
          / Double(perAxis - 1)
      }
      grid = grid.flatMap { prefix in Set(levels).sorted().map { prefix + [$0] } }
    }
    // A grid point where the model or its gradients are not finite (x = 0 for a 4pl, whose
    // gradient in b holds 0·log 0) is left out of the search, as the map leaves it out.
    design = MultiOutputDesignSuggestion(
      points: grid.map { LinearizedPrecision(measurer.predictive, at: $0) }.filter(\.isFinite),
      predictors: predictors, widths: box.map { $0.upperBound - $0.lowerBound })
    format = "calib-multi-output-coverage/1"
    self.predictors = predictors
    responses = state.model.responses
    domain = Dictionary(
      uniqueKeysWithValues: zip(
        predictors,
        state.domain.xRange.map {
          ClosedRangeRecord(lower: $0.lower, upper: $0.upper)
        }))
    range = Dictionary(
      uniqueKeysWithValues: zip(
        predictors,
        measurer.priorRanges.map {
          ClosedRangeRecord(lower: $0.lowerBound, upper: $0.upperBound)
        }))
    observations = nil
  }
}
