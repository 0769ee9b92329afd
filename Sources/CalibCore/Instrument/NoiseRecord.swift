/// The noise model.
public struct NoiseRecord: Codable, Equatable, Sendable {
  /// `constant` (one unknown σ, estimated) or `known` (σᵢ = u(yᵢ) given).
  public var model: NoiseModel
  /// The estimate s of σ, in units of y, for `constant`; null for `known`.
  public var sigma: Double?
  /// Degrees of freedom behind `sigma` (n − p).
  public var dof: Int
}
