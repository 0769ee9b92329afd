internal import CalibGSL

/// The critical value (decision limit), the limit of detection and the limit of quantification
/// of an instrument linear in its parameters, per DIN 32645 and ISO 11843-2 (docs/limits.md);
/// the `calib limits` file (`calib-limits/1`).
///
/// With μ(x) the fitted response, m readings of the sample averaged, and the sd of the
/// difference between such a mean and the fitted response at x,
///
///     s(x) = √(σ²(x)/m + h(x)),   h(x) = φ(x)ᵀCφ(x)   (σ² = s²: s²(1/m + h(x)) for a constant
///                                                      noise, C unscaled),
///
/// the blank at x = 0 and d the sign of the sensitivity there:
///
/// - critical value: y_c = μ(0) + d·t₁₋α·s(0); x_c = μ⁻¹(y_c): a mean reading beyond y_c says
///   "detected" with false-positive risk α;
/// - limit of detection: the x whose readings fall short of y_c with risk β. `iterative`
///   (ISO 11843-2): μ(x_d) − d·t₁₋β·s(x_d) = y_c. `din` (DIN 32645, the prediction interval at
///   the blank): y_d = y_c + d·t₁₋β·s(0), x_d = μ⁻¹(y_d);
/// - limit of quantification: the x whose relative uncertainty is 1/k, x_q = k·Δx(x_q) with
///   Δx(x) = t₁₋α/₂·s(x)/|μ′(x)| the half-width of the interval of x̂ (`iterative`), or
///   x_q = k·Δx(0) (`din`).
///
/// t are Student's quantiles on the residual degrees of freedom ν where σ is estimated, normal
/// quantiles where it is known (σ² then the median u² of the standards).
public struct DetectionLimits: Codable, Equatable, Sendable {
  /// `calib-limits/1`.
  public var format: String
  /// The settings the limits were computed with.
  public var settings: Settings
  /// The decision limit: the mean reading above which (below, for a falling response) a
  /// sample is declared to contain the analyte, and its x.
  public var criticalValue: Limit
  /// The smallest x detected with probability 1 − β.
  public var detectionLimit: Limit
  /// The smallest x measured with relative uncertainty 1/k.
  public var quantificationLimit: Limit
  /// The figures behind the limits.
  public var figures: Figures
  /// What the user should know: the blank extrapolated, a limit beyond the standards.
  public var warnings: [String]

  /// The settings of the computation.
  public struct Settings: Codable, Equatable, Sendable {
    /// The false-positive risk of the critical value (one-sided), and the risk of the quantile
    /// of the quantification interval (two-sided).
    public var alpha: Double
    /// The false-negative risk of the detection limit (one-sided).
    public var beta: Double
    /// The reciprocal of the relative uncertainty at the limit of quantification.
    public var k: Double
    /// Readings of the sample averaged (m).
    public var replicates: Int
    /// `iterative` (ISO 11843-2, the interval at the limit itself) or `din` (DIN 32645, at the
    /// blank).
    public var method: Method
    /// The blank's x.
    public var blank: Double
  }

  /// How the sd is taken at the detection and quantification limits.
  public enum Method: String, Codable, Equatable, Sendable, CaseIterable {
    /// At the limit itself (ISO 11843-2; chemCal's default).
    case iterative
    /// At the blank (DIN 32645's quick method).
    case din
  }

  /// One limit: its x and the mean response there; null where the response does not reach it
  /// within ten calibrated ranges of the blank.
  public struct Limit: Codable, Equatable, Sendable {
    /// x, in the units of the predictor.
    public var x: Double?
    /// μ(x) (for the critical value, y_c itself).
    public var y: Double?

    /// Writes an unreached limit as nulls.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(x, forKey: .x)
      try container.encode(y, forKey: .y)
    }

    enum CodingKeys: String, CodingKey { case x, y }
  }

  /// The figures the limits come from.
  public struct Figures: Codable, Equatable, Sendable {
    /// μ(0), the fitted response of the blank.
    public var blankResponse: Double
    /// s(0), the sd of a mean of m blank readings about μ(0).
    public var blankSD: Double
    /// μ′(0), the sensitivity at the blank.
    public var sensitivity: Double
    /// ν, or null where the noise is known (normal quantiles).
    public var dof: Int?
    /// t₁₋α, t₁₋β and t₁₋α/₂.
    public var quantileAlpha: Double
    public var quantileBeta: Double
    public var quantileQuantification: Double

    enum CodingKeys: String, CodingKey {
      case sensitivity, dof
      case blankResponse = "blank_response"
      case blankSD = "blank_sd"
      case quantileAlpha = "quantile_alpha"
      case quantileBeta = "quantile_beta"
      case quantileQuantification = "quantile_quantification"
    }

    /// Writes a known noise's dof as `null`.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(blankResponse, forKey: .blankResponse)
      try container.encode(blankSD, forKey: .blankSD)
      try container.encode(sensitivity, forKey: .sensitivity)
      try container.encode(dof, forKey: .dof)
      try container.encode(quantileAlpha, forKey: .quantileAlpha)
      try container.encode(quantileBeta, forKey: .quantileBeta)
      try container.encode(quantileQuantification, forKey: .quantileQuantification)
    }
  }

  enum CodingKeys: String, CodingKey {
    case format, settings, figures, warnings
    case criticalValue = "critical_value"
    case detectionLimit = "detection_limit"
    case quantificationLimit = "quantification_limit"
  }

  /// The limits of `instrument`.
  ///
  /// - Throws: `MeasurementError.invalidSetting` for α, β outside (0, 0.5], k ≤ 0 or m < 1;
  ///   `MeasurementError.unsupportedInstrument` for an instrument not linear in its
  ///   parameters, or whose noise is not normal with a constant, known or varying σ, or whose
  ///   sensitivity at the blank is 0.
  public init(
    instrument: Instrument, alpha: Double = 0.05, beta: Double = 0.05, k: Double = 3,
    replicates: Int = 1, method: Method = .iterative
  ) throws {
    guard alpha > 0, alpha <= 0.5, beta > 0, beta <= 0.5 else {
      throw MeasurementError.invalidSetting("--alpha and --beta must lie in (0, 0.5]")
    }
    guard k > 0, k.isFinite, replicates >= 1 else {
      throw MeasurementError.invalidSetting(
        "--k must be positive and finite, --replicates at least 1")
    }
    let state = instrument.state
    let noise = state.noise
    guard
      [.constant, .known, .proportional, .linear, .power].contains(noise.model),
      noise.distribution ?? .normal == .normal
    else {
      throw MeasurementError.unsupportedInstrument(
        "limits per DIN 32645 and ISO 11843-2 assume normal readings with a constant, known or varying σ; this instrument's noise is \(noise.model.rawValue)\(noise.distribution == .student ? " with Student-t readings" : "")"
      )
    }
    let linear = try MeasuringInstrument(instrument)
    guard linear.linear != nil else {
      throw MeasurementError.unsupportedInstrument(
        "limits per DIN 32645 and ISO 11843-2 are defined for instruments linear in their parameters (a straight line, a polynomial); this instrument's model '\(state.model.spec)' is not"
      )
    }
    let m = Double(replicates)
    let dof: Int? = linear.noiseKnown ? nil : linear.dof
    func quantile(_ p: Double) -> Double {
      dof.map { Distributions.studentQuantile(p, degreesOfFreedom: Double($0)) }
        ?? Distributions.normalQuantile(p)
    }
    /// μ(x) and s(x).
    func prediction(_ x: Double) -> (mean: Double, sd: Double) {
      let (mean, leverage) = linear.evaluate(at: x)
      return (
        mean, linear.predictionVariance(atMean: mean, leverage: leverage, readings: m).squareRoot()
      )
    }
    let blank = 0.0
    let (blankResponse, blankSD) = prediction(blank)
    let sensitivity = linear.slope(at: blank)
    guard sensitivity != 0, sensitivity.isFinite, blankSD.isFinite, blankResponse.isFinite else {
      throw MeasurementError.unsupportedInstrument(
        "the response's sensitivity at the blank x = 0 is \(Expression.format(sensitivity)): a reading does not tell x there, and no limit can be set"
      )
    }
    let direction: Double = sensitivity > 0 ? 1 : -1
    let (tAlpha, tBeta) = (quantile(1 - alpha), quantile(1 - beta))
    let tQuantification = quantile(1 - alpha / 2)
    let span = max(
      linear.domain.upperBound - linear.domain.lowerBound, Swift.abs(linear.domain.upperBound))
    let search = blank...(blank + 10 * max(span, 1e-300))
    /// The smallest x in the search range where f changes sign from negative.
    func firstRoot(_ f: (Double) -> Double) throws -> Double? {
      try Roots.all(of: f, in: search).filter { $0 > blank }.min()
    }
    let criticalY = blankResponse + direction * tAlpha * blankSD
    let criticalX = try firstRoot { direction * (prediction($0).mean - criticalY) }
    let detectionX: Double?
    let quantificationX: Double?
    switch method {
    case .din:
      let y = criticalY + direction * tBeta * blankSD
      detectionX = try firstRoot { direction * (prediction($0).mean - y) }
      quantificationX = k * tQuantification * blankSD / Swift.abs(sensitivity)
    case .iterative:
      detectionX = try firstRoot { x in
        let (mean, sd) = prediction(x)
        return direction * (mean - criticalY) - tBeta * sd
      }
      quantificationX = try firstRoot { x in
        x - k * tQuantification * prediction(x).sd / Swift.abs(linear.slope(at: x))
      }
    }
    var warnings: [String] = []
    if !linear.domain.contains(blank) {
      warnings.append(
        "the blank x = 0 lies outside the calibrated domain [\(Expression.format(linear.domain.lowerBound)), \(Expression.format(linear.domain.upperBound))]: its response is extrapolated from the standards; calibrate with a blank or low standards"
      )
    }
    for (name, x) in [
      ("critical value", criticalX), ("detection limit", detectionX),
      ("quantification limit", quantificationX),
    ] {
      guard let x else {
        warnings.append(
          "the \(name) is not reached within ten calibrated ranges of the blank: the instrument is not precise enough there"
        )
        continue
      }
      if x > linear.domain.upperBound {
        warnings.append(
          "the \(name) x = \(Expression.format(x)) lies beyond the highest standard \(Expression.format(linear.domain.upperBound))"
        )
      }
    }
    format = "calib-limits/1"
    settings = Settings(
      alpha: alpha, beta: beta, k: k, replicates: replicates, method: method, blank: blank)
    criticalValue = Limit(x: criticalX, y: criticalX.map { _ in criticalY })
    detectionLimit = Limit(x: detectionX, y: detectionX.map { prediction($0).mean })
    quantificationLimit = Limit(x: quantificationX, y: quantificationX.map { prediction($0).mean })
    figures = Figures(
      blankResponse: blankResponse, blankSD: blankSD, sensitivity: sensitivity, dof: dof,
      quantileAlpha: tAlpha, quantileBeta: tBeta, quantileQuantification: tQuantification)
    self.warnings = warnings
  }
}
