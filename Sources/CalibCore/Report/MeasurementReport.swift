/// The report of one observation (one element of `observations` in a `calib-report/1` file,
/// one line of NDJSON). See docs/report-file.md.
public struct ObservationReport: Codable, Equatable, Sendable {
  /// The observation's name.
  public var id: String
  /// The line of the observations file where it starts.
  public var line: Int
  /// The readings, in input order.
  public var readings: [Double]
  /// Their standard uncertainties, when given.
  public var uncertainties: [Double]?
  /// The inferred quantity.
  public var x: QuantityEstimate
  /// Did the calibration cover this measurement?
  public var coverage: CoverageReport
  /// With a dilution factor (`--dilution`): x of the undiluted sample, the summaries times the
  /// factor. `x` stays the measured (diluted) sample's.
  public var undiluted: UndilutedQuantity?
  /// The estimate against the instrument's range of quantitation (its LLOQ and ULOQ, from the
  /// back-calculated standards); absent where the instrument has none.
  public var quantitation: QuantitationStatus?
}

/// The unknown quantity x behind an observation, as the chosen method gives it.
public struct QuantityEstimate: Codable, Equatable, Sendable {
  /// `bayes`, `inversion` or `wald`.
  public var method: MeasurementSettings.Method
  /// The method's point estimate: the posterior median (bayes), the solution of μ(x) = ȳ
  /// (inversion, wald).
  public var estimate: Double
  /// Posterior mean, sd and median (bayes); sd is the delta-method standard error for wald.
  public var mean: Double?
  public var sd: Double?
  public var median: Double?
  /// Posterior modes in increasing order (bayes).
  public var modes: [Double]?
  /// The interval: equal-tailed (bayes), inversion or Wald (classical).
  public var interval: IntervalRecord
  /// The highest-posterior-density region, as one or more intervals (bayes).
  public var hpd: [RangeRecord]?
  /// Every x with μ(x) = ȳ in the prior range (classical); empty when none.
  public var solutions: [Double]?
  /// The quantile behind a classical interval, and its degrees of freedom (null: normal).
  public var quantile: Double?
  public var dof: Double?
  /// Estimates of the numerical error (bayes).
  public var numerical: NumericalError?
  /// How the instrument state was integrated out: `exact` (a linear instrument: Student-t,
  /// normal or σ² mixture in closed form), `linearized` (a nonlinear instrument: the Laplace
  /// posterior pushed through the response's first-order expansion) or `samples` (the
  /// likelihood averaged over posterior samples).
  public var predictive: Predictive?
  /// When the reading is ambiguous (bayes): the HPD region has several pieces, each a separate
  /// explanation of the reading (the two sides of a curve's vertex). One component per piece,
  /// in increasing x: its mode, its probability and its HPD piece. Absent otherwise.
  public var components: [PosteriorComponent]?
  /// The posterior probability that x exceeds a threshold (`--threshold`, by default 0 where
  /// 0 lies in the prior range): "detected" as a probability. Absent without a threshold.
  public var pAbove: ThresholdProbability?

  enum CodingKeys: String, CodingKey {
    case method, estimate, mean, sd, median, modes, interval, hpd, solutions, quantile, dof
    case numerical, predictive, components
    case pAbove = "p_above"
  }
}

/// P(x > threshold | readings), from the posterior whatever the method.
public struct ThresholdProbability: Codable, Equatable, Sendable {
  /// The threshold, in the units of x.
  public var threshold: Double
  /// The posterior probability above it.
  public var probability: Double

  /// The probability `probability` that x exceeds `threshold`.
  public init(threshold: Double, probability: Double) {
    self.threshold = threshold
    self.probability = min(max(probability, 0), 1)
  }
}

/// One of several separate explanations of an ambiguous reading: a mode of the posterior, the
/// posterior probability of its basin (the x between the density minima that separate it from
/// its neighbours), and its piece of the highest-density region.
public struct PosteriorComponent: Codable, Equatable, Sendable {
  /// The highest mode in the basin.
  public var mode: Double
  /// The posterior probability of the basin; the components' probabilities add up to 1.
  public var probability: Double
  /// The basin's piece of the HPD region at the report's level.
  public var hpd: RangeRecord

  /// A component with its mode, probability and HPD piece.
  public init(mode: Double, probability: Double, hpd: RangeRecord) {
    self.mode = mode
    self.probability = probability
    self.hpd = hpd
  }
}

/// An interval at a level. A bound is null when the interval is unbounded on that side
/// (possible for inversion); `pieces` lists the parts when the set is not one interval.
public struct IntervalRecord: Codable, Equatable, Sendable {
  /// The level, in (0, 1).
  public var level: Double
  /// The lower end; null when unbounded or when the set has several pieces.
  public var lower: Double?
  /// The upper end; likewise.
  public var upper: Double?
  /// Whether both bounds are finite and the set is one interval.
  public var bounded: Bool
  /// The parts of the set, when it has more than one (two semi-infinite pieces).
  public var pieces: [RangeRecord]?

  enum CodingKeys: String, CodingKey { case level, lower, upper, bounded, pieces }

  /// Writes unbounded ends as `null`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(level, forKey: .level)
    try container.encode(lower, forKey: .lower)
    try container.encode(upper, forKey: .upper)
    try container.encode(bounded, forKey: .bounded)
    try container.encodeIfPresent(pieces, forKey: .pieces)
  }
}

/// How accurate the numbers of a Bayesian measurement are.
public struct NumericalError: Codable, Equatable, Sendable {
  /// Estimated relative error of the posterior's normalization (GSL QAG's estimate plus the
  /// disagreement of the Gauss–Legendre re-integration).
  public var integrationRelative: Double
  /// Tolerance of quantiles and interval ends, in units of x.
  public var quantileTolerance: Double
  /// Evaluations of the posterior density spent.
  public var densityEvaluations: Int
  /// With samples: the Monte Carlo standard error of the averaged likelihood at the
  /// estimate, relative to it (sd of the sample terms / their mean / √ESS).
  public var monteCarloRelative: Double?
  /// Where the figures come from the measurement map (`calib measure` of many readings): the
  /// largest difference between the map and the exact path at the checks of the map's piece
  /// that holds this reading, in posterior standard deviations (docs/measurement.md).
  /// `integration_relative` is then the largest of the exact path's on that piece, and
  /// `density_evaluations` those this reading spent.
  public var mapError: Double? = nil

  enum CodingKeys: String, CodingKey {
    case integrationRelative = "integration_relative"
    case quantileTolerance = "quantile_tolerance"
    case densityEvaluations = "density_evaluations"
    case monteCarloRelative = "monte_carlo_relative"
    case mapError = "map_error"
  }
}

/// The undiluted sample's x: the measured quantity's summaries times the dilution factor f
/// (x_undiluted = f·x, so its sd and interval ends scale by f too).
public struct UndilutedQuantity: Codable, Equatable, Sendable {
  /// f.
  public var factor: Double
  /// f times the measured estimate, mean, sd and median.
  public var estimate: Double
  public var mean: Double?
  public var sd: Double?
  public var median: Double?
  /// The interval and the HPD pieces, their ends times f.
  public var interval: IntervalRecord
  public var hpd: [RangeRecord]?

  /// The undiluted quantity of `x` diluted by `factor` (> 0).
  public init(_ x: QuantityEstimate, factor: Double) {
    func scaled(_ range: RangeRecord) -> RangeRecord {
      RangeRecord(lower: range.lower.map { $0 * factor }, upper: range.upper.map { $0 * factor })
    }
    self.factor = factor
    estimate = x.estimate * factor
    mean = x.mean.map { $0 * factor }
    sd = x.sd.map { $0 * factor }
    median = x.median.map { $0 * factor }
    interval = IntervalRecord(
      level: x.interval.level, lower: x.interval.lower.map { $0 * factor },
      upper: x.interval.upper.map { $0 * factor }, bounded: x.interval.bounded,
      pieces: x.interval.pieces?.map(scaled))
    hpd = x.hpd?.map(scaled)
  }
}
