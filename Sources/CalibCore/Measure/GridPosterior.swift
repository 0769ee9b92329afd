/// The posterior over k unknown quantities (k ≤ 3) tabulated on a product grid: its
/// normalization, marginals, moments, correlation and joint credible region (docs/geometry.md,
/// "Several unknowns").
///
/// The grid is placed in two steps. A coarse scan of the prior box finds where the density
/// is within e⁻³⁰ of its largest value (the window; rescanned inside itself while it is much
/// narrower than the box); the mode is refined by Newton steps and the posterior's scale along
/// each axis taken from the Hessian there (Laplace). The fine grid is then uniform in
/// u = asinh((x − mode)/scale) on each axis, so that nodes are dense at the mode and sparse in
/// far tails (a Student-t's heavy tails cost few nodes), and integrated by composite Simpson
/// in u with the Jacobian scale·cosh(u). The difference between Simpson and the trapezoid rule
/// on the same nodes is the reported integration error.
struct GridPosterior {
  /// The number of unknowns k.
  let dimension: Int
  /// The nodes of each axis (x values), and their integration weights (Simpson in u, times
  /// the Jacobian).
  let nodes: [[Double]]
  let weights: [[Double]]
  /// The trapezoid rule's weights on the same nodes: smooth in the node's position, so they
  /// give each node its share of the mass when nodes are ranked by density (the joint region).
  let shares: [[Double]]
  /// The density relative to its largest value at every node, axis 0 varying slowest.
  let density: [Double]
  /// ∫ density over the grid (the normalization of `density`).
  let mass: Double
  /// The log density (as given) that `density` is relative to: its largest value on the grid.
  let peakLog: Double
  /// |Simpson − trapezoid| / Simpson for the mass.
  let relativeError: Double
  /// The number of density evaluations made.
  let evaluations: Int
  /// The prior box.
  let prior: [ClosedRange<Double>]
  /// The posterior mode, found by a compass search and Newton's steps.
  let mode: [Double]
  /// Each axis's map x = center + scale·sinh(u), and its nodes' u = lowerU + step·i.
  let centers: [Double]
  let scales: [Double]
  let lowerU: [Double]
  let stepU: [Double]

  /// The nodes per axis of the coarse scan and of the fine grid, by the number of unknowns
  /// (1, 2, 3): `measurement` for reports (quantiles within 1e-6 posterior sd of brute force
  /// for one and two unknowns), `simulation` for the many posteriors of `calib validate`
  /// (within about 1e-3 sd, far below the binomial error of a coverage).
  enum Resolution {
    case measurement, simulation

    func coarse(_ k: Int) -> Int {
      self == .measurement ? [801, 81, 31][min(k, 3) - 1] : [401, 41, 21][min(k, 3) - 1]
    }
    func fine(_ k: Int) -> Int {
      self == .measurement ? [2001, 301, 81][min(k, 3) - 1] : [401, 101, 41][min(k, 3) - 1]
    }
  }

  /// Tabulates the posterior whose log density (up to a constant) is `logDensity`, under a
  /// uniform prior on `prior` (one range per unknown); nil where the density is nowhere
  /// finite in the box.
  init?(
    prior: [ClosedRange<Double>], resolution: Resolution = .measurement,
    logDensity: ([Double]) -> Double
  ) {
    let k = prior.count
    dimension = k
    self.prior = prior
    var evaluations = 0
    func log(_ x: [Double]) -> Double {
      evaluations += 1
      let value = logDensity(x)
      return value.isNaN ? -.infinity : value
    }
    let coarse = resolution.coarse(k)
    var window = prior
    var best: (point: [Double], log: Double) = (prior.map(\.lowerBound), -.infinity)
    for _ in 0..<8 {
      let axes = window.map { range in
        (0..<coarse).map {
          range.lowerBound + (range.upperBound - range.lowerBound) * Double($0)
            / Double(coarse - 1)
        }
      }
      var values: [(index: [Int], log: Double)] = []
      values.reserveCapacity(Int(_pow(Double(coarse), Double(k))))
      Self.forEachIndex(counts: Array(repeating: coarse, count: k)) { index in
        let point = (0..<k).map { axes[$0][index[$0]] }
        let value = log(point)
        values.append((index, value))
        if value > best.log { best = (point, value) }
      }
      guard best.log.isFinite else { return nil }
      var low = Array(repeating: coarse - 1, count: k), high = Array(repeating: 0, count: k)
      for (index, value) in values where value > best.log - 30 {
        for a in 0..<k {
          low[a] = min(low[a], index[a])
          high[a] = max(high[a], index[a])
        }
      }
      let next = (0..<k).map { a in
        axes[a][max(low[a] - 1, 0)]...axes[a][min(high[a] + 1, coarse - 1)]
      }
      let shrinks = (0..<k).contains { a in
        (next[a].upperBound - next[a].lowerBound) * 4
          < window[a].upperBound - window[a].lowerBound
      }
      window = next
      if !shrinks { break }
    }
    // A compass search from the best coarse node (steps along each axis, halved when none
    // improves) finds the peak however narrow it is beside a coarse cell, as for a Student-t
    // whose heavy tails keep the window wide; then Newton steps on the log density, with
    // finite-difference steps of a quarter of the local scale along each axis.
    var mode = best.point
    var modeLog = best.log
    var compass = window.map { ($0.upperBound - $0.lowerBound) / Double(coarse - 1) }
    for _ in 0..<400 {
      var moved = false
      for a in 0..<k {
        for direction in [-1.0, 1.0] {
          var trial = mode
          trial[a] = min(
            max(trial[a] + direction * compass[a], window[a].lowerBound), window[a].upperBound)
          let value = log(trial)
          if value > modeLog {
            (mode, modeLog, moved) = (trial, value, true)
          }
        }
      }
      if !moved { compass = compass.map { $0 / 2 } }
      let finest = zip(compass, window).allSatisfy { step, range in
        step <= 1e-13 * max(Swift.abs(range.lowerBound), Swift.abs(range.upperBound), 1e-300)
      }
      if finest { break }
      if !moved {
        // Stop once a step changes the log density by less than 0.01 (the peak is resolved).
        let flat = (0..<k).allSatisfy { a in
          var trial = mode
          trial[a] += compass[a]
          return modeLog - log(trial) < 0.01
        }
        if flat { break }
      }
    }
    var steps = Self.halfWidths(at: mode, peak: modeLog, window: window, log: log).map { $0 / 4 }
    var hessian = [Double](repeating: 0, count: k * k)
    for iteration in 0..<12 {
      var gradient = [Double](repeating: 0, count: k)
      for a in 0..<k {
        var plus = mode, minus = mode
        plus[a] += steps[a]
        minus[a] -= steps[a]
        let (up, down) = (log(plus), log(minus))
        gradient[a] = (up - down) / (2 * steps[a])
        hessian[a * k + a] = (up - 2 * modeLog + down) / (steps[a] * steps[a])
        for b in 0..<a {
          var pp = mode, pm = mode, mp = mode, mm = mode
          pp[a] += steps[a]; pp[b] += steps[b]
          pm[a] += steps[a]; pm[b] -= steps[b]
          mp[a] -= steps[a]; mp[b] += steps[b]
          mm[a] -= steps[a]; mm[b] -= steps[b]
          let value = (log(pp) - log(pm) - log(mp) + log(mm)) / (4 * steps[a] * steps[b])
          hessian[a * k + b] = value
          hessian[b * k + a] = value
        }
      }
      guard iteration < 11, let step = Cholesky.solve(hessian.map { -$0 }, gradient) else { break }
      let candidate = (0..<k).map { a in
        min(max(mode[a] + step[a], window[a].lowerBound), window[a].upperBound)
      }
      let value = log(candidate)
      guard value > modeLog else { break }
      (mode, modeLog) = (candidate, value)
      steps = Self.halfWidths(at: mode, peak: modeLog, window: window, log: log).map { $0 / 4 }
    }
    // Each axis's scale: the Laplace sd where the Hessian is negative definite and agrees with
    // the half-width at which the density falls by e² along the axis (2 sd for a normal) within
    // a factor of 3; that half-width / 2 otherwise (a Student-t's tails, a mode at a bound).
    let covariance = Cholesky.inverse(hessian.map { -$0 }, size: k)
    let widths = Self.halfWidths(at: mode, peak: modeLog, window: window, log: log)
    let scales = (0..<k).map { a -> Double in
      let robust = widths[a] / 2
      guard let covariance, covariance[a * k + a] > 0 else { return robust }
      let laplace = covariance[a * k + a].squareRoot()
      return laplace < 3 * robust && laplace > robust / 3 ? laplace : robust
    }
    // The fine grid, uniform in u = asinh((x − centre)/scale): placed at the Laplace mode and
    // scale, then, where its own moments say that was far off (the mean more than one scale
    // from the centre, or the sd off by more than a factor of 3: a mode the coarse scan and
    // Newton's steps missed), placed again at its moments, at most twice.
    let fine = resolution.fine(k)
    var table = Self.tabulate(
      window: window, centers: mode, scales: scales, nodesPerAxis: fine, log: log)
    for _ in 0..<2 {
      guard let current = table else { break }
      let (mean, sd) = current.momentsAboutCentre()
      let misplaced = (0..<k).contains { a in
        Swift.abs(mean[a] - current.centers[a]) > current.scales[a]
          || sd[a] > 3 * current.scales[a] || sd[a] < current.scales[a] / 3
      }
      guard misplaced, sd.allSatisfy({ $0 > 0 && $0.isFinite }) else { break }
      table = Self.tabulate(
        window: window, centers: mean, scales: (0..<k).map { min(sd[$0], scales[$0] * 1e6) },
        nodesPerAxis: fine, log: log)
    }
    guard let table else { return nil }
    self.mode = mode
    self.nodes = table.nodes
    self.centers = table.centers
    self.scales = table.scales
    self.lowerU = table.lowerU
    self.stepU = table.stepU
    self.weights = table.simpson
    self.shares = table.trapezoid
    self.density = table.density
    self.mass = table.mass
    self.peakLog = table.top
    self.relativeError = table.relativeError
    self.evaluations = evaluations
  }

  /// Along each axis from `point` (where the log density is `peak`), the mean of the two
  /// distances at which the log density has fallen by 2, found by doubling from a
  /// millionth of the window and then bisection (at most the window's width).
  private static func halfWidths(
    at point: [Double], peak: Double, window: [ClosedRange<Double>], log: ([Double]) -> Double
  ) -> [Double] {
    (0..<point.count).map { a in
      let width = window[a].upperBound - window[a].lowerBound
      var sides: [Double] = []
      for direction in [-1.0, 1.0] {
        func drop(_ t: Double) -> Bool {
          var x = point
          x[a] += direction * t
          return log(x) < peak - 2
        }
        var (low, high) = (0.0, max(width * 1e-6, .leastNormalMagnitude))
        while !drop(high) && high < width {
          low = high
          high *= 2
        }
        guard high < width || drop(high) else {
          sides.append(width)
          continue
        }
        for _ in 0..<40 {
          let middle = (low + high) / 2
          if drop(middle) { high = middle } else { low = middle }
        }
        sides.append(high)
      }
      return max((sides[0] + sides[1]) / 2, width * 1e-12, .leastNormalMagnitude)
    }
  }

  /// One placement of the fine grid: its nodes, weights and densities.
  private struct Table {
    var nodes: [[Double]], simpson: [[Double]], trapezoid: [[Double]]
    var lowerU: [Double], stepU: [Double], centers: [Double], scales: [Double]
    var density: [Double], top: Double, mass: Double, relativeError: Double

    /// The mean and sd of each unknown, accumulated about the centre.
    func momentsAboutCentre() -> (mean: [Double], sd: [Double]) {
      let k = nodes.count
      var first = [Double](repeating: 0, count: k), second = first
      var position = 0
      GridPosterior.forEachIndex(counts: nodes.map(\.count)) { index in
        let w = (0..<k).reduce(1.0) { $0 * simpson[$1][index[$1]] } * density[position] / mass
        position += 1
        for a in 0..<k {
          let d = nodes[a][index[a]] - centers[a]
          first[a] += w * d
          second[a] += w * d * d
        }
      }
      return (
        (0..<k).map { centers[$0] + first[$0] },
        (0..<k).map { max(second[$0] - first[$0] * first[$0], 0).squareRoot() }
      )
    }
  }

  /// The fine grid over `window`, uniform in u = asinh((x − centre)/scale) on each axis;
  /// nil where the density is nowhere positive and finite on it.
  private static func tabulate(
    window: [ClosedRange<Double>], centers: [Double], scales: [Double], nodesPerAxis fine: Int,
    log: ([Double]) -> Double
  ) -> Table? {
    let k = window.count
    var nodes: [[Double]] = [], simpson: [[Double]] = [], trapezoid: [[Double]] = []
    var lowerU: [Double] = [], stepU: [Double] = []
    for a in 0..<k {
      let (c, s) = (centers[a], scales[a])
      let u0 = _asinh((window[a].lowerBound - c) / s)
      let u1 = _asinh((window[a].upperBound - c) / s)
      let h = (u1 - u0) / Double(fine - 1)
      lowerU.append(u0)
      stepU.append(h)
      var axis: [Double] = [], w: [Double] = [], t: [Double] = []
      for i in 0..<fine {
        let u = u0 + h * Double(i)
        let x =
          i == 0
          ? window[a].lowerBound
          : i == fine - 1 ? window[a].upperBound : c + s * _sinh(u)
        let jacobian = s * _cosh(u)
        let end = i == 0 || i == fine - 1
        axis.append(x)
        w.append(h / 3 * (end ? 1 : (i % 2 == 1 ? 4 : 2)) * jacobian)
        t.append(h * (end ? 0.5 : 1) * jacobian)
      }
      nodes.append(axis)
      simpson.append(w)
      trapezoid.append(t)
    }
    var logs = [Double](repeating: -.infinity, count: Int(_pow(Double(fine), Double(k))))
    var top = -Double.infinity
    var position = 0
    forEachIndex(counts: Array(repeating: fine, count: k)) { index in
      let value = log((0..<k).map { nodes[$0][index[$0]] })
      logs[position] = value
      top = max(top, value)
      position += 1
    }
    guard top.isFinite else { return nil }
    var density = logs.map { _exp($0 - top) }
    var mass = 0.0, trapezoidMass = 0.0
    position = 0
    forEachIndex(counts: Array(repeating: fine, count: k)) { index in
      var w = 1.0, t = 1.0
      for a in 0..<k {
        w *= simpson[a][index[a]]
        t *= trapezoid[a][index[a]]
      }
      mass += w * density[position]
      trapezoidMass += t * density[position]
      position += 1
    }
    guard mass > 0, mass.isFinite else { return nil }
    density = density.map { $0.isFinite ? $0 : 0 }
    return Table(
      nodes: nodes, simpson: simpson, trapezoid: trapezoid, lowerU: lowerU, stepU: stepU,
      centers: centers, scales: scales, density: density, top: top, mass: mass,
      relativeError: Swift.abs(mass - trapezoidMass) / mass)
  }

  /// Calls `body` with every multi-index of a grid with `counts` nodes per axis, the last
  /// axis varying fastest.
  static func forEachIndex(counts: [Int], _ body: ([Int]) -> Void) {
    guard counts.allSatisfy({ $0 > 0 }) else { return }
    var index = Array(repeating: 0, count: counts.count)
    while true {
      body(index)
      var a = counts.count - 1
      while a >= 0 {
        index[a] += 1
        if index[a] < counts[a] { break }
        index[a] = 0
        a -= 1
      }
      if a < 0 { return }
    }
  }

  /// The weight of the node at flat position `position` (the product of its axes' weights).
  private func weight(at index: [Int]) -> Double {
    (0..<dimension).reduce(1.0) { $0 * weights[$1][index[$1]] }
  }

  /// The marginal density of unknown `axis` at its nodes, normalized.
  func marginal(_ axis: Int) -> [Double] {
    var result = [Double](repeating: 0, count: nodes[axis].count)
    var position = 0
    Self.forEachIndex(counts: nodes.map(\.count)) { index in
      result[index[axis]] += weight(at: index) / weights[axis][index[axis]] * density[position]
      position += 1
    }
    return result.map { $0 / mass }
  }

  /// The posterior means and covariance matrix of the unknowns, accumulated about the grid's
  /// centre (the mode) so that a posterior narrow beside its distance from 0 (x near 10⁵ with
  /// sd 10⁻²) loses no digits to cancellation.
  func moments() -> (mean: [Double], covariance: [[Double]]) {
    let k = dimension
    var first = [Double](repeating: 0, count: k)
    var second = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    var position = 0
    Self.forEachIndex(counts: nodes.map(\.count)) { index in
      let p = weight(at: index) * density[position] / mass
      position += 1
      guard p > 0 else { return }
      for a in 0..<k {
        let da = nodes[a][index[a]] - centers[a]
        first[a] += p * da
        for b in 0...a { second[a][b] += p * da * (nodes[b][index[b]] - centers[b]) }
      }
    }
    var covariance = second
    for a in 0..<k {
      for b in 0...a {
        covariance[a][b] = second[a][b] - first[a] * first[b]
        covariance[b][a] = covariance[a][b]
      }
    }
    return ((0..<k).map { centers[$0] + first[$0] }, covariance)
  }

  /// The joint highest-density region holding `level` of the mass: the relative density
  /// above which it lies, the mass the grid's nodes above it hold, its bounding box, and
  /// whether it closes inside the prior box (no node on a prior bound lies in it, where the
  /// window reaches that bound).
  func highestDensityRegion(
    level: Double
  ) -> (threshold: Double, box: [ClosedRange<Double>], bounded: Bool) {
    var cells: [(density: Double, mass: Double)] = []
    cells.reserveCapacity(density.count)
    var position = 0
    var sum = 0.0
    Self.forEachIndex(counts: nodes.map(\.count)) { index in
      let share = (0..<dimension).reduce(1.0) { $0 * shares[$1][index[$1]] } * density[position]
      cells.append((density[position], share))
      sum += share
      position += 1
    }
    cells.sort { $0.density > $1.density }
    // The threshold where the mass above it reaches the level, interpolated between the
    // densities of the two nodes on either side of that mass.
    var total = 0.0
    var threshold = 0.0
    for (i, cell) in cells.enumerated() {
      let next = total + cell.mass / sum
      if next >= level {
        let fraction = cell.mass > 0 ? (level - total) / (cell.mass / sum) : 1
        let below = i + 1 < cells.count ? cells[i + 1].density : 0
        threshold = cell.density + (fraction - 0.5) * (below - cell.density)
        threshold = min(max(threshold, below), cell.density)
        break
      }
      total = next
    }
    var low = nodes.map { $0.last ?? 0 }, high = nodes.map { $0.first ?? 0 }
    var bounded = true
    position = 0
    Self.forEachIndex(counts: nodes.map(\.count)) { index in
      defer { position += 1 }
      guard density[position] >= threshold else { return }
      for a in 0..<dimension {
        let x = nodes[a][index[a]]
        low[a] = min(low[a], x)
        high[a] = max(high[a], x)
        let last = nodes[a].count - 1
        if (index[a] == 0 && x <= prior[a].lowerBound)
          || (index[a] == last && x >= prior[a].upperBound)
        {
          bounded = false
        }
      }
    }
    return (threshold, (0..<dimension).map { low[$0]...high[$0] }, bounded)
  }

  /// The posterior probability that the unknowns lie outside `box` (one range per unknown).
  func probabilityOutside(_ box: [ClosedRange<Double>]) -> Double {
    var inside = 0.0
    var position = 0
    Self.forEachIndex(counts: nodes.map(\.count)) { index in
      defer { position += 1 }
      guard (0..<dimension).allSatisfy({ box[$0].contains(nodes[$0][index[$0]]) }) else { return }
      inside += weight(at: index) * density[position]
    }
    return max(0, 1 - inside / mass)
  }
}
