internal import CalibGSL

/// A posterior density of one scalar quantity on a bounded range, integrated once with error
/// control and tabulated, so that every summary (moments, quantiles, modes, highest-density
/// region) comes from the same table.
///
/// The method (docs/measurement.md):
/// 1. The log-density is scanned on a 129-point grid over the range; its local maxima are
///    refined by Brent's method (GSL) into the modes; where the density is zero at the
///    neighbouring grid point, the edge of the support is found, and is the mode where the
///    density is highest there. A mode narrower than the grid that the
///    integrals of step 3 find (a node above the peak) is refined likewise, and steps 2–3 are
///    done again.
/// 2. Around each mode, breakpoints at ±1, 2, 4, …, 32 local scales (from the curvature of
///    the log-density), and at each edge of the support found, split the range into segments,
///    so that no narrow peak, nor a sliver of mass, falls between quadrature nodes.
/// 3. Each segment is integrated by GSL's adaptive Gauss–Kronrod (QAG, 21 points) to
///    relative tolerance 1e-10; the final subintervals become panels, integrated again with
///    a 10-point Gauss–Legendre rule so that partial integrals inside a panel agree with it
///    (its nodes are QAG's Gauss nodes: their densities are taken from its evaluations).
/// 4. Inside a panel the density is the polynomial of degree 20 through QAG's 21 values there
///    (`KronrodInterpolant`), where it is resolved, else Gauss–Legendre integrals of new
///    evaluations: the CDF inside a panel is its antiderivative; quantiles are found by
///    safeguarded Newton steps on it; the highest-density region by solving for the density
///    level whose superset holds the wanted mass, the levels tried on the polynomials and the
///    last one's crossings on the log-density.
///
/// One tabulation object per thread: it keeps its workspaces and buffers between uses.
final class PosteriorTabulation {
  private let integrator: AdaptiveIntegrator
  private let minimizer: Minimizer
  private let rule: FixedQuadrature
  private var logDensity: (Double) -> Double = { _ in 0 }

  /// The range [lower, upper] of the prior.
  private(set) var lower = 0.0
  private(set) var upper = 1.0
  /// The largest value of the log-density: densities are kept as exp(ℓ − logPeak).
  private(set) var logPeak = 0.0
  /// The panels, in order, and the unnormalized CDF at each panel's start (one more entry:
  /// the total mass at the end).
  private var panels: [AdaptiveIntegrator.Panel] = []
  private var cumulative: [Double] = []
  /// The Gauss–Legendre nodes of every panel and the density there, panel after panel: the
  /// moments are sums over them, with no further evaluation.
  private var nodeX: [Double] = []
  private var nodeWeightedDensity: [Double] = []
  /// The density at each node, relative to the peak (above 1: a peak the scan missed).
  private var nodeDensity: [Double] = []
  /// Modes (local maxima) with density at least 1e-4 of the highest, in increasing x.
  private(set) var modes: [Double] = []
  /// The estimated relative error of the normalization.
  private(set) var relativeError = 0.0
  /// Density evaluations spent on this tabulation.
  private(set) var evaluations = 0
  /// Whether `tabulate` was asked to keep the values of ℓ, and those found so far, by the bits
  /// of x.
  private var remembering = false
  private var remembered: [UInt64: Double] = [:]
  /// The points QAG asked for in the last integration and their densities, in its order
  /// (kept for their storage).
  private var recordedX: [Double] = []
  private var recordedDensity: [Double] = []
  /// Where each panel's block of 21 starts in `recordedX` (−1: none, as for most panels of
  /// `compositePanels`), and the place in a block of each of `KronrodInterpolant.nodes`, in
  /// their order (empty until a block is found to hold them).
  private var panelBlocks: [Int] = []
  private var kronrodPlaces: [Int] = []
  /// Each panel's interpolant, made on first use: whether it is made (0: not yet; 1: made;
  /// −1: the panel has none), its Legendre coefficients then those of its antiderivative
  /// (`interpolantStride` per panel), and the antiderivative's value at the panel's end.
  private var interpolantStates: [Int8] = []
  private var interpolantSeries: [Double] = []
  private var interpolantTotals: [Double] = []
  private static let interpolantStride = 2 * KronrodInterpolant.count + 1

  init() throws {
    integrator = try AdaptiveIntegrator(limit: 2000)
    minimizer = try Minimizer()
    rule = try FixedQuadrature.gaussLegendre(points: 10)
  }

  /// The total (unnormalized) mass.
  var mass: Double { cumulative.last ?? 0 }

  /// Tabulates the density exp(ℓ(x)) on [lower, upper].
  ///
  /// - Parameters:
  ///   - logDensity: ℓ, up to a constant; −∞ where the density is zero.
  ///   - scaleHint: A rough standard deviation of the posterior near a point, for the
  ///     curvature estimate's step (the linearized sd: √var(ȳ)/|dμ/dx|).
  ///   - remembering: Whether to keep every value of ℓ and look it up before evaluating ℓ
  ///     again: for a costly ℓ (an average over thousands of samples or quadrature nodes), the
  ///     Gauss–Legendre panels then cost nothing, their nodes being among those the adaptive
  ///     Gauss–Kronrod rule evaluated. For a cheap ℓ the look-ups would cost more than ℓ.
  func tabulate(
    logDensity: @escaping (Double) -> Double, lower: Double, upper: Double,
    scaleHint: (Double) -> Double, remembering: Bool = false
  ) throws {
    self.logDensity = logDensity
    self.lower = lower
    self.upper = upper
    evaluations = 0
    self.remembering = remembering
    remembered.removeAll(keepingCapacity: true)
    let width = upper - lower

    // 1. Grid scan and refined maxima.
    let gridCount = 128
    var gridX = [Double](repeating: 0, count: gridCount + 1)
    var gridL = gridX
    for i in 0...gridCount {
      gridX[i] = i == gridCount ? upper : lower + width * Double(i) / Double(gridCount)
      gridL[i] = evaluate(gridX[i])
    }
    var candidates: [(x: Double, l: Double)] = []
    // Where the density drops to zero next to a peak (the model undefined beyond a point
    // inside the range), the edge of its support: a breakpoint, and the mode where the density
    // is highest there.
    var edges: [Double] = []
    for i in 0...gridCount {
      let left = i > 0 ? gridL[i - 1] : -.infinity
      let right = i < gridCount ? gridL[i + 1] : -.infinity
      guard gridL[i] >= left, gridL[i] >= right, gridL[i] > -.infinity else { continue }
      if i > 0, i < gridCount, gridL[i] > left, gridL[i] > right {
        // The peak's scale: the hint, or the grid's own curvature where that says narrower
        // (the hint is the linearized sd, which grows without bound where the slope vanishes).
        let step = gridX[i + 1] - gridX[i]
        let fall = gridL[i] - 0.5 * (gridL[i - 1] + gridL[i + 1])
        let scale = narrowest(scaleHint(gridX[i]), step / (2 * fall).squareRoot())
        var x = try maximum(
          near: gridX[i], between: gridX[i - 1], and: gridX[i + 1], scale: scale)
        var l = evaluate(x)
        for j in [i - 1, i + 1] where gridL[j] == -.infinity {
          let edge = supportEdge(
            from: x, l, toward: gridX[j],
            tolerance: min(width * 1e-15, scale.isFinite ? 1e-13 * scale : .infinity))
          edges.append(edge.x)
          if edge.l > l { (x, l) = edge }
        }
        candidates.append((x, l))
      } else {
        candidates.append((gridX[i], gridL[i]))
      }
    }
    // 2–3, then a check: a Gauss–Legendre node above the peak means a mode narrower than the
    // grid lies between two grid points (a reading far into the flank of a wide prior range).
    // It is refined by Brent's method between its neighbouring nodes, joins the candidates,
    // and the breakpoints and integrals are made again around it.
    for _ in 0..<4 {
      try integrate(candidates: candidates, edges: edges, width: width, scaleHint: scaleHint)
      guard let missed = highestNodeAbovePeak() else { break }
      let left = missed > 0 ? nodeX[missed - 1] : lower
      let right = missed + 1 < nodeX.count ? nodeX[missed + 1] : upper
      var x = nodeX[missed]
      if left < x, x < right {
        x = try maximum(
          near: x, between: left, and: right, scale: narrowest(scaleHint(x), right - left))
      }
      candidates.append((x, evaluate(x)))
    }
    // An end of the range is a mode only where the density falls away from it: not below its
    // nearest node (the coarse scan alone cannot tell).
    modes.removeAll { x in
      (x == lower && nodeDensity.first.map { density(lower) < $0 } == true)
        || (x == upper && nodeDensity.last.map { density(upper) < $0 } == true)
    }
  }

  /// The smaller of two scales that are finite and positive; NaN where neither is.
  private func narrowest(_ a: Double, _ b: Double) -> Double {
    [a, b].filter { $0.isFinite && $0 > 0 }.min() ?? .nan
  }

  /// The local maximum of ℓ in [a, b] near `guess`, by Brent's method (GSL) on the offset
  /// t = x − guess, to a bracket of 10⁻⁷ of `scale` (the peak's width there, or less).
  /// GSL's Brent steps no closer than √ε·|t| to its best point, so that its bracket never
  /// shrinks below 2√ε·|t|: on x itself, a peak at 10⁶ with sd 0.07 could not be placed closer
  /// than 0.2 sd, and the integrals then found nodes above it, each refined into another mode
  /// a few hundredths of an sd away. On the offset the bracket's floor is 2.5√ε of its first
  /// width, which it reaches (|t| stays within the bracket): a few 10⁻⁸ of the grid's step,
  /// and for a peak a thousandth of the step wide its best point still lands within 10⁻⁶ sd
  /// (`PosteriorTabulationTests`). Comparing values of ℓ, Brent places a maximum to about √ε
  /// of its width; a unimodal posterior's mode is then placed by Newton steps
  /// (`Measurer.polishedMode`).
  private func maximum(
    near guess: Double, between a: Double, and b: Double, scale: Double
  ) throws -> Double {
    let floor = max((upper - lower) * 1e-15, 2.5 * Double.ulpOfOne.squareRoot() * (b - a))
    // The bracket's ends are a and b themselves, as the scan evaluated them (an offset added
    // back could miss them by an ulp). GSL's minimizer refuses non-finite values: a point of
    // zero density counts as huge.
    let (low, high) = (a - guess, b - guess)
    let offset = try minimizer.minimize(
      { t in
        let v = -self.evaluate(t == low ? a : t == high ? b : guess + t)
        return v.isFinite ? v : 1e300
      }, guess: 0, lower: low, upper: high,
      tolerance: scale.isFinite && scale > 0 ? max(floor, 1e-7 * scale) : floor)
    return guess + offset
  }

  /// The end of the support of the density between `inside` (where ℓ is `l`, finite) and
  /// `outside` (where it is −∞), to `tolerance` (10⁻¹³ of the peak's scale, at most 10⁻¹⁵ of
  /// the range: the sliver beyond it is lost, a fraction of the mass about that over the
  /// scale) by bisection; and ℓ there. Brent's method places a maximum at such an edge only
  /// to its tolerance, inside it: the sliver between would lie in a segment whose nodes all
  /// fall where the density is zero, and its mass (3.8·10⁻⁸ of Exp(1) so) would be lost
  /// without a sign in the error estimate. It takes ℓ to stay −∞ from the edge to `outside`
  /// (it finds one end of the support between the two); a first probe just outside `inside`
  /// tells, in one evaluation, the common case of a maximum Brent's method left at the edge.
  private func supportEdge(
    from inside: Double, _ l: Double, toward outside: Double, tolerance: Double
  ) -> (x: Double, l: Double) {
    var (finite, zero, value) = (inside, outside, l)
    let probe = inside + (outside > inside ? tolerance : -tolerance)
    if (probe - inside) * (outside - probe) > 0 {
      let l = evaluate(probe)
      if l.isFinite { (finite, value) = (probe, l) } else { return (inside, value) }
    }
    while Swift.abs(finite - zero) > tolerance {
      let middle = 0.5 * (finite + zero)
      guard middle != finite, middle != zero else { break }
      let l = evaluate(middle)
      if l.isFinite { (finite, value) = (middle, l) } else { zero = middle }
    }
    return (finite, value)
  }

  /// The node of the Gauss–Legendre panels whose density exceeds the peak found so far by
  /// more than rounding, if any (the highest such).
  private func highestNodeAbovePeak() -> Int? {
    var best: Int?
    var highest = 1 + 1e-9
    for k in nodeDensity.indices where nodeDensity[k] > highest {
      (best, highest) = (k, nodeDensity[k])
    }
    return best
  }

  /// Steps 2 and 3 of the method: the peak and the modes from `candidates`, the breakpoints
  /// around them, the adaptive integrals of the segments, and the Gauss–Legendre panels.
  private func integrate(
    candidates: [(x: Double, l: Double)], edges: [Double], width: Double,
    scaleHint: (Double) -> Double
  ) throws {
    guard let highest = candidates.map(\.l).max(), highest.isFinite else {
      throw MeasurementError.invalidSetting(
        "the posterior is zero everywhere on the range [\(lower), \(upper)]")
    }
    logPeak = highest
    let significant = candidates.filter { $0.l - highest > _log(1e-4) }
    modes = significant.map(\.x).sorted()

    // 2. Breakpoints around every mode, at multiples of its local scale.
    var breakpoints = [lower, upper]
    var guessMass = 0.0
    for mode in candidates where mode.l - highest > -40 {
      let scale = localScale(at: mode.x, hint: scaleHint(mode.x), width: width)
      guessMass += scale * 2.5 * _exp(mode.l - highest)
      breakpoints.append(mode.x)
      for k in [1.0, 2, 4, 8, 16, 32] {
        breakpoints.append(mode.x - k * scale)
        breakpoints.append(mode.x + k * scale)
      }
    }
    breakpoints += edges
    breakpoints = breakpoints.filter { $0 >= lower && $0 <= upper }.sorted()
    var distinct: [Double] = []
    for b in breakpoints where distinct.last.map({ b - $0 > width * 1e-13 }) ?? true {
      distinct.append(b)
    }
    // Cannot trap: lower is a breakpoint and survives the filter (lower ≤ upper: the prior range
    // is a ClosedRange), so distinct is not empty.
    if distinct.last! < upper { distinct[distinct.count - 1] = upper }
    // An edge of the support merged into a breakpoint within 10⁻¹³ of the range takes its
    // place (inside the ends), so that no sliver of mass lies beyond a segment's last node.
    for edge in edges where edge > lower && edge < upper && !distinct.contains(edge) {
      // Cannot trap: distinct holds lower and upper, so a nearest point exists.
      let nearest = distinct.indices.min {
        Swift.abs(distinct[$0] - edge) < Swift.abs(distinct[$1] - edge)
      }!
      if nearest > 0, nearest < distinct.count - 1,
        Swift.abs(distinct[nearest] - edge) <= width * 1e-13
      {
        distinct[nearest] = edge
      }
    }

    // 3. Adaptive integration of every segment; the panels, re-integrated by Gauss–Legendre.
    // The densities QAG asks for are kept in the order it asks: its 21-point rule evaluates a
    // subinterval's centre first, then its 10 Gauss nodes, then the Kronrod ones, so each
    // final subinterval's Gauss–Legendre nodes are among the values of one block of 21.
    panels.removeAll(keepingCapacity: true)
    var askedX = recordedX, askedDensity = recordedDensity
    (recordedX, recordedDensity) = ([], [])
    askedX.removeAll(keepingCapacity: true)
    askedDensity.removeAll(keepingCapacity: true)
    var reportedError = 0.0
    var adaptiveTotal = 0.0
    let segments = distinct.count - 1
    for k in 0..<segments {
      do {
        let result = try integrator.integrate(
          { x in
            let value = self.density(x)
            askedX.append(x)
            askedDensity.append(value)
            return value
          }, from: distinct[k], to: distinct[k + 1],
          absoluteTolerance: 1e-13 * guessMass / Double(segments), relativeTolerance: 1e-10,
          panels: &panels)
        reportedError += result.error
        adaptiveTotal += result.value
      } catch {
        // QAG gives up on a density it finds singular (a spike narrower than its rules): the
        // segment is then cut into 256 equal panels, and the error estimated from halving them.
        let (value, error) = compositePanels(from: distinct[k], to: distinct[k + 1], count: 256)
        reportedError += error
        adaptiveTotal += value
      }
    }
    panels.sort { $0.lower < $1.lower }
    tabulatePanels(askedX: askedX, askedDensity: askedDensity)
    (recordedX, recordedDensity) = (askedX, askedDensity)
    relativeError = (reportedError + Swift.abs(mass - adaptiveTotal)) / mass
  }

  /// The panels' Gauss–Legendre nodes, densities and integrals, and the CDF at their starts.
  /// A node's density is taken from the values QAG asked for (`askedX`, `askedDensity`, in
  /// blocks of 21 from a subinterval's centre) where the node is the same x, bit for bit, and
  /// evaluated otherwise: the same numbers as evaluating every node, with no evaluation of its
  /// own (but for the equal panels of a segment QAG gave up on, `compositePanels`, whose nodes
  /// are evaluated again). Built in local arrays: appending to the stored ones would pay
  /// Swift's dynamic exclusivity check at each node.
  private func tabulatePanels(askedX: [Double], askedDensity: [Double]) {
    var blocks: [UInt64: Int] = [:]
    if askedX.count % 21 == 0 {
      for start in stride(from: 0, to: askedX.count, by: 21) {
        blocks[askedX[start].bitPattern] = start
      }
    }
    // Where in a block each node was asked for: the same place in every block, found once.
    var places = [Int](repeating: 0, count: rule.nodes.count)
    var xs = nodeX, densities = nodeDensity, weighted = nodeWeightedDensity
    var starts = cumulative
    var panels = self.panels
    var panelBlocks = self.panelBlocks
    (nodeX, nodeDensity, nodeWeightedDensity, cumulative, self.panels) = ([], [], [], [], [])
    self.panelBlocks = []
    xs.removeAll(keepingCapacity: true)
    densities.removeAll(keepingCapacity: true)
    weighted.removeAll(keepingCapacity: true)
    starts.removeAll(keepingCapacity: true)
    panelBlocks.removeAll(keepingCapacity: true)
    kronrodPlaces.removeAll(keepingCapacity: true)
    starts.append(0)
    for i in panels.indices {
      let half = 0.5 * (panels[i].upper - panels[i].lower),
        center = 0.5 * (panels[i].upper + panels[i].lower)
      let block = blocks[center.bitPattern]
      panelBlocks.append(block ?? -1)
      if let block, kronrodPlaces.isEmpty {
        kronrodPlaces = Self.kronrodPlaces(
          (0..<21).map { (askedX[block + $0] - center) / half })
      }
      var value = 0.0
      for k in rule.nodes.indices {
        let x = center + half * rule.nodes[k]
        var relative: Double?
        if let block {
          if askedX[block + places[k]].bitPattern != x.bitPattern {
            places[k] = (1..<21).first { askedX[block + $0].bitPattern == x.bitPattern } ?? 0
          }
          if places[k] > 0 { relative = askedDensity[block + places[k]] }
        }
        let density = relative ?? self.density(x)
        let w = rule.weights[k] * half * density
        xs.append(x)
        densities.append(density)
        weighted.append(w)
        value += w
      }
      panels[i].integral = value
      starts.append(starts[i] + value)
    }
    (nodeX, nodeDensity, nodeWeightedDensity, cumulative, self.panels) =
      (xs, densities, weighted, starts, panels)
    self.panelBlocks = panelBlocks
    interpolantStates.removeAll(keepingCapacity: true)
    interpolantStates.append(contentsOf: repeatElement(0, count: panels.count))
    interpolantTotals.removeAll(keepingCapacity: true)
    interpolantTotals.append(contentsOf: repeatElement(0, count: panels.count))
    interpolantSeries.removeAll(keepingCapacity: true)
    interpolantSeries.append(
      contentsOf: repeatElement(0, count: panels.count * Self.interpolantStride))
  }

  /// For each of `KronrodInterpolant.nodes` in order, its place among the 21 points of a
  /// block (`offsets`, each (x − centre)/half-width): empty where they are not those nodes,
  /// and the next block is tried. Each offset is told by the nearest node, to 10⁻⁴ of the
  /// half-width: nodes lie at least 0.02 apart, and a block far from 0 carries the rounding of
  /// its centre (10⁻⁸ of the half-width for a panel 0.02 wide at 10⁶).
  private static func kronrodPlaces(_ offsets: [Double]) -> [Int] {
    var places = [Int](repeating: -1, count: KronrodInterpolant.count)
    for (place, t) in offsets.enumerated() {
      // Cannot trap: nodes has 21 elements.
      let node = KronrodInterpolant.nodes.indices.min {
        Swift.abs(KronrodInterpolant.nodes[$0] - t) < Swift.abs(KronrodInterpolant.nodes[$1] - t)
      }!
      guard Swift.abs(KronrodInterpolant.nodes[node] - t) <= 1e-4, places[node] < 0 else {
        return []
      }
      places[node] = place
    }
    return places
  }

  /// The offset of panel k's interpolant in `interpolantSeries`, made on first use from the
  /// densities QAG asked for at its 21 Kronrod nodes; nil where the panel has none: a panel
  /// without its block of 21, or whose polynomial is not resolved to the tolerance, the
  /// smaller of 10⁻¹³ and the integral's relative error, of the mass. Two checks: the last
  /// two Legendre coefficients times its width (what a higher degree would add, as Chebfun
  /// judges a Chebyshev series: a heuristic, not a bound), and the polynomial's integral, which
  /// is the 21-point Kronrod sum, against the panel's Gauss–Legendre one (QAG's own error
  /// estimate before it is scaled).
  private func interpolant(_ k: Int) -> Int? {
    let stride = Self.interpolantStride
    switch interpolantStates[k] {
    case 1: return k * stride
    case -1: return nil
    default: break
    }
    interpolantStates[k] = -1
    let block = panelBlocks[k]
    guard block >= 0, !kronrodPlaces.isEmpty else { return nil }
    let n = KronrodInterpolant.count
    let half = 0.5 * (panels[k].upper - panels[k].lower)
    let offset = k * stride
    let places = kronrodPlaces
    // The densities are finite: exp(min(ℓ − logPeak, 600)), or 0.
    recordedDensity.withUnsafeBufferPointer { recorded in
      interpolantSeries.withUnsafeMutableBufferPointer { series in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { values in
          for i in 0..<n { values[i] = recorded[block + places[i]] }
          KronrodInterpolant.fit(
            UnsafeBufferPointer(values),
            coefficients: UnsafeMutableBufferPointer(rebasing: series[offset..<(offset + n)]),
            antiderivative: UnsafeMutableBufferPointer(
              rebasing: series[(offset + n)..<(offset + stride)]))
        }
      }
    }
    let total = interpolantSeries[(offset + n)..<(offset + stride)].reduce(0, +)
    let unresolved =
      2 * half
      * (Swift.abs(interpolantSeries[offset + n - 2])
        + Swift.abs(interpolantSeries[offset + n - 1]))
    let tolerance = min(1e-13, relativeError) * mass
    guard total > 0, unresolved <= tolerance,
      Swift.abs(half * total - panels[k].integral) <= tolerance
    else { return nil }
    interpolantTotals[k] = total
    interpolantStates[k] = 1
    return offset
  }

  /// The panel holding x: the last whose start is at or below it (the first for x below all).
  private func panel(containing x: Double) -> Int {
    var k = 0
    var hi = panels.count - 1
    while k < hi {
      let mid = (k + hi + 1) / 2
      if panels[mid].lower <= x { k = mid } else { hi = mid - 1 }
    }
    return k
  }

  /// The unnormalized CDF at x in panel k from its interpolant, and its derivative there;
  /// nil where the panel has none. The antiderivative is scaled to the panel's
  /// Gauss–Legendre integral, so that the CDF meets the table's at the panel's ends.
  private func interpolatedCDF(_ k: Int, at x: Double) -> (value: Double, slope: Double)? {
    guard let offset = interpolant(k) else { return nil }
    let n = KronrodInterpolant.count
    let panel = panels[k]
    let half = 0.5 * (panel.upper - panel.lower), center = 0.5 * (panel.upper + panel.lower)
    let s = min(max((x - center) / half, -1), 1)
    let scale = panel.integral / interpolantTotals[k]
    return interpolantSeries.withUnsafeBufferPointer { series in
      let density = UnsafeBufferPointer(rebasing: series[offset..<(offset + n)])
      let antiderivative = UnsafeBufferPointer(
        rebasing: series[(offset + n)..<(offset + Self.interpolantStride)])
      return (
        cumulative[k] + scale * KronrodInterpolant.series(antiderivative, at: s),
        scale * KronrodInterpolant.series(density, at: s) / half
      )
    }
  }

  // MARK: - Summaries

  /// The normalized density at x.
  func normalizedDensity(_ x: Double) -> Double { density(x) / mass }

  /// The density at x relative to its highest value (1 at the highest mode).
  func relativeDensity(_ x: Double) -> Double { density(x) }

  /// P(X ≤ x).
  func cdf(_ x: Double) -> Double { unnormalizedCDF(x) / mass }

  /// Mean and standard deviation.
  func moments() -> (mean: Double, sd: Double) {
    var first = 0.0
    for k in nodeX.indices { first += nodeX[k] * nodeWeightedDensity[k] }
    let mean = first / mass
    var second = 0.0
    for k in nodeX.indices {
      second += (nodeX[k] - mean) * (nodeX[k] - mean) * nodeWeightedDensity[k]
    }
    return (mean, (second / mass).squareRoot())
  }

  /// The q-quantile, 0 < q < 1, by safeguarded Newton steps on the CDF inside its panel.
  func quantile(_ q: Double) -> Double {
    let target = q * mass
    var k = 0
    var hi = panels.count - 1
    while k < hi {
      let mid = (k + hi + 1) / 2
      if cumulative[mid] <= target { k = mid } else { hi = mid - 1 }
    }
    let panel = panels[k]
    let base = cumulative[k]
    // Newton steps on F(t) − q inside the panel, bracketed; where a step would leave the
    // bracket, a false-position step instead. (Plain regula falsi: Newton steps dominate, and
    // where the CDF is flat between modes the quantile is only defined to the tolerance, so the
    // fallback's path is kept as the reports were recorded with.)
    var bracket = RootBracket(
      panel.lower, base - target, panel.upper, cumulative[k + 1] - target)
    let fraction = panel.integral > 0 ? min(max((target - base) / panel.integral, 0), 1) : 0
    var t = panel.lower + (panel.upper - panel.lower) * fraction
    for _ in 0..<100 {
      let interpolated = interpolatedCDF(k, at: t)
      let f =
        (interpolated?.value ?? base + integrate(from: panel.lower, to: t) { self.density($0) })
        - target
      // A residual of a few ulps of the mass is as close as the CDF can tell (the polynomial's
      // or the Gauss–Legendre partial integral, each exact to rounding for what it is).
      if Swift.abs(f) <= 4 * Double.ulpOfOne * mass { return t }
      bracket.narrow(at: t, value: f, illinois: false)
      let p = interpolated?.slope ?? density(t)
      let next = bracket.next(newton: p > 0 ? t - f / p : .nan)
      if Swift.abs(next - t) <= 2 * t.ulp || bracket.isExhausted { return next }
      t = next
    }
    return t
  }

  /// The highest-density region holding `level` of the mass: the set {x : p(x) > c} for the
  /// c at which its mass is `level`, as disjoint intervals in increasing order.
  func highestDensityRegion(level: Double) -> [ClosedRange<Double>] {
    var samples = panels.map(\.lower) + [upper] + modes
    samples.sort()
    let logSamples = samples.map { evaluate($0) - logPeak }
    let target = level * mass
    // mass({ℓ − logPeak > t}) decreases in t, from the whole mass at the lowest sample to 0
    // at t = 0. Start where a Gaussian would have the answer, t = −z²/2 with z the
    // (1 + level)/2 normal quantile.
    let low = max((logSamples.filter { $0 > -.infinity }.min() ?? -700) - 1, -700)
    var bracket = RootBracket(low, mass - target, 0, -target)
    let z = Distributions.normalQuantile(0.5 + level / 2)
    // Newton steps on g(t) = mass − target with g′(t) = −Σ p(xₖ)/|ℓ′(xₖ)| over the
    // crossings xₖ (p = eᵗ there, relative to the peak), kept inside the bracket [low, 0]
    // and replaced by an Illinois step when they would leave it.
    // The level is sought with the crossings of the panels' interpolants (no evaluation);
    // the region at the level found has its crossings on ℓ itself.
    var t = max(-z * z / 2, 0.5 * low)
    var region = superlevel(t, samples: samples, logSamples: logSamples, interpolated: true)
    for _ in 0..<100 {
      let g = region.mass - target
      if Swift.abs(g) <= 1e-13 * mass || bracket.isExhausted { break }
      bracket.narrow(at: t, value: g)
      t = bracket.next(newton: region.slope < 0 ? t - g / region.slope : .nan)
      region = superlevel(t, samples: samples, logSamples: logSamples, interpolated: true)
    }
    guard region.interpolated else { return region.intervals }
    return superlevel(
      t, samples: samples, logSamples: logSamples, interpolated: false, measured: false
    ).intervals
  }

  /// The set where ℓ − logPeak > t, its mass (where `measured`), the derivative of the mass
  /// in t, and whether a crossing came from an interpolant; with its crossings from the
  /// panels' interpolants where they have them (`interpolated`), else on ℓ.
  private func superlevel(
    _ t: Double, samples: [Double], logSamples: [Double], interpolated: Bool,
    measured: Bool = true
  ) -> (intervals: [ClosedRange<Double>], mass: Double, slope: Double, interpolated: Bool) {
    var intervals: [ClosedRange<Double>] = []
    var slope = 0.0
    var anyInterpolated = false
    var start: Double? = logSamples[0] > t ? samples[0] : nil
    for j in 0..<(samples.count - 1) {
      let inside = logSamples[j] > t, next = logSamples[j + 1] > t
      guard inside != next else { continue }
      let (a, b) = (samples[j], samples[j + 1])
      let crossing: (x: Double, slope: Double)
      if interpolated, let found = interpolatedCrossing(between: a, and: b, level: t, from: inside)
      {
        crossing = found
        anyInterpolated = true
      } else {
        crossing = crossingPoint(between: a, logSamples[j], and: b, logSamples[j + 1], level: t)
      }
      slope -= _exp(t) / Swift.abs(crossing.slope)
      if inside {
        // Cannot trap: start is set exactly while the samples are inside (set where the walk
        // enters, cleared where it leaves, and at j = 0 when it starts inside).
        intervals.append(start!...crossing.x)
        start = nil
      } else {
        start = crossing.x
      }
    }
    if let start { intervals.append(start...samples[samples.count - 1]) }
    let mass =
      measured
      ? intervals.reduce(0.0) {
        $0 + unnormalizedCDF($1.upperBound) - unnormalizedCDF($1.lowerBound)
      } : .nan
    return (intervals, mass, slope, anyInterpolated)
  }

  /// The x in [a, b] where ℓ(x) − logPeak = t, for a bracketing pair whose ℓ − logPeak are
  /// `la` and `lb`, and the slope of ℓ there. |Δℓ| of 1e-14 is a relative change of the
  /// density far below what the mass can tell, so the root is taken to that.
  private func crossingPoint(
    between a: Double, _ la: Double, and b: Double, _ lb: Double, level t: Double
  ) -> (x: Double, slope: Double) {
    let g = { (x: Double) -> Double in
      let value = self.evaluate(x) - self.logPeak - t
      return value.isFinite ? value : -1e300
    }
    let (ga, gb) = ((la - t).isFinite ? la - t : -1e300, (lb - t).isFinite ? lb - t : -1e300)
    let x = Roots.bracketed(g, a, ga, b, gb, tolerance: 4 * max(a.ulp, b.ulp), residual: 1e-14)
    let step = max((b - a) * 1e-6, 8 * x.ulp)
    let slope = (evaluate(x + step) - evaluate(x - step)) / (2 * step)
    return (x, slope.isFinite && slope != 0 ? slope : (gb - ga) / (b - a))
  }

  /// `crossingPoint` on the interpolant of the panel holding [a, b] (consecutive samples of
  /// `highestDensityRegion`, which lie in one panel), by safeguarded Newton steps on
  /// log p − t with the polynomial's own derivative; nil where the panel has none, or where
  /// the interpolant does not cross the level between a and b as ℓ does (from above where
  /// ℓ(a) is above it, `fromAbove`).
  private func interpolatedCrossing(
    between a: Double, and b: Double, level t: Double, from fromAbove: Bool
  ) -> (x: Double, slope: Double)? {
    let k = panel(containing: 0.5 * (a + b))
    let panel = panels[k]
    guard let offset = interpolant(k), a >= panel.lower, b <= panel.upper else { return nil }
    let half = 0.5 * (panel.upper - panel.lower), center = 0.5 * (panel.upper + panel.lower)
    return interpolantSeries.withUnsafeBufferPointer { series in
      let coefficients = UnsafeBufferPointer(
        rebasing: series[offset..<(offset + KronrodInterpolant.count)])
      // log p − t at x, and its derivative in x; a point of zero density counts as far below.
      func g(_ x: Double) -> (value: Double, slope: Double) {
        let s = min(max((x - center) / half, -1), 1)
        let (p, dp) = KronrodInterpolant.seriesWithDerivative(coefficients, at: s)
        return p > 0 ? (_log(p) - t, dp / (p * half)) : (-1e300, .nan)
      }
      let (ga, gb) = (g(a).value, g(b).value)
      guard (ga > 0) == fromAbove, (gb > 0) != fromAbove else { return nil }
      // The slope of ℓ at the root, or the chord's where the polynomial's is flat there.
      func found(_ x: Double, _ slope: Double) -> (x: Double, slope: Double) {
        (x, slope.isFinite && slope != 0 ? slope : (gb - ga) / (b - a))
      }
      var bracket = RootBracket(a, ga, b, gb)
      var x = bracket.falsePosition
      for _ in 0..<100 {
        let (value, slope) = g(x)
        if Swift.abs(value) <= 1e-14 { return found(x, slope) }
        bracket.narrow(at: x, value: value)
        let next = bracket.next(newton: slope.isFinite && slope != 0 ? x - value / slope : .nan)
        if Swift.abs(next - x) <= 2 * x.ulp || bracket.isExhausted {
          return found(next, g(next).slope)
        }
        x = next
      }
      return found(x, g(x).slope)
    }
  }

  // MARK: - Evaluation

  /// ℓ(x); −∞ where the model is not defined (NaN: a power of a negative number, 0·log 0 in
  /// a derivative at x = 0), which gives such points zero density.
  private func evaluate(_ x: Double) -> Double {
    // Apart, so that a cheap ℓ pays no look-up (nor the dynamic exclusivity checks of an
    // access to the table around a call).
    if remembering { return evaluateRemembered(x) }
    evaluations += 1
    let l = logDensity(x)
    return l.isNaN ? -.infinity : l
  }

  /// `evaluate(x)` through the table of the values found so far.
  private func evaluateRemembered(_ x: Double) -> Double {
    if let known = remembered[x.bitPattern] { return known }
    evaluations += 1
    var l = logDensity(x)
    if l.isNaN { l = -.infinity }
    remembered[x.bitPattern] = l
    return l
  }

  /// exp(ℓ − logPeak), capped where a point rises far above the peak the scan found (a peak
  /// narrower than the grid), so that the integrals stay finite.
  private func density(_ x: Double) -> Double {
    let l = evaluate(x)
    return l > -.infinity ? _exp(min(l - logPeak, 600)) : 0
  }

  /// The mass below x: the table's up to x's panel, then the panel's interpolant, or where it
  /// has none a Gauss–Legendre integral of the density from the panel's start.
  private func unnormalizedCDF(_ x: Double) -> Double {
    if x <= lower { return 0 }
    if x >= upper { return mass }
    let k = panel(containing: x)
    if let interpolated = interpolatedCDF(k, at: x) { return interpolated.value }
    return cumulative[k] + integrate(from: panels[k].lower, to: x) { self.density($0) }
  }

  /// Equal panels over [a, b] appended to the table, with the integral and an error estimate:
  /// the difference from the same interval integrated in panels twice as wide.
  private func compositePanels(from a: Double, to b: Double, count: Int) -> (Double, Double) {
    let width = (b - a) / Double(count)
    var fine = 0.0, coarse = 0.0
    for k in stride(from: 0, to: count, by: 2) {
      let lower = a + width * Double(k), middle = a + width * Double(k + 1)
      let upper = k + 2 >= count ? b : a + width * Double(k + 2)
      let left = integrate(from: lower, to: middle) { self.density($0) }
      let right = integrate(from: middle, to: upper) { self.density($0) }
      panels.append(AdaptiveIntegrator.Panel(lower: lower, upper: middle, integral: left))
      panels.append(AdaptiveIntegrator.Panel(lower: middle, upper: upper, integral: right))
      fine += left + right
      coarse += integrate(from: lower, to: upper) { self.density($0) }
    }
    return (fine, Swift.abs(fine - coarse))
  }

  /// ∫ₐᵇ f by the 10-point Gauss–Legendre rule.
  private func integrate(from a: Double, to b: Double, _ f: (Double) -> Double) -> Double {
    guard b > a else { return 0 }
    let half = 0.5 * (b - a), center = 0.5 * (a + b)
    var sum = 0.0
    for i in rule.nodes.indices { sum += rule.weights[i] * f(center + half * rule.nodes[i]) }
    return sum * half
  }

  /// The local standard deviation at a mode, from the curvature of ℓ; the hint where the
  /// curvature says nothing (a boundary, a flat top).
  private func localScale(at x: Double, hint: Double, width: Double) -> Double {
    let fallback = hint.isFinite && hint > 0 ? hint : width / 16
    let step = max(min(fallback, width / 16) * 0.01, width * 1e-12)
    if x - step > lower, x + step < upper {
      let curvature = -(evaluate(x + step) - 2 * evaluate(x) + evaluate(x - step)) / (step * step)
      if curvature > 0, curvature.isFinite {
        return min(max(1 / curvature.squareRoot(), width * 1e-12), width / 8)
      }
    }
    return min(max(fallback, width * 1e-12), width / 8)
  }
}
