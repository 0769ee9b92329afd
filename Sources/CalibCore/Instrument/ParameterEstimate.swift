/// One parameter's estimate.
public struct ParameterEstimate: Codable, Equatable, Sendable {
  /// The parameter's name in the formula.
  public var name: String
  /// The least-squares estimate.
  public var estimate: Double
  /// The classical standard error s·√((ΦᵀWΦ)⁻¹)ⱼⱼ, as NIST certifies it: the scale of the
  /// estimate's distribution, not the sd of a Student-t.
  public var stdError: Double

  enum CodingKeys: String, CodingKey {
    case name, estimate
    case stdError = "std_error"
  }
}
