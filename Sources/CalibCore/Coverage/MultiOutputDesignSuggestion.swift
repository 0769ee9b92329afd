/// Where one more standard would help an instrument with several outputs most: over the
/// calibrated box, the x whose measurement is least precise, and the x at which a new
/// standard, one reading vector, would shrink that worst precision most (docs/coverage.md,
/// "Several outputs").
///
/// The precision at x is the linearized sd of each unknown from one reading vector there
/// (`LinearizedPrecision`); with several unknowns, in different units, each sd is taken
/// relative to the width of its unknown's calibrated range, and the worst is the largest of
/// those over the unknowns and the points. A new standard at z updates the parameters'
/// covariance by rank m (Woodbury). The suggestion is the z among the points that minimizes
/// the worst (a minimax, G-optimal-like criterion for inverse prediction); the points are a
/// grid over the box (101 points for one unknown, 11² for two, 5³ for three, 3ᵏ beyond, ends
/// included).
public struct MultiOutputDesignSuggestion: Codable, Equatable, Sendable {
  /// What is minimized, in words.
  public var criterion: String
  /// The least precise x in the box now: the unknown whose sd is worst there, and that sd.
  public var worst: Spot
  /// The x of the suggested standard, one value per predictor.
  public var suggestedStandard: [Double]
  /// The worst sd over the box with that standard added: where, and of which unknown.
  public var worstAfter: Spot
  /// 1 − (worst after) / (worst now), the worst taken relative to the unknowns' ranges.
  public var reduction: Double

  /// A place in x and the sd of one unknown's measurement there.
  public struct Spot: Codable, Equatable, Sendable {
    /// x, one value per predictor.
    public var x: [Double]
    /// The unknown the sd is of.
    public var quantity: String
    /// Its sd from one reading vector, in its units.
    public var xSD: Double

    enum CodingKeys: String, CodingKey {
      case x, quantity
      case xSD = "x_sd"
    }
  }

  enum CodingKeys: String, CodingKey {
    case criterion, worst, reduction
    case suggestedStandard = "suggested_standard"
    case worstAfter = "worst_after"
  }

  /// The suggestion over `points`, for unknowns named `predictors` whose calibrated ranges are
  /// `widths` wide; nil with fewer than two points or where no sd is finite.
  init?(points: [LinearizedPrecision], predictors: [String], widths: [Double]) {
    let n = points.count
    guard n >= 2 else { return nil }
    let k = predictors.count
    let scale = widths.map { $0 > 0 ? $0 : 1 }
    /// The worst relative sd over the points, with its point and unknown.
    func largest(_ sd: (Int) -> [Double]?) -> (value: Double, point: Int, unknown: Int, sd: Double)
    {
      var result = (value: -Double.infinity, point: 0, unknown: 0, sd: Double.infinity)
      for i in 0..<n {
        guard let values = sd(i) else {
          return (.infinity, i, 0, .infinity)
        }
        for a in 0..<k where values[a] / scale[a] > result.value {
          result = (values[a] / scale[a], i, a, values[a])
        }
      }
      return result
    }
    let now = largest { points[$0].standardDeviations() }
    guard now.value.isFinite else { return nil }
    var best: (z: Int, worst: (value: Double, point: Int, unknown: Int, sd: Double))?
    for z in 0..<n {
      let after = largest { i in
        LinearizedPrecision.reduction(
          cross: points[i].crossCovariance(with: points[z]), at: points[z]
        )
        .flatMap { points[i].standardDeviations(less: $0) }
      }
      if after.value < (best?.worst.value ?? .infinity) { best = (z, after) }
    }
    guard let best else { return nil }
    criterion =
      "the largest sd of an unknown from one reading vector over the calibrated box, relative to its calibrated range, after one more standard"
    worst = Spot(x: points[now.point].x, quantity: predictors[now.unknown], xSD: now.sd)
    suggestedStandard = points[best.z].x
    worstAfter = Spot(
      x: points[best.worst.point].x, quantity: predictors[best.worst.unknown],
      xSD: best.worst.sd)
    reduction = 1 - best.worst.value / now.value
  }
}
