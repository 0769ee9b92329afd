/// How to measure: the method, the interval level, the prior range of x and the coverage
/// thresholds, which the report's `settings` record; the threshold of P(x > t), which each
/// observation's `x.p_above` records; and how a nonlinear instrument's state is integrated out
/// and which observations a measurement map answers (`measurementMap`, `scatterMap`), which
/// each observation's `x.predictive` and `x.numerical` tell.
public struct MeasurementSettings: Codable, Equatable, Sendable {
  /// The inference method.
  public enum Method: String, Codable, Sendable, CaseIterable {
    /// The posterior over x with the instrument state integrated out (default).
    case bayes
    /// The classical inversion (Fieller) interval.
    case inversion
    /// The classical delta-method interval.
    case wald
  }

  /// How a nonlinear instrument's state is integrated out.
  public enum Marginalization: String, Codable, Sendable, CaseIterable {
    /// Through the response's first-order expansion about the estimate (Laplace).
    case linearized
    /// By averaging the readings' likelihood over the instrument's posterior samples.
    case samples
    /// By a product Gauss–Hermite rule over the parameters, weighted by the exact posterior.
    case integration
  }

  /// The level of intervals, in (0, 1).
  public var level: Double
  /// The method.
  public var method: Method
  /// The prior range of x; nil for the default rule (`Measurer.defaultRange`).
  public var range: ClosedRangeRecord?
  /// The thresholds of the coverage status.
  public var thresholds: CoverageThresholds
  /// For a nonlinear instrument; nil: samples when the instrument has them, else linearized.
  public var marginalization: Marginalization?
  /// The x whose exceedance probability P(x > T | readings) every report gives (`p_above`);
  /// nil: 0 where 0 lies in the prior range, else none.
  public var threshold: Double?
  /// Which observations may take the posterior's summaries from a measurement map
  /// (`MeasurementMap`): interpolated in the mean reading, certified against the exact path to
  /// 1e-9 posterior sd. A map pays for itself over thousands of readings; nil: the exact path.
  public var measurementMap: MeasurementMapScope?
  /// Whether, where `measurementMap` is set, replicate groups with scatter may take their
  /// summaries from a map of the mean reading and the scatter (normal noise with σ estimated,
  /// constant or varying, and Poisson counts; see docs/measurement.md): each of its pieces
  /// costs some 400 exact points against 33, and it pays for itself over some ten thousand
  /// groups; false: such groups take the exact path.
  public var scatterMap: Bool

  /// Settings; the defaults measure by `bayes` at 0.95 over the default range.
  public init(
    level: Double = 0.95, method: Method = .bayes, range: ClosedRangeRecord? = nil,
    thresholds: CoverageThresholds = CoverageThresholds(), marginalization: Marginalization? = nil,
    threshold: Double? = nil, measurementMap: MeasurementMapScope? = nil, scatterMap: Bool = true
  ) {
    self.level = level
    self.method = method
    self.range = range
    self.thresholds = thresholds
    self.marginalization = marginalization
    self.threshold = threshold
    self.measurementMap = measurementMap
    self.scatterMap = scatterMap
  }

  /// The threshold of `p_above` for an unknown with prior range `range`: the one set, or 0
  /// where 0 lies inside the range, not at an end (a 4pl's range starts at x = 0, where
  /// P(x > 0) would be 1 whatever the reading).
  func threshold(in range: ClosedRange<Double>) -> Double? {
    threshold ?? (range.lowerBound < 0 && 0 < range.upperBound ? 0 : nil)
  }
}

extension MeasurementSettings {
  /// Decodes settings as `encode(to:)` writes them, and those written before `scatterMap`
  /// existed: where it is missing, replicate groups with scatter may be mapped (true), as
  /// `measurementMap` then allowed every kind it could map.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      level: try container.decode(Double.self, forKey: .level),
      method: try container.decode(Method.self, forKey: .method),
      range: try container.decodeIfPresent(ClosedRangeRecord.self, forKey: .range),
      thresholds: try container.decode(CoverageThresholds.self, forKey: .thresholds),
      marginalization: try container.decodeIfPresent(
        Marginalization.self, forKey: .marginalization),
      threshold: try container.decodeIfPresent(Double.self, forKey: .threshold),
      measurementMap: try container.decodeIfPresent(
        MeasurementMapScope.self, forKey: .measurementMap),
      scatterMap: try container.decodeIfPresent(Bool.self, forKey: .scatterMap) ?? true)
  }
}
