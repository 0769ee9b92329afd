@testable import CalibCore
import Foundation
import Testing

/// The tabulation of a posterior (`PosteriorTabulation`) on densities with closed-form
/// summaries, and what its evaluations are spent on.
@Suite("Posterior tabulation")
struct PosteriorTabulationTests {
  /// ℓ of N(center, sd²), counting every call and keeping the x it was asked for.
  final class CountedNormal {
    /// The normal's mean and standard deviation.
    let center: Double
    let sd: Double
    /// Every x ℓ was asked for, in order.
    var asked: [Double] = []

    /// N(center, sd²), asked for nothing yet.
    init(center: Double, sd: Double) {
      self.center = center
      self.sd = sd
    }

    /// ℓ(x) = −½((x − center)/sd)², x kept in `asked`.
    func logDensity(_ x: Double) -> Double {
      asked.append(x)
      let z = (x - center) / sd
      return -0.5 * z * z
    }
  }

  /// The Gauss–Legendre panels take their densities from QAG's own evaluations: tabulating asks
  /// for an x again only a few times (the grid points Brent's method starts from, the mode as
  /// a candidate and for its curvature: 5 or 6 here), where panels evaluating their own nodes
  /// would ask for every node again (ten a panel, over 150). The mean, sd and quantiles are
  /// the normal's to 1e-10 sd (QAG's relative tolerance), so the values taken are the right
  /// ones. The last case has no scale hint (∞): the grid's curvature gives Brent's method its
  /// scale. Reference: the normal's closed form; the count of repeated x.
  @Test(
    "the panels' nodes are not evaluated again, and the summaries are the normal's",
    arguments: [
      (0.0, 1.0, true), (6.2435, 0.0191, true), (-3.5, 2.5, true), (6.2435, 0.0191, false),
    ])
  func panelNodesReuseQAG(center: Double, sd: Double, hinted: Bool) throws {
    let normal = CountedNormal(center: center, sd: sd)
    let tabulation = try PosteriorTabulation()
    try tabulation.tabulate(
      logDensity: normal.logDensity, lower: center - 40 * sd, upper: center + 60 * sd,
      scaleHint: { _ in hinted ? sd : .infinity })
    let repeated = normal.asked.count - Set(normal.asked.map(\.bitPattern)).count
    #expect(repeated <= 8, "\(repeated) points asked for again of \(normal.asked.count)")
    #expect(tabulation.evaluations == normal.asked.count)
    let (mean, deviation) = tabulation.moments()
    #expect(abs(mean - center) <= 1e-10 * sd)
    #expect(abs(deviation - sd) <= 1e-10 * sd)
    // Φ⁻¹(0.975) = 1.959963984540054.
    #expect(abs(tabulation.quantile(0.975) - (center + 1.959963984540054 * sd)) <= 1e-10 * sd)
    #expect(abs(tabulation.quantile(0.5) - center) <= 1e-10 * sd)
  }

  /// Brent's method works on the offset from the grid's best point, to 10⁻⁷ of the peak's
  /// width: on x itself, GSL's Brent steps no closer than √ε·|x| to its best point. Two peaks
  /// far from 0: x ≈ 1000 with sd 10⁻³, and x ≈ 10⁶ with sd 0.072 over a range 16.5 wide (a
  /// line calibrated on [10⁶, 10⁶ + 5.5]). On x, the first took Brent's 200 iterations and was
  /// placed 0.015 sd off; the second was placed 0.06 sd off, and the integrals found nodes
  /// above it, each refined into one more mode: 2 to 4 modes for one peak. Now: one mode,
  /// within 10⁻⁶ sd, and after the grid's 129 points, fewer than 60 points within two grid
  /// steps of it (Brent's and the curvature's) before QAG's first, far out. The last three
  /// peaks are a thousandth of the grid's step wide, 0.3, 3 and 10 sd from a grid point, where
  /// Brent's bracket stops at 2.5√ε of two steps (75·10⁻⁶ sd): their best points are still
  /// within 10⁻⁶ sd, and each is one mode. Reference: the normal's closed form; the counts
  /// under the old tolerance.
  @Test(
    "Brent's method places a peak far from 0 to 1e-6 sd, once",
    arguments: [
      (1000.000_123, 1e-3, 999.9, 1000.1), (1_000_000.0168, 0.072, 999_994.5, 1_000_011),
      (57.000_3, 0.001, 0, 128), (57.003, 0.001, 0, 128), (57.01, 0.001, 0, 128),
    ])
  func peakFarFromZero(center: Double, sd: Double, lower: Double, upper: Double) throws {
    let normal = CountedNormal(center: center, sd: sd)
    let tabulation = try PosteriorTabulation()
    try tabulation.tabulate(
      logDensity: normal.logDensity, lower: lower, upper: upper, scaleHint: { _ in sd })
    let modes = tabulation.modes
    #expect(modes.count == 1, "\(modes)")
    #expect(abs(modes[0] - center) <= 1e-6 * sd)
    let step = (upper - lower) / 128
    let refining = normal.asked.dropFirst(129).prefix { abs($0 - center) <= 2 * step }
    #expect(refining.count >= 10)
    #expect(refining.count < 60, "\(refining.count) evaluations refining the mode")
  }
}
