/// A measurement that cannot be made as asked.
///
/// Each case carries the data of its problem; `description` says what is wrong in the words
/// of the domain, and a front end (the command line) may word the remedy in its own terms
/// (its flags) from the same data.
public enum MeasurementError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The instrument is of a kind this version does not measure with.
  case unsupportedInstrument(String)
  /// The instrument's residual sd is 0 to working precision: its standards lie exactly on the
  /// curve, so an instrument whose noise is estimated has no noise to measure with.
  case noNoiseEstimate
  /// Readings without the uncertainty a known-noise instrument needs.
  case missingUncertainty(observation: String)
  /// A reading of a counting instrument (Poisson noise) that is not a count, an integer ≥ 0.
  case notACount(observation: String, reading: Double)
  /// A simulated reading at a true x where the instrument's noise allows none (σ ≤ 0, or a
  /// count's mean ≤ 0, at the response `response`); `fromPrior` when the truth was drawn from
  /// the measurement's prior range, which may reach such responses where the calibrated
  /// domain does not.
  case noReadingsAtTruth(noise: String, response: Double, fromPrior: Bool)
  /// A setting out of its domain (a level outside (0, 1), an empty range).
  case invalidSetting(String)
  /// Averaging over posterior samples was asked of an instrument whose file holds none (it
  /// was fitted with the Laplace approximation).
  case noPosteriorSamples
  /// The posterior over x could not be integrated to a relative error of 1e-3 on the prior
  /// range `lower`…`upper` (the quadrature's estimate of its error is `relativeError`).
  case posteriorNotIntegrable(lower: Double, upper: Double, relativeError: Double)

  /// Whether the problem lies in the settings asked for (the level, the range, the
  /// marginalization) rather than in the instrument or the observation.
  public var isSettingProblem: Bool {
    switch self {
    case .invalidSetting, .noPosteriorSamples, .posteriorNotIntegrable: return true
    default: return false
    }
  }

  public var description: String {
    switch self {
    case .unsupportedInstrument(let message):
      return message
    case .noNoiseEstimate:
      return Self.noNoiseEstimateText + "; refit with the standards' uncertainties"
    case .missingUncertainty(let id):
      return
        "observation '\(id)': the instrument's noise is known per reading (it was fitted with"
        + " the readings' standard uncertainties) and its standards' u(y) differ, so each"
        + " reading needs its own standard uncertainty"
    case .notACount(let id, let reading):
      return "observation '\(id)': the reading \(Expression.format(reading)) is not a count (an"
        + " integer ≥ 0), and the instrument's noise is Poisson counts"
    case .noReadingsAtTruth(let noise, let response, let fromPrior):
      return Self.noReadingsText(noise: noise, response: response)
        + (fromPrior ? "; draw the true x from the calibrated domain instead" : "")
    case .invalidSetting(let message):
      return message
    case .noPosteriorSamples:
      return Self.noPosteriorSamplesText + ": fit it with MCMC sampling of the posterior"
    case .posteriorNotIntegrable(let lower, let upper, let relativeError):
      return Self.notIntegrableText(lower: lower, upper: upper, relativeError: relativeError)
        + ": give a narrower prior range of x"
    }
  }

  /// The message of `noNoiseEstimate` up to its remedy.
  public static let noNoiseEstimateText =
    "the instrument's residual sd is 0 to working precision: its standards lie exactly on the"
    + " curve, so the noise has no estimate to measure with"

  /// The message of `noReadingsAtTruth` up to its remedy.
  public static func noReadingsText(noise: String, response: Double) -> String {
    "the \(noise) of the instrument allows no reading at the response \(response) (a true x"
      + " of the simulation maps there), so none can be simulated"
  }

  /// The message of `noPosteriorSamples` up to its remedy.
  public static let noPosteriorSamplesText =
    "the instrument has no posterior samples to average over"

  /// The message of `posteriorNotIntegrable` up to its remedy. An error estimate that is not
  /// a finite number (the integral overflowed, or the density was not a number somewhere) is
  /// said in words, not as `nan` or `inf`.
  public static func notIntegrableText(
    lower: Double, upper: Double, relativeError: Double
  ) -> String {
    "the posterior could not be integrated accurately on the range [\(lower), \(upper)]"
      + (relativeError.isFinite
        ? " (estimated relative error \(relativeError))" : " (its error has no finite estimate)")
  }
}
