/// One unknown's marginal posterior from a `GridPosterior`: its cumulative distribution,
/// quantiles, highest-density intervals and modes.
///
/// On the axis's nodes, uniform in u (x = center + scale·sinh(u)), the density in u is
/// g = p(x)·scale·cosh(u); the distribution function at the nodes is the cumulative sum of
/// the four-point rule h/24·(−g₋₁ + 13g₀ + 13g₁ − g₂) per interval (three points at the ends),
/// and between nodes the cubic Hermite interpolant in u with slopes g, inverted by bisection
/// for quantiles.
struct GridMarginal {
  /// The nodes (x).
  let nodes: [Double]
  /// The normalized density p(x) at the nodes.
  let density: [Double]
  /// The normalized density in u at the nodes, and u's step.
  private let densityU: [Double]
  private let step: Double
  private let lowerU: Double
  private let center: Double
  private let scale: Double
  /// The distribution function at the nodes.
  private let cdf: [Double]

  /// The marginal of unknown `axis` of `grid`.
  init(_ grid: GridPosterior, axis: Int) {
    nodes = grid.nodes[axis]
    let p = grid.marginal(axis)
    let (h, u0, s) = (grid.stepU[axis], grid.lowerU[axis], grid.scales[axis])
    step = h
    lowerU = u0
    center = grid.centers[axis]
    scale = s
    let g = p.indices.map { p[$0] * s * _cosh(u0 + h * Double($0)) }
    var cumulative = [0.0]
    let n = g.count
    for i in 0..<(n - 1) {
      let piece: Double
      if i >= 1 && i + 2 < n {
        piece = h / 24 * (-g[i - 1] + 13 * g[i] + 13 * g[i + 1] - g[i + 2])
      } else if i + 2 < n {
        piece = h / 12 * (5 * g[i] + 8 * g[i + 1] - g[i + 2])
      } else {
        piece = h / 12 * (-g[i - 1] + 8 * g[i] + 5 * g[i + 1])
      }
      cumulative.append(cumulative[i] + max(piece, 0))
    }
    let total = cumulative[n - 1]
    cdf = cumulative.map { $0 / total }
    densityU = g.map { $0 / total }
    density = p.map { $0 / total }
  }

  /// The x below which the marginal holds probability `q`.
  func quantile(_ q: Double) -> Double {
    let n = cdf.count
    guard q > 0 else { return nodes[0] }
    guard q < 1 else { return nodes[n - 1] }
    var (lo, hi) = (0, n - 1)
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if cdf[mid] <= q { lo = mid } else { hi = mid }
    }
    // The cubic Hermite interpolant of the distribution function on [u_lo, u_lo + h].
    let (f0, f1) = (cdf[lo], cdf[lo + 1])
    let (d0, d1) = (densityU[lo] * step, densityU[lo + 1] * step)
    func value(_ t: Double) -> Double {
      let t2 = t * t, t3 = t2 * t
      return (2 * t3 - 3 * t2 + 1) * f0 + (t3 - 2 * t2 + t) * d0 + (-2 * t3 + 3 * t2) * f1
        + (t3 - t2) * d1
    }
    var (a, b) = (0.0, 1.0)
    for _ in 0..<60 {
      let mid = (a + b) / 2
      if value(mid) < q { a = mid } else { b = mid }
    }
    if lo == 0 && a == 0 { return nodes[0] }
    if lo + 1 == n - 1 && b == 1 { return nodes[n - 1] }
    return center + scale * _sinh(lowerU + step * (Double(lo) + (a + b) / 2))
  }

  /// P(x < value).
  func probability(below value: Double) -> Double {
    guard value > nodes[0] else { return 0 }
    guard value < nodes[nodes.count - 1] else { return 1 }
    var (a, b) = (0.0, 1.0)
    for _ in 0..<60 {
      let mid = (a + b) / 2
      if quantile(mid) < value { a = mid } else { b = mid }
    }
    return (a + b) / 2
  }

  /// The highest-density intervals holding `level` of the marginal: the runs of nodes whose
  /// density is at least the threshold the level sets, their ends placed by linear
  /// interpolation of the density between a node inside and the next one outside.
  func highestDensityIntervals(level: Double) -> [ClosedRange<Double>] {
    let n = nodes.count
    // Each node's share of the mass: half of the distribution function's step on each side.
    let shares = (0..<n).map { i in
      ((i > 0 ? cdf[i] - cdf[i - 1] : 0) + (i + 1 < n ? cdf[i + 1] - cdf[i] : 0)) / 2
    }
    let order = (0..<n).sorted { density[$0] > density[$1] }
    var total = 0.0, threshold = 0.0
    for i in order {
      total += shares[i]
      threshold = density[i]
      if total >= level { break }
    }
    var result: [ClosedRange<Double>] = []
    var i = 0
    while i < n {
      guard density[i] >= threshold else {
        i += 1
        continue
      }
      let start = i
      while i + 1 < n && density[i + 1] >= threshold { i += 1 }
      func crossing(_ inside: Int, _ outside: Int) -> Double {
        let (p, q) = (density[inside], density[outside])
        let t = p > q ? (p - threshold) / (p - q) : 0
        return nodes[inside] + t * (nodes[outside] - nodes[inside])
      }
      let lower = start > 0 ? crossing(start, start - 1) : nodes[start]
      let upper = i + 1 < n ? crossing(i, i + 1) : nodes[i]
      result.append(lower...upper)
      i += 1
    }
    return result
  }

  /// The local maxima of the marginal density, highest first.
  func modes() -> [Double] {
    let n = nodes.count
    var found: [(x: Double, p: Double)] = []
    for i in 0..<n {
      let left = i == 0 ? -1.0 : density[i - 1]
      let right = i == n - 1 ? -1.0 : density[i + 1]
      if density[i] > left && density[i] >= right && density[i] > 0 {
        found.append((nodes[i], density[i]))
      }
    }
    return found.sorted { $0.p > $1.p }.map(\.x)
  }
}
