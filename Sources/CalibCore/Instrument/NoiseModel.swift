/// How the noise of the readings is modelled (`noise.model` in the instrument file).
public enum NoiseModel: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
  /// One unknown σ, the same for every reading, estimated from the residuals.
  case constant
  /// σᵢ = u(yᵢ), the standard uncertainties given with the readings (`--sy`).
  case known

  /// The raw value, as the files write it.
  public var description: String { rawValue }
}
