internal import CalibGSL

/// The local test of "enough data in the right places" (DESIGN §4, docs/coverage.md): around
/// the estimate x̂ ∈ Rᵏ, do the nearest standards tell the curvature of the response from the
/// noise?
///
/// The neighbourhood is the nearest distinct design points that fix a local quadratic (three
/// levels for one unknown; for k unknowns at least (k + 1)(k + 2)/2 points, growing by distance
/// until they span one, any tied at the last distance included), with all their replicates.
/// Distances are taken per axis in typical spacings of that axis's levels (the median gap
/// between consecutive levels, in log x for a geometric design, where a blank counts one step
/// below the lowest positive standard). For each output the residuals of the standards from
/// the fitted response, r = y − f(x; â), are fitted there by the local quadratic
/// r ≈ c₀ + Σ cᵢdᵢ + Σ_{i≤j} cᵢⱼdᵢdⱼ, d = x − x̂, by weighted least squares in the metric of
/// the noise (weights 1/σ² at each standard). Under the model the residuals do not curve: the
/// curvature coefficients cᵢⱼ, what the standards curve beyond the model, are tested against
/// zero by a Wald statistic, F = cᵀ Cov(c)⁻¹ c / (k(k + 1)/2), on F(k(k + 1)/2, ν) with ν the
/// noise's degrees of freedom (χ² over its dof for a known noise); for one unknown F = z²,
/// z = c₂/se(c₂). Taking the residuals, not the readings, leaves the model's own shape out of
/// the test, however far from a quadratic it is across the neighbourhood (a 4pl across a
/// decade of a dilution series). The standards' local curvature is then the model's,
/// ∂²f/∂xᵢ∂xⱼ at x̂ (halved for i = j), plus cᵢⱼ.
///
/// The noise sd is the replicates' pure error where the standards have at least two degrees of
/// freedom of it (a constant noise): the model's residual sd would count a curvature the model
/// misses as noise, and no curvature could then show. Without replicates curvature and noise
/// cannot be told apart, and the figures say so (a large se).
///
/// The measurement is `sparse` when the neighbourhood is not local: its farthest point lies
/// more than 2.5 typical spacings from x̂ (a threshold, `--local-reach`): a gap, or the edge
/// of the design, so that the curvature between the standards and x̂ is the model's guess, not
/// something the standards show; or when the nearest points cannot fix a quadratic (fewer levels than that, or, with
/// several unknowns, points that do not span one). A p below 0.0027 (a normal's 3 sd) adds a
/// reason: the standards near x̂ curve unlike the model.
public struct LocalCurvatureCheck: Codable, Equatable, Sendable {
  /// x̂, where the test is centred (the posterior medians).
  public var estimate: [Double]
  /// The distinct design points of the neighbourhood (each the values of the k unknowns),
  /// nearest first.
  public var standards: [[Double]]
  /// How far the farthest of them lies from x̂, in typical spacings of the standards
  /// (Euclidean over the axes, each in its own spacings); null where the design has fewer
  /// distinct points than a quadratic needs, or no spacing along an axis.
  public var reach: Double?
  /// Per output (in the instrument's order): the local curvature against the model's; null
  /// where the neighbourhood cannot fix a quadratic.
  public var outputs: [OutputCurvature]?
  /// The largest standard error of a curvature coefficient times the neighbourhood's extent
  /// along its axes (se(bᵢⱼ)·Dᵢ·Dⱼ, Dᵢ the farthest point's distance from x̂ along axis i), in
  /// noise sd of the nearest standard: the curvature effect across the neighbourhood that the
  /// standards tell from noise at one sd; null likewise.
  public var resolution: Double?
  /// Whether the neighbourhood is local: enough points to fix a quadratic, within the largest
  /// reach allowed (2.5 typical spacings of x̂ by default, `--local-reach`).
  public var sufficient: Bool

  /// One output's local curvature against the model's. The coefficients are those of
  /// dᵢdⱼ for i ≤ j in the order (1,1), (1,2), …, (1,k), (2,2), …, (k,k), in units of the
  /// output per unit of xᵢxⱼ.
  public struct OutputCurvature: Codable, Equatable, Sendable {
    /// cᵢⱼ: the curvature of the standards' residuals from the model, what they curve beyond
    /// it (0 under the model).
    public var residual: [Double]
    /// Their standard errors, from the noise sd used.
    public var standardError: [Double]
    /// The model's: ∂²f/∂xᵢ∂xⱼ at x̂, halved for i = j; null where it is not defined there.
    public var model: [Double]?
    /// The standards' local curvature, the model's plus the residuals'; null likewise.
    public var local: [Double]?
    /// The Wald statistic over the number of coefficients (F; z² for one unknown).
    public var statistic: Double
    /// The degrees of freedom of the noise sd (the pure error's, or the instrument's ν): the
    /// statistic is referred to F with them; null for a known noise (χ²).
    public var dof: Int?
    /// The upper-tail p of the statistic.
    public var pValue: Double

    enum CodingKeys: String, CodingKey {
      case residual, local, model, statistic, dof
      case standardError = "standard_error"
      case pValue = "p_value"
    }

    /// Writes a known noise's dof, and an undefined curvature, as `null`.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(residual, forKey: .residual)
      try container.encode(local, forKey: .local)
      try container.encode(standardError, forKey: .standardError)
      try container.encode(model, forKey: .model)
      try container.encode(statistic, forKey: .statistic)
      try container.encode(dof, forKey: .dof)
      try container.encode(pValue, forKey: .pValue)
    }
  }

  /// Writes an undefined figure as `null`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(estimate, forKey: .estimate)
    try container.encode(standards, forKey: .standards)
    try container.encode(reach, forKey: .reach)
    try container.encode(outputs, forKey: .outputs)
    try container.encode(resolution, forKey: .resolution)
    try container.encode(sufficient, forKey: .sufficient)
  }

  /// The p below which the standards near x̂ are said to curve unlike the model: a normal's
  /// 3 sd, two-sided.
  static let disagreementP = 0.0027

  /// The output whose curvature disagrees most with the model's, when its p is below
  /// `disagreementP`.
  var disagreement: (output: Int, curvature: OutputCurvature)? {
    guard let outputs,
      let worst = outputs.indices.min(by: { outputs[$0].pValue < outputs[$1].pValue }),
      outputs[worst].pValue < Self.disagreementP
    else { return nil }
    return (worst, outputs[worst])
  }

  /// What the check takes from the design alone, the same at every estimate: the standards'
  /// points, each axis in the coordinate its spacing is taken in, and the distinct points.
  struct Design {
    let x: [[Double]]
    fileprivate let axes: [Axis]
    /// The distinct points in lexicographic order, each with the rows of `x` that hold it (in
    /// increasing order).
    let distinct: [(point: [Double], rows: [Int])]
    /// The distinct points' coordinates along each axis, point after point (k values each):
    /// made once, as every estimate measures its distances from them.
    private let coordinates: [Double]

    /// The design of standards at the points `x[s]` (k values each), with the spacing of each
    /// axis's levels.
    init(x: [[Double]], spacings: [StandardSpacing]) {
      self.x = x
      let axes = spacings.map(Axis.init)
      self.axes = axes
      var rows: [[Double]: [Int]] = [:]
      for (s, point) in x.enumerated() { rows[point, default: []].append(s) }
      distinct = rows.map { ($0.key, $0.value) }.sorted {
        $0.point.lexicographicallyPrecedes($1.point)
      }
      coordinates = distinct.flatMap { point in
        axes.indices.map { axes[$0].coordinate(point.point[$0]) }
      }
    }

    /// The distance of each distinct point from `estimate`, in typical spacings (Euclidean
    /// over the axes, each in its own); infinite where it is not a number.
    func distances(from estimate: [Double]) -> [Double] {
      let k = axes.count
      let centre = (0..<k).map { axes[$0].coordinate(estimate[$0]) }
      let gaps = axes.map(\.typicalGap)
      return (0..<distinct.count).map { p -> Double in
        var total = 0.0
        for a in 0..<k {
          let d = (coordinates[p * k + a] - centre[a]) / gaps[a]
          total += d * d
        }
        return total.isNaN ? .infinity : total.squareRoot()
      }
    }
  }

  /// The check at `estimate` for standards at the points `x[s]` (k values each) with residuals
  /// from the fitted response `residuals[j][s]` for output j, noise sd `sigma[j][s]` at each
  /// with `dof[j]` degrees of freedom (nil: known), the model's curvature coefficients
  /// `modelCurvature[j]` (in the order of `OutputCurvature`), the spacing of each axis's
  /// levels, and the largest reach that counts as local
  /// (`CoverageThresholds.maximumLocalReach`).
  init(
    estimate: [Double], x: [[Double]], residuals: [[Double]], sigma: [[Double]], dof: [Int?],
    modelCurvature: [[Double]], spacings: [StandardSpacing], maximumReach: Double = 2.5
  ) {
    var fits = Fits()
    self.init(
      estimate: estimate, design: Design(x: x, spacings: spacings), residuals: residuals,
      sigma: sigma, dof: dof, modelCurvature: modelCurvature, maximumReach: maximumReach,
      fits: &fits)
  }

  /// The check at `estimate` on `design` (made once for many estimates), with the local
  /// quadratics of the neighbourhoods met so far in `fits` (kept for the next estimate: the
  /// same residuals, noise and design each time); the rest as for
  /// `init(estimate:x:residuals:sigma:dof:modelCurvature:spacings:maximumReach:)`.
  init(
    estimate: [Double], design: Design, residuals: [[Double]], sigma: [[Double]], dof: [Int?],
    modelCurvature: [[Double]], maximumReach: Double = 2.5, fits: inout Fits
  ) {
    self.estimate = estimate
    let k = estimate.count
    let x = design.x
    let points = design.distinct
    let distances = design.distances(from: estimate)
    let order = points.indices.sorted {
      distances[$0] != distances[$1]
        ? distances[$0] < distances[$1]
        : points[$0].point.lexicographicallyPrecedes(points[$1].point)
    }
    // The nearest points, ties at the last distance included, growing by distance until
    // they fix a quadratic (several unknowns: points enough, spread over three levels of
    // every axis and across each pair).
    let needed = (k + 1) * (k + 2) / 2
    var count = min(needed, points.count)
    // The neighbourhood's indices in increasing order: the key of its fits.
    var neighbourhood: [Int] = []
    while true {
      while count > 0, count < points.count,
        distances[order[count]] <= distances[order[count - 1]] * (1 + 1e-9)
      {
        count += 1
      }
      neighbourhood = order.prefix(count).sorted()
      if count >= points.count || fits.fixes(neighbourhood, of: design) { break }
      count += 1
    }
    let chosen = order.prefix(count)
    standards = chosen.map { points[$0].point }
    let farthest = chosen.last.map { distances[$0] } ?? .infinity
    reach = chosen.count >= needed && farthest.isFinite ? farthest : nil
    // No quadratic about an estimate that is not a number (or not finite): its neighbourhood
    // is every point, none nearer than another.
    let fit =
      estimate.allSatisfy(\.isFinite)
      ? fits.quadratic(neighbourhood, of: design, residuals: residuals, sigma: sigma, dof: dof)
      : nil
    outputs = fit?.outputs(modelCurvature: modelCurvature)
    resolution = fit?.resolution(at: estimate, x: x, sigma: sigma)
    sufficient = fit != nil && (reach ?? .infinity) <= maximumReach
  }

  /// The local quadratics of the neighbourhoods met so far, and whether each set of points
  /// fixes one, by the indices of the design's distinct points (in increasing order): what
  /// the check takes from a neighbourhood whatever the estimate within it. For one design
  /// with one set of residuals, noise sd and dof. At most `limit` of each are kept; one more
  /// starts afresh (what is kept changes no figure, only the time).
  struct Fits {
    static let limit = 4096
    private var quadratics: [[Int]: LocalQuadratic?] = [:]
    private var fixing: [[Int]: Bool] = [:]

    /// Whether the distinct points `indices` of `design` fix a quadratic.
    mutating func fixes(_ indices: [Int], of design: Design) -> Bool {
      if let known = fixing[indices] { return known }
      let fixes = LocalQuadratic.fixes(indices.map { design.distinct[$0].point })
      if fixing.count >= Self.limit { fixing.removeAll() }
      fixing[indices] = fixes
      return fixes
    }

    /// The local quadratic on the distinct points `indices` of `design` and all their
    /// replicates, nil where they cannot fix one.
    mutating func quadratic(
      _ indices: [Int], of design: Design, residuals: [[Double]], sigma: [[Double]],
      dof: [Int?]
    ) -> LocalQuadratic? {
      if let known = quadratics[indices] { return known }
      let fit = LocalQuadratic(
        points: indices.map { design.distinct[$0].point }, x: design.x, y: residuals,
        sigma: sigma, dof: dof, rows: indices.flatMap { design.distinct[$0].rows }.sorted())
      if quadratics.count >= Self.limit { quadratics.removeAll() }
      quadratics[indices] = .some(fit)
      return fit
    }
  }

  /// One axis of the design in the coordinate its spacing is taken in: x, or log x for a
  /// geometric design (a blank at 0 one step below the lowest positive level, x between them
  /// in proportion).
  fileprivate struct Axis {
    let spacing: StandardSpacing
    let lowestPositive: Double?
    let typicalGap: Double

    init(_ spacing: StandardSpacing) {
      self.spacing = spacing
      let lowest = spacing.distinct.first { $0 > 0 }
      lowestPositive = lowest
      let ordered = spacing.distinct.map {
        Axis.coordinate($0, spacing: spacing, lowestPositive: lowest)
      }.sorted()
      let gaps = zip(ordered.dropFirst(), ordered).map { $0 - $1 }.sorted()
      // The median: the middle gap, or the mean of the two middle ones.
      typicalGap =
        gaps.isEmpty
        ? .nan : (gaps[(gaps.count - 1) / 2] + gaps[gaps.count / 2]) / 2
    }

    func coordinate(_ v: Double) -> Double {
      Axis.coordinate(v, spacing: spacing, lowestPositive: lowestPositive)
    }

    private static func coordinate(
      _ v: Double, spacing: StandardSpacing, lowestPositive: Double?
    ) -> Double {
      guard spacing.logarithmic, let lowest = lowestPositive else { return v }
      if v >= lowest { return _log(v) }
      if spacing.distinct.first == 0, v >= 0 {
        return _log(lowest) - spacing.step * (1 - v / lowest)
      }
      return v > 0 ? _log(v) : -.infinity
    }
  }
}

/// The weighted local quadratic of `LocalCurvatureCheck` on a neighbourhood, fitted per
/// output: its curvature coefficients cᵢⱼ, their standard errors and the Wald statistic, which
/// do not depend on where in the neighbourhood the quadratic is centred (a shift of the centre
/// moves only the constant and linear terms; a scale of an axis scales the cᵢⱼ and their
/// errors alike). It is fitted about the middle of the points' range, each axis scaled by its
/// half-range, so that the normal equations are well conditioned whatever the units.
struct LocalQuadratic {
  /// Per output, the figures of `LocalCurvatureCheck.OutputCurvature` but the model's.
  var fits: [Fit]
  /// The rows of the design's `x` the quadratic is fitted to.
  var rows: [Int]
  /// The axes (i, j), i ≤ j, of the curvature coefficients, in their order.
  var pairs: [(Int, Int)]

  /// One output's curvature of the residuals.
  struct Fit {
    /// cᵢⱼ per unit of xᵢxⱼ, in the order of `OutputCurvature`.
    var residual: [Double]
    /// Their standard errors.
    var standardError: [Double]
    /// The Wald statistic over the number of coefficients.
    var statistic: Double
    /// The degrees of freedom of the noise sd (nil: known).
    var dof: Int?
    /// The upper-tail p of the statistic.
    var pValue: Double
  }

  /// The quadratic fitted to `y[j][s]` (output j) at the rows `rows` of `x`, the standards
  /// at the distinct `points`, weighted by `1/sigma[j][s]²`, with `dof[j]` degrees of freedom
  /// of the noise. Nil where the points cannot fix a quadratic (too few, or not spanning one).
  init?(
    points: [[Double]], x: [[Double]], y: [[Double]], sigma: [[Double]], dof: [Int?],
    rows: [Int]
  ) {
    guard let k = points.first?.count else { return nil }
    let pairs = (0..<k).flatMap { i in (i..<k).map { (i, $0) } }
    let size = 1 + k + pairs.count
    guard points.count >= size,
      sigma.allSatisfy({ $0.allSatisfy { $0 > 0 && $0.isFinite } }),
      dof.allSatisfy({ ($0 ?? 1) >= 1 }),
      LocalQuadratic.fixes(points)
    else { return nil }
    let (centre, half) = LocalQuadratic.middle(of: points)
    let design = rows.map { LocalQuadratic.regressors(x[$0], around: centre, scale: half) }
    var fits: [Fit] = []
    for j in y.indices {
      var a = [Double](repeating: 0, count: size * size), b = [Double](repeating: 0, count: size)
      for (row, s) in zip(design, rows) {
        let w = 1 / (sigma[j][s] * sigma[j][s])
        for r in 0..<size {
          b[r] += w * row[r] * y[j][s]
          for c in 0..<size { a[r * size + c] += w * row[r] * row[c] }
        }
      }
      guard let inverse = Cholesky.inverse(a, size: size),
        (0..<size).allSatisfy({ inverse[$0 * size + $0] * a[$0 * size + $0] < 1e12 })
      else { return nil }
      let curvature = pairs.indices.map { 1 + k + $0 }
      let scale = pairs.map { half[$0.0] * half[$0.1] }
      let coefficients = curvature.map { r in
        (0..<size).reduce(0.0) { $0 + inverse[r * size + $1] * b[$1] }
      }
      let block = curvature.flatMap { r in curvature.map { inverse[r * size + $0] } }
      let q = pairs.count
      guard let solved = Cholesky.solve(block, coefficients) else { return nil }
      let statistic = zip(coefficients, solved).reduce(0.0) { $0 + $1.0 * $1.1 } / Double(q)
      let p =
        dof[j].map {
          Distributions.fisherUpperTail(statistic, numerator: Double(q), denominator: Double($0))
        } ?? Distributions.chiSquaredUpperTail(statistic * Double(q), degreesOfFreedom: Double(q))
      fits.append(
        Fit(
          residual: pairs.indices.map { coefficients[$0] / scale[$0] },
          standardError: pairs.indices.map {
            inverse[curvature[$0] * size + curvature[$0]].squareRoot() / scale[$0]
          },
          statistic: statistic, dof: dof[j], pValue: p))
    }
    self.fits = fits
    self.rows = rows
    self.pairs = pairs
  }

  /// Per output, the curvature against the model's, `modelCurvature[j]` at x̂.
  func outputs(modelCurvature: [[Double]]) -> [LocalCurvatureCheck.OutputCurvature] {
    zip(fits, modelCurvature).map { fit, modelCurvature in
      let model = modelCurvature.allSatisfy(\.isFinite) ? modelCurvature : nil
      return LocalCurvatureCheck.OutputCurvature(
        residual: fit.residual, standardError: fit.standardError, model: model,
        local: model.map { zip($0, fit.residual).map { $0 + $1 } }, statistic: fit.statistic,
        dof: fit.dof, pValue: fit.pValue)
    }
  }

  /// `LocalCurvatureCheck.resolution` at `estimate`: the largest se(cᵢⱼ)·Dᵢ·Dⱼ over the
  /// outputs, Dᵢ the farthest of the rows from x̂ along axis i, in noise sd `sigma[j]` of the
  /// standard nearest x̂ (the first of the nearest rows).
  func resolution(at estimate: [Double], x: [[Double]], sigma: [[Double]]) -> Double {
    let k = estimate.count
    var extent = [Double].zeros(k)
    var nearest = rows.first ?? 0
    var nearestDistance = Double.infinity
    for s in rows {
      var distance = 0.0
      for a in 0..<k {
        let d = x[s][a] - estimate[a]
        extent[a] = max(extent[a], Swift.abs(d))
        distance += d * d
      }
      if distance < nearestDistance { (nearest, nearestDistance) = (s, distance) }
    }
    var worst = 0.0
    for (j, fit) in fits.enumerated() {
      let largest = zip(fit.standardError, pairs).map { $0 * extent[$1.0] * extent[$1.1] }.max()
      worst = max(worst, (largest ?? 0) / sigma[j][nearest])
    }
    return worst
  }
}

extension LocalQuadratic {
  /// Whether distinct `points` (k values each) fix a quadratic: as many as its coefficients,
  /// spread along every axis, and their design's normal matrix well conditioned about the
  /// middle of their range.
  static func fixes(_ points: [[Double]]) -> Bool {
    guard let k = points.first?.count else { return false }
    let size = (k + 1) * (k + 2) / 2
    guard points.count >= size else { return false }
    let (centre, half) = middle(of: points)
    guard half.allSatisfy({ $0 > 0 && $0.isFinite }) else { return false }
    var a = [Double](repeating: 0, count: size * size)
    for point in points {
      let row = regressors(point, around: centre, scale: half)
      for r in 0..<size {
        for c in 0..<size { a[r * size + c] += row[r] * row[c] }
      }
    }
    guard let inverse = Cholesky.inverse(a, size: size) else { return false }
    return (0..<size).allSatisfy { inverse[$0 * size + $0] * a[$0 * size + $0] < 1e12 }
  }

  /// The middle of `points`' range along each axis, and the half-range.
  static func middle(of points: [[Double]]) -> (centre: [Double], half: [Double]) {
    let k = points.first?.count ?? 0
    let lower = (0..<k).map { a in points.map { $0[a] }.min() ?? 0 }
    let upper = (0..<k).map { a in points.map { $0[a] }.max() ?? 0 }
    return (zip(lower, upper).map { ($0 + $1) / 2 }, zip(lower, upper).map { ($1 - $0) / 2 })
  }

  /// (1, d, dᵢdⱼ for i ≤ j) at `point`, d = (x − centre)/scale per axis.
  static func regressors(
    _ point: [Double], around centre: [Double], scale: [Double]
  ) -> [Double] {
    let k = centre.count
    let d = (0..<k).map { (point[$0] - centre[$0]) / scale[$0] }
    var row = [1] + d
    for i in 0..<k {
      for j in i..<k { row.append(d[i] * d[j]) }
    }
    return row
  }
}
