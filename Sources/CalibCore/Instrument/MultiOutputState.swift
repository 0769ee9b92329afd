/// The state of an instrument with several outputs (`calib fit --y y1,y2,...`): the content of
/// its instrument file (format `calib-instrument/1` with an `outputs` list; see
/// docs/instrument-file.md and docs/geometry.md).
///
/// Each output is an instrument of its own (`outputs`: its model, estimates, fit and domain,
/// as a single-output file holds them); what joins them is the noise covariance between the
/// outputs (`noise`) and the covariance of all parameters together (`covariance`), which
/// carries the correlation the shared noise gives the estimates of different outputs.
public struct MultiOutputState: Codable, Equatable, Sendable {
  /// The file format and its version, `calib-instrument/1`.
  public var format: String
  /// The models, predictors and outputs.
  public var model: MultiOutputModelRecord
  /// Every output's parameters, named `output.parameter` (`A450.b1`), in output order.
  public var parameters: [ParameterEstimate]
  /// The covariance of all parameters together, in the order of `parameters`: block (i, j)
  /// is Σᵢⱼ·(JᵢᵀJᵢ)⁻¹JᵢᵀJⱼ(JⱼᵀJⱼ)⁻¹ at the estimates (Jᵢ the Jacobian of output i's
  /// model at the standards), exact for models linear in their parameters.
  public var covariance: [[Double]]
  /// The noise covariance between the outputs and its posterior.
  public var noise: OutputNoiseRecord
  /// Fit statistics of the whole: the standards, the outputs, ν.
  public var fit: MultiOutputFitStatistics
  /// The calibrated domain: the standards' values of each predictor and their ranges.
  public var domain: MultiOutputDomainRecord
  /// Each output as an instrument of its own, in the order of `model.responses`.
  public var outputs: [InstrumentState]
  /// Where the instrument came from.
  public var provenance: Provenance
  /// Each standard's reading vector measured back with the instrument (`calib fit` adds them;
  /// absent in files written before; docs/back-calculation.md).
  public var standards: [MultiOutputBackCalculatedStandard]?
  /// The acceptance windows of the back-calculated standards and the LLOQ and ULOQ of each
  /// unknown they define.
  public var quantitation: MultiOutputQuantitation?
}

/// Fit statistics of an instrument with several outputs.
public struct MultiOutputFitStatistics: Codable, Equatable, Sendable {
  /// The number of standards (reading vectors).
  public var n: Int
  /// The number of outputs m.
  public var outputs: Int
  /// ν of the noise covariance's posterior (n − max pⱼ; for a diagonal Σ the smallest of
  /// the outputs' ν).
  public var dof: Int
  /// The degrees of freedom of the predictive Student-t of a new reading vector, ν − m + 1
  /// for a full Σ (Brown 1982), ν per output for a diagonal one (the smallest given here).
  public var predictiveDOF: Int
  /// Whether every output's fit converged.
  public var converged: Bool
  /// The log-likelihood at the estimates with Σ at its maximum-likelihood value S/n.
  public var logLikelihood: Double

  enum CodingKeys: String, CodingKey {
    case n, outputs, dof, converged
    case predictiveDOF = "predictive_dof"
    case logLikelihood = "log_likelihood"
  }
}

/// The calibrated domain of an instrument with several outputs.
public struct MultiOutputDomainRecord: Codable, Equatable, Sendable {
  /// `x[k][i]`: predictor k of standard i.
  public var x: [[Double]]
  /// The range of each predictor over the standards.
  public var xRange: [ClosedRangeRecord]
  /// The replicate group of each standard, when given.
  public var groups: [String]?

  enum CodingKeys: String, CodingKey {
    case x, groups
    case xRange = "x_range"
  }
}
