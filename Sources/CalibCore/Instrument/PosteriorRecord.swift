/// The posterior over the instrument state a, with a flat prior on the coefficients.
///
/// `normal-scaled-inverse-chi2` (σ estimated, p(σ) ∝ 1/σ): a | σ² ~ N(location, σ²·scale),
/// σ² ~ Scaled-Inv-χ²(dof, s2), so a ~ t_dof(location, s2·scale), Student-t marginals.
/// `normal` (u(y) known): a ~ N(location, scale). See docs/linear-posterior.md.
/// `laplace` (nonlinear): the Gaussian at the optimum; `mcmc` (nonlinear, sampled): the
/// `samples`, which measurements average over (docs/nonlinear-fit.md).
public struct PosteriorRecord: Codable, Equatable, Sendable {
  /// What measurements use: `normal-scaled-inverse-chi2` or `normal` (linear), `laplace` or
  /// `mcmc` (nonlinear; `mcmc` when the file holds samples).
  public var kind: PosteriorKind
  /// The posterior location (the least-squares estimate).
  public var location: [Double]
  /// (ΦᵀWΦ)⁻¹, the unscaled covariance of the coefficients.
  public var scale: [[Double]]
  /// s², the scale of σ²'s scaled inverse-χ²; null for `normal`.
  public var s2: Double?
  /// The degrees of freedom ν = n − p of the Student-t; null for `normal`.
  public var dof: Int?
  /// Draws of the parameters from the exact posterior (nonlinear models, by MCMC), each in
  /// the order of `parameters`; absent when the Laplace approximation is used.
  public var samples: [[Double]]?
  /// With σ estimated, a draw of σ for each sample, from p(σ² | a, D) = RSS(a)/χ²ₙ.
  public var sigmaSamples: [Double]?
  /// For a noise fitted by likelihood and sampled by MCMC: the noise parameters of each
  /// sample (`noise.parameters`' order), beside its model parameters in `samples`.
  public var noiseSamples: [[Double]]?
  /// How the samples were drawn, and their diagnostics.
  public var sampler: SamplerRecord?
  /// Which representation was asked for and used, and why (nonlinear models).
  public var choice: PosteriorChoiceRecord?
  /// Bounds on parameters (`--bounds`): a uniform prior within them, applied to the samples
  /// and to the quadrature over the parameters. A null end is open.
  public var bounds: [String: RangeRecord]?
  /// What is wrong with the posterior, in sentences a measurement report can carry as
  /// reasons: an MCMC run whose R̂ exceeds 1.1 or whose effective sample size is below 100.
  /// Absent when there is nothing to say (and in files written before it existed).
  public var warnings: [String]?

  enum CodingKeys: String, CodingKey {
    case kind, location, scale, s2, dof, samples, sampler, choice, bounds, warnings
    case sigmaSamples = "sigma_samples"
    case noiseSamples = "noise_samples"
  }
}
