internal import CalibGSL

/// The local test of "enough data in the right places" (DESIGN §4, docs/coverage.md): around
/// the estimate x̂ of one unknown, do the nearest standards tell the curvature of the response
/// from the noise?
///
/// The neighbourhood is the three distinct standard levels nearest x̂ (fewer when the
/// instrument has fewer), with all their replicates: the least that fixes a curvature. For
/// each output the local quadratic y ≈ b₀ + b₁(x − x̂) + b₂(x − x̂)² is fitted to them by
/// weighted least squares in the metric of the noise (weights 1/σ² at each standard, σ from the
/// instrument's fit), and its curvature b₂ ± se(b₂) compared with the model's, f″(x̂)/2:
/// z = (b₂ − f″(x̂)/2)/se(b₂). The figures say how finely the local standards resolve curvature
/// (`resolution`: se(b₂)·d², d the farthest level's distance from x̂: the curvature effect
/// across the neighbourhood that the standards tell from noise at one sd, in noise sd) and
/// whether the model's curvature agrees with them.
///
/// The noise sd is the replicates' pure error where the standards have at least two degrees of
/// freedom of it (a constant noise): the model's residual sd would count a curvature the model
/// misses as noise, and no curvature could then show. Without replicates curvature and noise
/// cannot be told apart, and the figures say so (a large se).
///
/// The measurement is `sparse` when the neighbourhood is not local: its farthest level lies more
/// than two typical spacings (the median gap between consecutive levels, so that one gap does
/// not stretch it) from x̂ (a gap, or the edge of the design), so
/// that the curvature between the standards and x̂ is the model's guess, not something the
/// standards show; or when there are fewer than three levels. |z| > 3 adds a reason: the
/// standards near x̂ curve unlike the model, where the two-sided p of z on Student's t with the
/// noise's degrees of freedom is below 0.0027 (a normal's 3 sd).
public struct LocalCurvatureCheck: Codable, Equatable, Sendable {
  /// The distinct standard levels of the neighbourhood, nearest first.
  public var levels: [Double]
  /// How far the farthest of them lies from x̂, in typical spacings of the standards (the
  /// median gap between consecutive levels; in log x for a geometric design).
  public var reach: Double
  /// Per output (in the instrument's order): the local curvature b₂, its standard error, the
  /// model's f″(x̂)/2 and z; null where the neighbourhood has fewer than three levels.
  public var outputs: [OutputCurvature]?
  /// se(b₂)·d² (d the farthest level's distance from x̂) in noise sd, the largest over the
  /// outputs; null likewise.
  public var resolution: Double?
  /// Whether the neighbourhood is local (three levels within two spacings of x̂).
  public var sufficient: Bool

  /// One output's local curvature against the model's.
  public struct OutputCurvature: Codable, Equatable, Sendable {
    /// b₂ of the local quadratic, in units of the output per unit x².
    public var local: Double
    /// Its standard error, from the noise sd used.
    public var standardError: Double
    /// The model's f″(x̂)/2.
    public var model: Double
    /// (b₂ − f″(x̂)/2)/se(b₂).
    public var z: Double
    /// The degrees of freedom of the noise sd (the pure error's, or the instrument's ν): z is
    /// referred to Student's t with them.
    public var dof: Int
    /// P(|t| ≥ |z|).
    public var pValue: Double

    enum CodingKeys: String, CodingKey {
      case local, model, z, dof
      case standardError = "standard_error"
      case pValue = "p_value"
    }
  }

  /// The largest spacing-normalized reach that still counts as local.
  static let maximumReach = 2.0

  /// The two-sided p below which the standards near x̂ are said to curve unlike the model:
  /// a normal's 3 sd, referred to Student's t with the noise's degrees of freedom.
  static let disagreementP = 0.0027

  /// The check at `estimate` for standards at `x` with readings `y[j][s]` for output j,
  /// noise sd `sigma[j][s]` at each with `dof[j]` degrees of freedom, the model's curvature
  /// f″(x̂)/2 per output `modelCurvature`, and the standards' spacing.
  init(
    estimate: Double, x: [Double], y: [[Double]], sigma: [[Double]], dof: [Int],
    modelCurvature: [Double], spacing: StandardSpacing
  ) {
    func coordinate(_ v: Double) -> Double {
      spacing.logarithmic && v > 0 ? _log(v) : v
    }
    let centre = coordinate(estimate)
    let distinct = spacing.distinct.sorted {
      Swift.abs(coordinate($0) - centre) < Swift.abs(coordinate($1) - centre)
    }
    levels = Array(distinct.prefix(3))
    let farthest = levels.map { Swift.abs(coordinate($0) - centre) }.max() ?? .infinity
    let ordered = spacing.distinct.map(coordinate).sorted()
    let gaps = zip(ordered.dropFirst(), ordered).map { $0 - $1 }.sorted()
    let typical = gaps.isEmpty ? 0 : gaps[gaps.count / 2]
    reach = typical > 0 ? farthest / typical : .infinity
    sufficient = levels.count >= 3 && reach <= Self.maximumReach
    guard levels.count >= 3 else {
      outputs = nil
      resolution = nil
      return
    }
    let chosen = x.indices.filter { levels.contains(x[$0]) }
    let distance = (levels.map { Swift.abs($0 - estimate) }.max() ?? 0)
    var results: [OutputCurvature] = []
    var worst = 0.0
    for j in y.indices {
      // Weighted normal equations of (1, d, d²), d = x − x̂.
      var a = [Double](repeating: 0, count: 9), b = [Double](repeating: 0, count: 3)
      for s in chosen {
        let d = x[s] - estimate
        let w = 1 / (sigma[j][s] * sigma[j][s])
        let row = [1, d, d * d]
        for r in 0..<3 {
          b[r] += w * row[r] * y[j][s]
          for c in 0..<3 { a[r * 3 + c] += w * row[r] * row[c] }
        }
      }
      guard let inverse = Cholesky.inverse(a, size: 3) else {
        results.append(
          OutputCurvature(
            local: .nan, standardError: .nan, model: .nan, z: .nan, dof: dof[j], pValue: .nan))
        continue
      }
      let b2 = (0..<3).reduce(0.0) { $0 + inverse[6 + $1] * b[$1] }
      let se = inverse[8].squareRoot()
      let z = (b2 - modelCurvature[j]) / se
      results.append(
        OutputCurvature(
          local: b2, standardError: se, model: modelCurvature[j], z: z, dof: dof[j],
          pValue: 2 * Distributions.studentUpperTail(Swift.abs(z), degreesOfFreedom: Double(dof[j]))
        ))
      // In noise sd of a reading near x̂ (the nearest standard's σ).
      let nearest = chosen.min { Swift.abs(x[$0] - estimate) < Swift.abs(x[$1] - estimate) }
      worst = max(worst, se * distance * distance / (nearest.map { sigma[j][$0] } ?? 1))
    }
    outputs = results
    resolution = worst
  }
}
