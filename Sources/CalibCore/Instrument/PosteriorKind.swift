/// The form of the posterior over the instrument state that measurements use
/// (`posterior.kind` in the instrument file; docs/linear-posterior.md, docs/nonlinear-fit.md).
public enum PosteriorKind: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
  /// A linear model with σ estimated: a | σ² normal, σ² scaled inverse-χ² (Student-t
  /// marginals).
  case normalScaledInverseChi2 = "normal-scaled-inverse-chi2"
  /// A linear model with u(y) known: a normal.
  case normal
  /// A nonlinear model: the Gaussian at the optimum (Laplace approximation).
  case laplace
  /// A nonlinear model with posterior samples (MCMC), which measurements average over.
  case mcmc

  /// The raw value, as the files write it.
  public var description: String { rawValue }
}
