@testable import CalibCore
import CalibGSL
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

  /// The summaries are read from the panels' interpolants (the polynomial of degree 20 through
  /// QAG's 21 values in each panel) and cost no evaluation: quantiles and the CDF none, the
  /// highest-density region only its samples at the panels' ends and its two crossings at the
  /// level found. That no quantile evaluates also shows the nodes of `KronrodInterpolant` to
  /// be those at which GSL's QAG evaluated. Reference: the normal's closed form (Φ from erfc),
  /// to 1e-10 sd for the quantiles and the region, 1e-12 for the CDF; the region of N(μ, σ²)
  /// at 95% is μ ± 1.959963984540054σ.
  @Test(
    "quantiles, CDF and region of a normal from the interpolants, within 1e-10 sd",
    arguments: [(0.0, 1.0), (6.2435, 0.0191), (-3.5, 2.5)])
  func summariesFromInterpolants(center: Double, sd: Double) throws {
    let normal = CountedNormal(center: center, sd: sd)
    let tabulation = try PosteriorTabulation()
    try tabulation.tabulate(
      logDensity: normal.logDensity, lower: center - 40 * sd, upper: center + 60 * sd,
      scaleHint: { _ in sd })
    let tabulated = tabulation.evaluations
    for (q, z) in [(0.025, -1.959963984540054), (0.5, 0), (0.9, 1.2815515655446004)] {
      #expect(abs(tabulation.quantile(q) - (center + z * sd)) <= 1e-10 * sd, "q = \(q)")
    }
    for z in [-3.0, -1, -0.25, 0.5, 2] {
      let phi = 0.5 * erfc(-z / 2.0.squareRoot())
      #expect(abs(tabulation.cdf(center + z * sd) - phi) <= 1e-12, "z = \(z)")
    }
    #expect(tabulation.evaluations == tabulated, "quantiles and CDF evaluated the density")
    let region = tabulation.highestDensityRegion(level: 0.95)
    #expect(region.count == 1)
    #expect(abs(region[0].lowerBound - (center - 1.959963984540054 * sd)) <= 1e-10 * sd)
    #expect(abs(region[0].upperBound - (center + 1.959963984540054 * sd)) <= 1e-10 * sd)
    // The samples at the panels' ends (some 30) and two crossings solved on ℓ: about 200
    // evaluations when every level tried had its crossings on ℓ.
    #expect(tabulation.evaluations - tabulated < 70, "\(tabulation.evaluations - tabulated)")
  }

  /// The highest-density region of a skewed density, Gamma(3, 1) (p ∝ x²e⁻ˣ): the interval
  /// [a, b] with p(a) = p(b) holding 90%. Reference: a and b solved in the test by bisection
  /// on the closed forms, F(x) = 1 − e⁻ˣ(1 + x + x²/2); to 1e-9 sd (sd √3).
  @Test("the region of a skewed density, within 1e-9 sd")
  func skewedRegion() throws {
    let tabulation = try PosteriorTabulation()
    try tabulation.tabulate(
      logDensity: { x in x > 0 ? 2 * log(x) - x : -.infinity }, lower: 0, upper: 60,
      scaleHint: { _ in 3.0.squareRoot() })
    func cdf(_ x: Double) -> Double { 1 - exp(-x) * (1 + x + x * x / 2) }
    func logDensity(_ x: Double) -> Double { 2 * log(x) - x }
    // For a ∈ (0, 2), b(a) > 2 has the same density; the mass between them falls as a grows.
    func partner(_ a: Double) -> Double {
      var (low, high) = (2.0, 60.0)
      for _ in 0..<200 {
        let mid = 0.5 * (low + high)
        if logDensity(mid) > logDensity(a) { low = mid } else { high = mid }
      }
      return 0.5 * (low + high)
    }
    var (low, high) = (1e-9, 2.0)
    for _ in 0..<200 {
      let a = 0.5 * (low + high)
      if cdf(partner(a)) - cdf(a) > 0.9 { low = a } else { high = a }
    }
    let a = 0.5 * (low + high)
    let b = partner(a)
    let region = tabulation.highestDensityRegion(level: 0.9)
    let sd = 3.0.squareRoot()
    #expect(region.count == 1)
    #expect(abs(region[0].lowerBound - a) <= 1e-9 * sd, "\(region[0].lowerBound) against \(a)")
    #expect(abs(region[0].upperBound - b) <= 1e-9 * sd, "\(region[0].upperBound) against \(b)")
    // Median of Gamma(3, 1): 2.674060313723561 (the root of F(x) = ½).
    #expect(abs(tabulation.quantile(0.5) - 2.674060313723561) <= 1e-10 * sd)
  }

  /// A density that drops to zero inside the range, Exp(1) on [−2, 40] (ℓ = −x for x ≥ 0,
  /// −∞ below): its mode is the edge of its support, which Brent's method alone left 3.8e-8
  /// inside (and the sliver below it unintegrated); the panels about 0 hold a jump no
  /// polynomial resolves, and must keep their Gauss–Legendre integrals or hold too little
  /// mass to matter. Reference: the closed forms, quantile −log(1 − q) and region
  /// [0, −log(1 − level)] to 1e-10 (sd 1), CDF 1 − e⁻ˣ to 1e-12, the mode 0 to 1e-13.
  @Test("a density with a jump: quantiles, CDF and region against closed forms")
  func truncatedDensity() throws {
    let tabulation = try PosteriorTabulation()
    try tabulation.tabulate(
      logDensity: { x in x >= 0 ? -x : -.infinity }, lower: -2, upper: 40,
      scaleHint: { _ in 1 })
    #expect(tabulation.modes.count == 1 && abs(tabulation.modes[0]) <= 1e-13, "\(tabulation.modes)")
    for q in [0.001, 0.025, 0.5, 0.975] {
      #expect(abs(tabulation.quantile(q) + log1p(-q)) <= 1e-10, "q = \(q)")
    }
    for x in [-1.0, 1e-3, 0.7, 3] {
      #expect(abs(tabulation.cdf(x) - (x > 0 ? -expm1(-x) : 0)) <= 1e-12, "x = \(x)")
    }
    let region = tabulation.highestDensityRegion(level: 0.9)
    #expect(region.count == 1)
    #expect(abs(region[0].lowerBound) <= 1e-10, "\(region)")
    #expect(abs(region[0].upperBound + log1p(-0.9)) <= 1e-10, "\(region)")
  }

  /// A peak next to a zero region that is not at its edge: N(0.05, 0.05²) cut at 0 on [−2, 5]
  /// (the grid point left of the peak has zero density). The edge at 0 becomes a breakpoint,
  /// not the mode. Reference: the truncated normal's closed forms, mode 0.05 (to 1e-6 sd, as
  /// Brent's method and the curvature place it), quantiles from
  /// F(x) = (Φ((x − 0.05)/0.05) − Φ(−1))/(1 − Φ(−1)) to 1e-10 sd.
  @Test("a peak beside a zero region keeps its mode, and its quantiles are exact")
  func peakBesideEdge() throws {
    let (center, sd) = (0.05, 0.05)
    let tabulation = try PosteriorTabulation()
    try tabulation.tabulate(
      logDensity: { x in x >= 0 ? -0.5 * ((x - center) / sd) * ((x - center) / sd) : -.infinity },
      lower: -2, upper: 5, scaleHint: { _ in sd })
    #expect(tabulation.modes.count == 1, "\(tabulation.modes)")
    #expect(abs((tabulation.modes.first ?? .nan) - center) <= 1e-6 * sd)
    func phi(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
    let cut = phi(-1)
    for q in [0.025, 0.5, 0.975] {
      // Bisection on the closed-form CDF.
      var (low, high) = (0.0, 1.0)
      for _ in 0..<200 {
        let mid = 0.5 * (low + high)
        if (phi((mid - center) / sd) - cut) / (1 - cut) < q { low = mid } else { high = mid }
      }
      #expect(abs(tabulation.quantile(q) - 0.5 * (low + high)) <= 1e-10 * sd, "q = \(q)")
    }
  }

  /// Two separated normals of equal mass, N(−3, 0.5²) and N(4, 1): the region at 90% is two
  /// intervals. Reference: the level c solved by bisection on the closed form of the mass,
  /// ½Σ Φ((b − μ)/σ) − Φ((a − μ)/σ) over both components and both pieces, each piece's ends
  /// solved by bisection on the mixture's density (the far component's tail moves the inner
  /// ends by 10⁻⁸); to 5e-10 (the narrower sd is 0.5; a mass off by QAG's 1e-10 would move
  /// the ends by about 4e-10).
  @Test("the region of two separated modes, against the closed forms")
  func bimodalRegion() throws {
    let components = [(mean: -3.0, sd: 0.5), (mean: 4.0, sd: 1.0)]
    func density(_ x: Double) -> Double {
      var total = 0.0
      for c in components {
        let z = (x - c.mean) / c.sd
        total += 0.5 * exp(-0.5 * z * z) / c.sd
      }
      return total
    }
    let tabulation = try PosteriorTabulation()
    try tabulation.tabulate(
      logDensity: { log(density($0)) }, lower: -12, upper: 14, scaleHint: { _ in 0.5 })
    // Where the density crosses c between a and b, on which it is monotone.
    func crossing(_ c: Double, _ a: Double, _ b: Double) -> Double {
      var (low, high) = (a, b)
      let rising = density(b) > density(a)
      for _ in 0..<200 {
        let mid = 0.5 * (low + high)
        if (density(mid) < c) == rising { low = mid } else { high = mid }
      }
      return 0.5 * (low + high)
    }
    // Between the modes the density is lowest near x = −0.56 and below 4e-4 on [−0.6, 0.2],
    // far below the level (about 0.16, checked below): each bisection's predicate holds on
    // an interval.
    func pieces(_ c: Double) -> [ClosedRange<Double>] {
      [crossing(c, -12, -3)...crossing(c, -3, 0.2), crossing(c, 0.2, 4)...crossing(c, 4, 14)]
    }
    func mass(_ c: Double) -> Double {
      var total = 0.0
      for piece in pieces(c) {
        for component in components {
          let (a, b) = (
            (piece.lowerBound - component.mean) / component.sd,
            (piece.upperBound - component.mean) / component.sd
          )
          total += 0.25 * (erf(b / 2.0.squareRoot()) - erf(a / 2.0.squareRoot()))
        }
      }
      return total
    }
    var (low, high) = (1e-6, 0.5)
    for _ in 0..<200 {
      let mid = 0.5 * (low + high)
      if mass(mid) > 0.9 { low = mid } else { high = mid }
    }
    let level = 0.5 * (low + high)
    #expect(density(-0.56) < 1e-3 * level && density(0.2) < 1e-2 * level)
    let reference = pieces(level)
    let region = tabulation.highestDensityRegion(level: 0.9)
    #expect(region.count == 2, "\(region)")
    guard region.count == 2 else { return }
    for (piece, expected) in zip(region, reference) {
      #expect(abs(piece.lowerBound - expected.lowerBound) <= 0.5e-9, "\(piece), \(expected)")
      #expect(abs(piece.upperBound - expected.upperBound) <= 0.5e-9, "\(piece), \(expected)")
    }
  }

  /// The interpolant through the 21 Kronrod nodes is exact for a polynomial of degree 20, and
  /// so are its antiderivative and derivative; its Gauss nodes are GSL's 10-point
  /// Gauss–Legendre nodes. Reference: p(s) = Σ sʲ/(j + 1) for j ≤ 20, its antiderivative
  /// Σ (sʲ⁺¹ + (−1)ʲ)/(j + 1)² from −1 and its derivative, in closed form;
  /// `FixedQuadrature.gaussLegendre(points: 10)`.
  @Test("the Kronrod interpolant is exact for degree 20")
  func kronrodInterpolantExact() throws {
    let nodes = KronrodInterpolant.nodes
    let gauss = try FixedQuadrature.gaussLegendre(points: 10)
    let oddPlaces = stride(from: 1, to: 21, by: 2).map { nodes[$0] }
    for (node, expected) in zip(oddPlaces, gauss.nodes.sorted()) {
      #expect(abs(node - expected) <= 1e-15)
    }
    func p(_ s: Double) -> Double {
      var sum = 0.0
      for j in 0...20 { sum += pow(s, Double(j)) / Double(j + 1) }
      return sum
    }
    func integral(_ s: Double) -> Double {
      var sum = 0.0
      for j in 0...20 {
        let sign: Double = j % 2 == 0 ? 1 : -1
        sum += (pow(s, Double(j + 1)) + sign) / Double((j + 1) * (j + 1))
      }
      return sum
    }
    let values = nodes.map(p)
    var coefficients = [Double](repeating: 0, count: 21)
    var antiderivative = [Double](repeating: 0, count: 22)
    values.withUnsafeBufferPointer { values in
      coefficients.withUnsafeMutableBufferPointer { c in
        antiderivative.withUnsafeMutableBufferPointer { a in
          KronrodInterpolant.fit(values, coefficients: c, antiderivative: a)
        }
      }
    }
    // p′(s) = Σ j·sʲ⁻¹/(j + 1).
    func derivative(_ s: Double) -> Double {
      var sum = 0.0
      for j in 1...20 { sum += Double(j) * pow(s, Double(j - 1)) / Double(j + 1) }
      return sum
    }
    for s in [-1.0, -0.77, -0.1, 0.3, 0.91, 1] {
      let value = coefficients.withUnsafeBufferPointer { KronrodInterpolant.series($0, at: s) }
      let area = antiderivative.withUnsafeBufferPointer { KronrodInterpolant.series($0, at: s) }
      let both = coefficients.withUnsafeBufferPointer {
        KronrodInterpolant.seriesWithDerivative($0, at: s)
      }
      #expect(abs(value - p(s)) <= 1e-13 * max(1, abs(p(s))), "p(\(s))")
      #expect(abs(area - integral(s)) <= 1e-13 * max(1, abs(integral(s))), "∫p to \(s)")
      #expect(both.value == value, "p(\(s)) in one pass")
      #expect(
        abs(both.derivative - derivative(s)) <= 1e-12 * max(1, abs(derivative(s))), "p′(\(s))")
    }
  }
}
