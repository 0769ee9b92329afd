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
    /// The distinct points, each with the rows of `x` that hold it (in increasing order).
    let distinct: [(point: [Double], rows: [Int])]

    /// The design of standards at the points `x[s]` (k values each), with the spacing of each
    /// axis's levels.
    init(x: [[Double]], spacings: [StandardSpacing]) {
      self.x = x
      axes = spacings.map(Axis.init)
      var rows: [[Double]: [Int]] = [:]
      for (s, point) in x.enumerated() { rows[point, default: []].append(s) }
      distinct = rows.map { ($0.key, $0.value) }
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
    self.init(
      estimate: estimate, design: Design(x: x, spacings: spacings), residuals: residuals,
      sigma: sigma, dof: dof, modelCurvature: modelCurvature, maximumReach: maximumReach)
  }

  /// The check at `estimate` on `design` (made once for many estimates); the rest as for
  /// `init(estimate:x:residuals:sigma:dof:modelCurvature:spacings:maximumReach:)`.
  init(
    estimate: [Double], design: Design, residuals: [[Double]], sigma: [[Double]], dof: [Int?],
    modelCurvature: [[Double]], maximumReach: Double = 2.5
  ) {
    self.estimate = estimate
    let k = estimate.count
    let axes = design.axes
    let x = design.x
    let centre = (0..<k).map { axes[$0].coordinate(estimate[$0]) }
    func distance(_ point: [Double]) -> Double {
      let squares = (0..<k).map { a -> Double in
        let d = (axes[a].coordinate(point[a]) - centre[a]) / axes[a].typicalGap
        return d * d
      }
      let total = squares.reduce(0, +).squareRoot()
      return total.isNaN ? .infinity : total
    }
    let distinct = design.distinct.map { ($0.point, distance($0.point), $0.rows) }.sorted {
      $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.lexicographicallyPrecedes($1.0)
    }
    // The nearest points, ties at the last distance included, growing by distance until
    // they fix a quadratic (several unknowns: points enough, spread over three levels of
    // every axis and across each pair).
    let needed = (k + 1) * (k + 2) / 2
    var count = min(needed, distinct.count)
    while true {
      while count > 0, count < distinct.count,
        distinct[count].1 <= distinct[count - 1].1 * (1 + 1e-9)
      {
        count += 1
      }
      if count >= distinct.count
        || LocalQuadratic.fixes(distinct.prefix(count).map(\.0), around: estimate)
      {
        break
      }
      count += 1
    }
    let chosen = Array(distinct.prefix(count))
    standards = chosen.map(\.0)
    let farthest = chosen.last?.1 ?? .infinity
    reach = chosen.count >= needed && farthest.isFinite ? farthest : nil
    let fit = LocalQuadratic(
      estimate: estimate, points: standards, x: x, y: residuals, sigma: sigma, dof: dof,
      modelCurvature: modelCurvature, rows: chosen.flatMap(\.2).sorted())
    outputs = fit?.outputs
    resolution = fit?.resolution
    sufficient = fit != nil && (reach ?? .infinity) <= maximumReach
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

/// The weighted local quadratic of `LocalCurvatureCheck` around x̂, fitted per output.
struct LocalQuadratic {
  var outputs: [LocalCurvatureCheck.OutputCurvature]
  var resolution: Double

  /// Nil where the points cannot fix a quadratic (too few, or not spanning one). `rows`: the
  /// rows of `x` at the points, in increasing order, where the caller knows them.
  init?(
    estimate: [Double], points: [[Double]], x: [[Double]], y: [[Double]], sigma: [[Double]],
    dof: [Int?], modelCurvature: [[Double]], rows: [Int]? = nil
  ) {
    let k = estimate.count
    let pairs = (0..<k).flatMap { i in (i..<k).map { (i, $0) } }
    let size = 1 + k + pairs.count
    guard points.count >= size,
      sigma.allSatisfy({ $0.allSatisfy { $0 > 0 && $0.isFinite } }),
      dof.allSatisfy({ ($0 ?? 1) >= 1 })
    else { return nil }
    let rows =
      rows
      ?? {
        let selected = Set(points)
        return x.indices.filter { selected.contains(x[$0]) }
      }()
    // Each axis scaled by the neighbourhood's extent along it, so that the normal equations
    // are well conditioned whatever the units.
    guard LocalQuadratic.fixes(points, around: estimate) else { return nil }
    let extent = LocalQuadratic.extent(of: points, around: estimate)
    let design = rows.map { LocalQuadratic.regressors(x[$0], around: estimate, extent: extent) }
    let nearest = rows.min { distance2(x[$0], estimate) < distance2(x[$1], estimate) } ?? 0
    var outputs: [LocalCurvatureCheck.OutputCurvature] = []
    var worst = 0.0
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
      let scale = pairs.map { extent[$0.0] * extent[$0.1] }
      let coefficients = curvature.map { r in
        (0..<size).reduce(0.0) { $0 + inverse[r * size + $1] * b[$1] }
      }
      let se = curvature.map { inverse[$0 * size + $0].squareRoot() }
      let block = curvature.flatMap { r in curvature.map { inverse[r * size + $0] } }
      let q = pairs.count
      guard let solved = Cholesky.solve(block, coefficients) else { return nil }
      let statistic = zip(coefficients, solved).reduce(0.0) { $0 + $1.0 * $1.1 } / Double(q)
      let residual = pairs.indices.map { coefficients[$0] / scale[$0] }
      let model = modelCurvature[j].allSatisfy(\.isFinite) ? modelCurvature[j] : nil
      let p =
        dof[j].map {
          Distributions.fisherUpperTail(statistic, numerator: Double(q), denominator: Double($0))
        } ?? Distributions.chiSquaredUpperTail(statistic * Double(q), degreesOfFreedom: Double(q))
      outputs.append(
        LocalCurvatureCheck.OutputCurvature(
          residual: residual, standardError: pairs.indices.map { se[$0] / scale[$0] },
          model: model, local: model.map { zip($0, residual).map { $0 + $1 } },
          statistic: statistic, dof: dof[j], pValue: p))
      worst = max(worst, (se.max() ?? 0) / sigma[j][nearest])
    }
    self.outputs = outputs
    resolution = worst
  }
}

extension LocalQuadratic {
  /// Whether distinct `points` fix a quadratic around `estimate`: as many as its coefficients,
  /// and their design's normal matrix well conditioned.
  static func fixes(_ points: [[Double]], around estimate: [Double]) -> Bool {
    let k = estimate.count
    let size = (k + 1) * (k + 2) / 2
    guard points.count >= size else { return false }
    let extent = extent(of: points, around: estimate)
    guard extent.allSatisfy({ $0 > 0 && $0.isFinite }) else { return false }
    var a = [Double](repeating: 0, count: size * size)
    for point in points {
      let row = regressors(point, around: estimate, extent: extent)
      for r in 0..<size {
        for c in 0..<size { a[r * size + c] += row[r] * row[c] }
      }
    }
    guard let inverse = Cholesky.inverse(a, size: size) else { return false }
    return (0..<size).allSatisfy { inverse[$0 * size + $0] * a[$0 * size + $0] < 1e12 }
  }

  /// The farthest of `points` from `estimate` along each axis.
  static func extent(of points: [[Double]], around estimate: [Double]) -> [Double] {
    estimate.indices.map { a in points.map { Swift.abs($0[a] - estimate[a]) }.max() ?? 0 }
  }

  /// (1, d, dᵢdⱼ for i ≤ j) at `point`, d = (x − x̂)/extent per axis.
  static func regressors(
    _ point: [Double], around estimate: [Double], extent: [Double]
  ) -> [Double] {
    let k = estimate.count
    let d = (0..<k).map { (point[$0] - estimate[$0]) / extent[$0] }
    var row = [1] + d
    for i in 0..<k {
      for j in i..<k { row.append(d[i] * d[j]) }
    }
    return row
  }
}

private func distance2(_ a: [Double], _ b: [Double]) -> Double {
  zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
}
