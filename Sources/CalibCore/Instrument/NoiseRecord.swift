/// The noise model.
public struct NoiseRecord: Codable, Equatable, Sendable {
  /// `constant` (one unknown σ, estimated), `known` (σᵢ = u(yᵢ) given), or a σ that varies
  /// with the response: `proportional`, `linear`, `power`, `poisson`, `replicates`
  /// (docs/noise-models.md).
  public var model: NoiseModel
  /// The estimate s of σ, in units of y, for `constant`; null otherwise.
  public var sigma: Double?
  /// Degrees of freedom behind the estimates (n − p, less the noise parameters).
  public var dof: Int
  /// The noise parameters (`s0`, `s1`, `k`) of a σ that varies, or of a Student-t noise's
  /// scale, then `df` (ν) where it is estimated, fitted jointly with the model's by maximum
  /// likelihood, with their standard errors; absent otherwise.
  public var parameters: [ParameterEstimate]?
  /// The covariance of all the parameters, the model's then the noise's (in the order of
  /// `parameters` and then of these), from the Laplace approximation at the maximum of the
  /// likelihood; absent unless the noise has parameters.
  public var jointCovariance: [[Double]]?
  /// The law of a reading about the mean response; absent for normal noise (and Poisson
  /// counts, whose law `model` names).
  public var distribution: NoiseDistribution?
  /// ν of a Student-t noise where the user fixed it (`--df`); absent where it is estimated
  /// (the parameter `df`) or the noise is not Student's t.
  public var fixedDegreesOfFreedom: Double?
  /// The degrees of freedom of the replicates' scatter Σ(mⱼ − 1) over the groups of mⱼ
  /// standards, for `replicates`; absent otherwise.
  public var replicateDegreesOfFreedom: Int?

  enum CodingKeys: String, CodingKey {
    case model, sigma, dof, parameters, distribution
    case jointCovariance = "joint_covariance"
    case fixedDegreesOfFreedom = "fixed_df"
    case replicateDegreesOfFreedom = "replicate_dof"
  }

  /// A noise record; `parameters` and `jointCovariance` only for a noise fitted by maximum
  /// likelihood (a σ that varies, or Student's t).
  public init(
    model: NoiseModel, sigma: Double?, dof: Int, parameters: [ParameterEstimate]? = nil,
    jointCovariance: [[Double]]? = nil, distribution: NoiseDistribution? = nil,
    fixedDegreesOfFreedom: Double? = nil, replicateDegreesOfFreedom: Int? = nil
  ) {
    self.model = model
    self.sigma = sigma
    self.dof = dof
    self.parameters = parameters
    self.jointCovariance = jointCovariance
    self.distribution = distribution
    self.fixedDegreesOfFreedom = fixedDegreesOfFreedom
    self.replicateDegreesOfFreedom = replicateDegreesOfFreedom
  }

  /// Whether the noise has parameters fitted with the model's by maximum likelihood (a σ
  /// that varies, Poisson counts, or Student's t): the instrument's posterior then runs over
  /// them too.
  public var isFittedByLikelihood: Bool { NoiseForm(self).isFittedByLikelihood }

  /// The names the noise parameters must have, in order.
  public var parameterNames: [String] { NoiseForm(self).parameterNames }
}
