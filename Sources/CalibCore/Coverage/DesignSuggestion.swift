/// Where one more standard would help most: over the calibrated domain, the x whose
/// measurement is least precise, and the x at which a new standard would shrink that worst
/// precision most (docs/coverage.md, "Where to add a standard").
///
/// The precision of a measurement at x is the linearized sd of x̂ from one reading,
/// sd(x) = √(σ²(x) + g(x)ᵀCg(x)) / |μ′(x)| (σ² at the noise's estimate, C the covariance of the
/// parameters). A new standard at z with a reading of noise σ²(z) updates C by one rank
/// (Sherman–Morrison): C′ = C − Cg(z)g(z)ᵀC / (σ²(z) + g(z)ᵀCg(z)). The suggestion is the z
/// among the map's points in the domain that minimizes the largest sd′(x) over the domain (a
/// minimax, G-optimal-like criterion for inverse prediction). Where the noise, not the
/// instrument's uncertainty, dominates sd(x), no standard helps much, and `reduction` says so.
public struct DesignSuggestion: Codable, Equatable, Sendable {
  /// What is minimized, in words.
  public var criterion: String
  /// The least precise x in the domain now, and its sd.
  public var worst: Spot
  /// The x of the suggested standard, and the worst sd over the domain with it added.
  public var suggestedStandard: Spot
  /// 1 − (worst sd after) / (worst sd now): the share by which the worst sd shrinks.
  public var reduction: Double

  /// A place on the x axis and the sd of a measurement there.
  public struct Spot: Codable, Equatable, Sendable {
    /// x, in the units of the predictor.
    public var x: Double
    /// The sd of x̂ from one reading at the worst x (after the new standard, for the
    /// suggestion).
    public var xSD: Double

    enum CodingKeys: String, CodingKey {
      case x
      case xSD = "x_sd"
    }
  }

  enum CodingKeys: String, CodingKey {
    case criterion, worst, reduction
    case suggestedStandard = "suggested_standard"
  }

  /// The suggestion for an instrument whose points are `x` (in the domain), with, at each,
  /// the gradient of the response in the parameters `gradients[i]`, the noise variance of one
  /// reading `noise[i]` and the sensitivity `slopes[i]`; `covariance` is C, row-major, on the
  /// same scale as `noise`. Nil with fewer than two points or where no sd is finite.
  init?(
    x: [Double], gradients: [[Double]], noise: [Double], slopes: [Double], covariance: [Double]
  ) {
    let n = x.count
    guard n >= 2, let p = gradients.first?.count, p > 0 else { return nil }
    // Cg for every point, then the cross terms g(x)ᵀCg(z).
    let cg = gradients.map { g in
      (0..<p).map { r in (0..<p).reduce(0.0) { $0 + covariance[r * p + $1] * g[$1] } }
    }
    var cross = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        cross[i * n + j] = (0..<p).reduce(0.0) { $0 + gradients[i][$1] * cg[j][$1] }
      }
    }
    func sd(_ i: Int, variance: Double) -> Double {
      let value = variance.squareRoot() / Swift.abs(slopes[i])
      return value.isFinite ? value : .infinity
    }
    let now = (0..<n).map { sd($0, variance: noise[$0] + cross[$0 * n + $0]) }
    guard let worstNow = now.indices.filter({ now[$0].isFinite }).max(by: { now[$0] < now[$1] })
    else { return nil }
    var best = (z: worstNow, worst: Double.infinity)
    for z in 0..<n {
      let denominator = noise[z] + cross[z * n + z]
      guard denominator > 0, denominator.isFinite else { continue }
      var worst = 0.0
      for i in 0..<n {
        let h = cross[i * n + i] - cross[i * n + z] * cross[i * n + z] / denominator
        worst = max(worst, sd(i, variance: noise[i] + max(h, 0)))
      }
      if worst < best.worst { best = (z, worst) }
    }
    guard best.worst.isFinite else { return nil }
    criterion =
      "the largest sd of x̂ from one reading over the calibrated domain, after one more standard"
    worst = Spot(x: x[worstNow], xSD: now[worstNow])
    suggestedStandard = Spot(x: x[best.z], xSD: best.worst)
    reduction = 1 - best.worst / now[worstNow]
  }
}
