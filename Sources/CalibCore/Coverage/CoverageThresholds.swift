/// The thresholds of the coverage status (docs/coverage.md), settable from the command line.
public struct CoverageThresholds: Codable, Equatable, Sendable {
  /// `out_of_range` when the posterior density at a bound of the prior range is at least
  /// this fraction of its highest value.
  public var boundDensity: Double = 1e-3
  /// `inconsistent` when the consistency p-value is below this.
  public var inconsistencyP: Double = 1e-3
  /// `extrapolated` when the posterior probability outside the domain exceeds this.
  public var extrapolationMass: Double = 0.5
  /// `sparse` when fewer distinct standards than this lie in the neighbourhood.
  public var minimumSupport: Int = 2

  /// The documented defaults.
  public init() {}

  enum CodingKeys: String, CodingKey {
    case boundDensity = "bound_density"
    case inconsistencyP = "inconsistency_p"
    case extrapolationMass = "extrapolation_mass"
    case minimumSupport = "minimum_support"
  }
}
