/// The instrument state p(a | calibration) and everything needed to measure with it: the
/// content of an instrument file (format `calib-instrument/1`, see docs/instrument-file.md).
///
/// `fit` makes one; `InstrumentFile` writes and reads it. The value is immutable in use:
/// measuring with an instrument never changes it.
public struct InstrumentState: Codable, Equatable, Sendable {
  /// The file format and its version, `calib-instrument/1`.
  public var format: String
  /// The response model.
  public var model: ModelRecord
  /// The parameter estimates with their classical standard errors.
  public var parameters: [ParameterEstimate]
  /// The classical covariance of the estimates, s²·(ΦᵀWΦ)⁻¹ (or (ΦᵀWΦ)⁻¹ when u(y) is known),
  /// in the order of `parameters`.
  public var covariance: [[Double]]
  /// Fit statistics.
  public var fit: FitStatistics
  /// The noise model and its estimate.
  public var noise: NoiseRecord
  /// The posterior over the instrument state.
  public var posterior: PosteriorRecord
  /// The calibrated domain: the standards themselves and their ranges.
  public var domain: DomainRecord
  /// Where the instrument came from.
  public var provenance: Provenance
  /// Each standard's reading measured back with the instrument (`calib fit` adds them; absent
  /// in files written before, or for an instrument that cannot measure).
  public var standards: [BackCalculatedStandard]?
  /// The acceptance windows of the back-calculated standards and the LLOQ and ULOQ they define.
  public var quantitation: Quantitation?

  /// The format this version of calib writes and reads.
  public static let currentFormat = "calib-instrument/1"
}
