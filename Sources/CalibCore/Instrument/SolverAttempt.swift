/// One run of the trust-region solver.
public struct SolverAttempt: Codable, Equatable, Sendable {
  /// The trust-region method.
  public var method: TrustRegionMethod
  /// What the start was (`start`, or how it was perturbed).
  public var from: String
  /// Iterations GSL's driver took.
  public var iterations: Int
  /// Whether GSL's convergence tests passed (step size or gradient).
  public var converged: Bool
  /// The residual sum of squares reached, null when the model was not finite.
  public var rss: Double?
  /// GSL's reason when it did not converge.
  public var failure: String?
}
