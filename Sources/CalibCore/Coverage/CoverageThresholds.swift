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
  /// `sparse` when the nearest standards that fix a local quadratic reach farther than this
  /// many typical spacings from the estimate (the local curvature test). A regular design
  /// reaches two spacings at its ends; the half spacing more allows its gaps to vary.
  public var maximumLocalReach: Double = 2.5

  /// The documented defaults.
  public init() {}

  /// Reads thresholds, taking the local reach's default where a file written before it
  /// existed has none.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    boundDensity = try container.decode(Double.self, forKey: .boundDensity)
    inconsistencyP = try container.decode(Double.self, forKey: .inconsistencyP)
    extrapolationMass = try container.decode(Double.self, forKey: .extrapolationMass)
    minimumSupport = try container.decode(Int.self, forKey: .minimumSupport)
    maximumLocalReach =
      try container.decodeIfPresent(Double.self, forKey: .maximumLocalReach) ?? 2.5
  }

  enum CodingKeys: String, CodingKey {
    case boundDensity = "bound_density"
    case inconsistencyP = "inconsistency_p"
    case extrapolationMass = "extrapolation_mass"
    case minimumSupport = "minimum_support"
    case maximumLocalReach = "local_reach"
  }
}
