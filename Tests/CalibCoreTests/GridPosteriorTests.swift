@testable import CalibCore
import Foundation
import Testing

/// The product-grid posterior of several unknowns (docs/geometry.md, "How the posterior is
/// computed") on densities with closed-form moments and quantiles: a correlated normal far from
/// 0, narrow beside its prior box; and a bivariate Student-t (heavy tails) in a box a million
/// times wider than it.
@Suite("Grid posterior of several unknowns")
struct GridPosteriorTests {
  /// log N(x; μ, Σ) (up to a constant) for a 2×2 Σ with sds `sd` and correlation `rho`.
  static func normal(mean: [Double], sd: [Double], rho: Double) -> ([Double]) -> Double {
    { x in
      let z = [(x[0] - mean[0]) / sd[0], (x[1] - mean[1]) / sd[1]]
      return -(z[0] * z[0] - 2 * rho * z[0] * z[1] + z[1] * z[1]) / (2 * (1 - rho * rho))
    }
  }

  /// A normal at (10⁵, −3·10⁵) with sds 10⁻³ and 2·10⁻³, correlation −0.3: means to 1e-9 sd,
  /// sds and correlation to 1e-7, medians and 95% ends to 1e-6 sd (normal quantiles ±1.959964),
  /// the 95% joint region's density threshold e^(−χ²₂(0.95)/2) = 0.05 to 0.5%.
  @Test func aNarrowNormalFarFromZero() throws {
    let mean = [1e5, -3e5], sd = [1e-3, 2e-3], rho = -0.3
    let grid = try #require(
      GridPosterior(
        prior: [(1e5 - 1)...(1e5 + 1), (-3e5 - 1)...(-3e5 + 1)],
        logDensity: Self.normal(mean: mean, sd: sd, rho: rho)))
    let (m, c) = grid.moments()
    for a in 0..<2 {
      #expect(Swift.abs(m[a] - mean[a]) < 1e-9 * sd[a])
      #expect(Swift.abs(c[a][a].squareRoot() / sd[a] - 1) < 1e-7)
      let marginal = GridMarginal(grid, axis: a)
      #expect(Swift.abs(marginal.quantile(0.5) - mean[a]) < 1e-6 * sd[a])
      #expect(Swift.abs(marginal.quantile(0.975) - (mean[a] + 1.959964 * sd[a])) < 1e-6 * sd[a])
      #expect(Swift.abs(marginal.quantile(0.025) - (mean[a] - 1.959964 * sd[a])) < 1e-6 * sd[a])
    }
    #expect(Swift.abs(c[0][1] / (sd[0] * sd[1]) - rho) < 1e-7)
    let region = grid.highestDensityRegion(level: 0.95)
    #expect(Swift.abs(region.threshold / 0.05 - 1) < 5e-3)
    #expect(region.bounded)
  }

  /// A bivariate Student-t with 5 degrees of freedom, scale 0.01, at (3, 4), in the box
  /// [−10⁵, 10⁵]²: its marginals are t₅ (quantile 0.975: 2.570582), its sd 0.01·√(5/3).
  @Test func aHeavyTailedPosteriorInAWideBox() throws {
    let nu = 5.0, scale = 0.01
    let grid = try #require(
      GridPosterior(prior: [-1e5...1e5, -1e5...1e5]) { x in
        let q = ((x[0] - 3) * (x[0] - 3) + (x[1] - 4) * (x[1] - 4)) / (scale * scale)
        return -(nu + 2) / 2 * _log1p(q / nu)
      })
    for (a, centre) in [3.0, 4.0].enumerated() {
      let marginal = GridMarginal(grid, axis: a)
      #expect(Swift.abs(marginal.quantile(0.5) - centre) < 1e-6 * scale)
      #expect(Swift.abs(marginal.quantile(0.975) - (centre + 2.570582 * scale)) < 1e-4 * scale)
    }
    let sd = grid.moments().covariance[0][0].squareRoot()
    // The t₅'s variance converges slowly in its tails; the box holds all but 1e-13 of it.
    #expect(Swift.abs(sd / (scale * (5.0 / 3).squareRoot()) - 1) < 1e-3)
    #expect(grid.relativeError < 1e-8)
  }
}
