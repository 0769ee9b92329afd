/// The noise model.
public struct NoiseRecord: Codable, Equatable, Sendable {
  /// `constant` (one unknown σ, estimated), `known` (σᵢ = u(yᵢ) given), or a σ that varies
  /// with the response: `proportional`, `linear`, `power` (docs/noise-models.md).
  public var model: NoiseModel
  /// The estimate s of σ, in units of y, for `constant`; null otherwise.
  public var sigma: Double?
  /// Degrees of freedom behind the estimates (n − p, less the noise parameters).
  public var dof: Int
  /// The noise parameters (`s0`, `s1`, `k`) of a σ that varies, fitted jointly with the
  /// model's by maximum likelihood, with their standard errors; absent otherwise.
  public var parameters: [ParameterEstimate]?
  /// The covariance of all the parameters, the model's then the noise's (in the order of
  /// `parameters` and then of these), from the Laplace approximation at the maximum of the
  /// likelihood; absent unless the noise has parameters.
  public var jointCovariance: [[Double]]?

  enum CodingKeys: String, CodingKey {
    case model, sigma, dof, parameters
    case jointCovariance = "joint_covariance"
  }

  /// A noise record; `parameters` and `jointCovariance` only for a noise that varies.
  public init(
    model: NoiseModel, sigma: Double?, dof: Int, parameters: [ParameterEstimate]? = nil,
    jointCovariance: [[Double]]? = nil
  ) {
    self.model = model
    self.sigma = sigma
    self.dof = dof
    self.parameters = parameters
    self.jointCovariance = jointCovariance
  }
}
