/// How a Bayesian measurement integrates the instrument state out (`x.predictive` in the
/// report; docs/measurement.md, docs/nonlinear-fit.md).
public enum Predictive: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
  /// A linear instrument: Student-t, normal or σ² mixture in closed form.
  case exact
  /// A nonlinear instrument: the Laplace posterior pushed through the response's first-order
  /// expansion.
  case linearized
  /// The likelihood averaged over the instrument's posterior samples.
  case samples
  /// Gauss–Hermite quadrature over the parameters, weighted by the exact posterior.
  case integration

  /// The raw value, as the files write it.
  public var description: String { rawValue }
}
