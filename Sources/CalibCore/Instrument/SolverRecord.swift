/// How a nonlinear fit was found: where it started and what was tried.
public struct SolverRecord: Codable, Equatable, Sendable {
  /// The starting values by parameter, and where they came from (`given`, `self-start`).
  public var start: [String: Double]
  /// `given`, `self-start`, or `given, completed by self-start`.
  public var startSource: String
  /// Every run of the trust-region solver, in order; the fit is the best converged one.
  public var attempts: [SolverAttempt]

  enum CodingKeys: String, CodingKey {
    case start, attempts
    case startSource = "start_source"
  }
}
