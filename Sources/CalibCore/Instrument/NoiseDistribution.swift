/// The law of a reading about the mean response μ (`noise.distribution` in the instrument
/// file; absent means `normal`). Poisson counts are a noise model of their own
/// (`NoiseModel.poisson`), since their scale √μ has no parameter.
public enum NoiseDistribution: String, Codable, CaseIterable, Sendable,
  CustomStringConvertible
{
  /// Normal noise with sd σ.
  case normal
  /// Student's t with ν degrees of freedom and scale σ (scipy.stats.t's `scale`, not its sd,
  /// which is σ·√(ν/(ν − 2)) for ν > 2): heavy tails, for the occasional outlier. ν is
  /// estimated with the other parameters (`df`), or fixed by the user.
  case student

  /// The raw value, as the files and `--noise` write it.
  public var description: String { rawValue }
}
