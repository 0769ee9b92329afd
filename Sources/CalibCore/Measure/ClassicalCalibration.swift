internal import CalibGSL

/// The classical calibration intervals labs report (Graybill & Iyer, *Regression Analysis*,
/// 1994, ch. 6; ISO 8466-1; Greenwell & Schubert Kabban, R Journal 6(1), 2014):
///
/// - inversion: the set of x whose prediction interval for the mean reading holds ȳ,
///   {x : (ȳ − μ(x))² ≤ q²·var(x)}. For a straight line this is Fieller's closed form, a
///   quadratic inequality; otherwise it is found numerically on the search range. It may be
///   one interval, two semi-infinite pieces, or the whole line, and the report says which.
/// - wald: the delta method, x̂ ± q·√var(x̂)/|dμ/dx(x̂)|.
///
/// The classical estimate is not held to the prior range of the Bayesian posterior: for a
/// straight line it is (ȳ − b0)/b1 in closed form wherever it lies; for other models μ(x) = ȳ
/// is solved on the search range, which reaches 100 widths of the calibrated domain beyond it
/// on each side, clipped to where the model is defined (see `Measurer.classicalSearchRange`).
///
/// var(x) = s_p²·(1/m + h(x)) with Graybill's pooled variance s_p² on n − p + m − 1 degrees of
/// freedom when σ is estimated (q a Student-t quantile), and 1/W + h(x) when u(y) is known
/// (q a normal quantile).
struct ClassicalCalibration {
  let instrument: MeasuringInstrument
  let likelihood: ReadingLikelihood
  let level: Double
  /// The range searched for solutions and interval ends: the prior range, and beyond it.
  let range: ClosedRange<Double>
  /// The prior range, searched on a finer grid than the rest of `range`.
  let prior: ClosedRange<Double>
  /// Whether each end of `range` is where the model itself ends (x = 0 for a 4pl): an
  /// interval that reaches such an end stops there instead of being unbounded.
  let naturalEnds: (lower: Bool, upper: Bool)

  /// The result of either method.
  struct Result {
    /// The point estimate: the solution of μ(x) = ȳ (the one in the calibrated domain when
    /// there are several), or the x closest to it when there is none.
    var estimate: Double
    /// Every solution of μ(x) = ȳ in the range.
    var solutions: [Double]
    /// The interval pieces, in increasing order; an infinite bound is unbounded.
    var pieces: [ClosedRange<Double>]
    /// The standard error (wald only).
    var standardError: Double?
    /// The quantile used and its degrees of freedom (nil: normal).
    var quantile: Double
    var dof: Double?
  }

  private func variance(at x: Double) -> (variance: Double, dof: Double?) {
    let (mean, leverage) = instrument.evaluate(at: x)
    return likelihood.classicalVariance(mean: mean, leverage: leverage, instrument: instrument)
  }

  private var quantileAndDOF: (Double, Double?) {
    let dof = variance(at: range.lowerBound).dof
    let p = 0.5 + level / 2
    return (
      dof.map { Distributions.studentQuantile(p, degreesOfFreedom: $0) }
        ?? Distributions.normalQuantile(p), dof
    )
  }

  /// The roots of f on the search range: on a fine grid over the prior range and a coarser
  /// one over each stretch beyond it.
  private func roots(of f: (Double) -> Double) throws -> [Double] {
    var roots: [Double] = []
    if range.lowerBound < prior.lowerBound {
      roots += try Roots.all(of: f, in: range.lowerBound...prior.lowerBound).filter {
        $0 < prior.lowerBound
      }
    }
    roots += try Roots.all(of: f, in: prior)
    if range.upperBound > prior.upperBound {
      roots += try Roots.all(of: f, in: prior.upperBound...range.upperBound).filter {
        $0 > prior.upperBound
      }
    }
    return roots
  }

  /// The solutions of μ(x) = ȳ, and the estimate: (ȳ − b0)/b1 for a straight line; otherwise
  /// the solutions on the search range (the one in the calibrated domain when there are
  /// several), or the x of the curve's closest approach to ȳ when there is none.
  func pointEstimate() throws -> (estimate: Double, solutions: [Double]) {
    let y = likelihood.meanReading
    if let (b0, b1) = straightLine {
      let estimate = (y - b0) / b1
      if estimate.isFinite { return (estimate, [estimate]) }
    }
    let solutions = try roots(of: { instrument.evaluate(at: $0).mean - y })
    if solutions.isEmpty {
      // No x produces ȳ: the closest approach of the curve.
      let grid = (0...512).map {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / 512
      }
      let distances = grid.map { Swift.abs(instrument.evaluate(at: $0).mean - y) }
      let best = grid.indices.filter { distances[$0].isFinite }.min {
        distances[$0] < distances[$1]
      }.map { grid[$0] }
      guard let best else {
        throw MeasurementError.invalidSetting(
          "the response is not finite anywhere on the range [\(range.lowerBound), \(range.upperBound)]"
        )
      }
      return (best, [])
    }
    let inside = solutions.filter { instrument.domain.contains($0) }
    return (inside.count == 1 ? inside[0] : solutions[0], solutions)
  }

  /// The inversion interval.
  func inversion() throws -> Result {
    let (estimate, solutions) = try pointEstimate()
    let (q, dof) = quantileAndDOF
    let y = likelihood.meanReading
    let g = { (x: Double) -> Double in
      let (mean, _) = instrument.evaluate(at: x)
      return (y - mean) * (y - mean) - q * q * variance(at: x).variance
    }
    let pieces: [ClosedRange<Double>]
    if let line = straightLine, let closed = fieller(line: line, quantile: q) {
      pieces = closed
    } else {
      pieces = try numericSublevelSet(g, containing: solutions)
    }
    return Result(
      estimate: estimate, solutions: solutions, pieces: pieces, standardError: nil, quantile: q,
      dof: dof)
  }

  /// The Wald interval.
  func wald() throws -> Result {
    let (estimate, solutions) = try pointEstimate()
    let (q, dof) = quantileAndDOF
    // No x gives the reading: the delta method has nothing to linearize about.
    if solutions.isEmpty {
      return Result(
        estimate: estimate, solutions: [], pieces: [], standardError: nil, quantile: q, dof: dof)
    }
    let se =
      variance(at: estimate).variance.squareRoot() / Swift.abs(instrument.slope(at: estimate))
    // Where the curve is flat (or undefined) at the estimate, or infinitely steep (a power
    // x^b with b < 1 at x = 0), the delta method has no interval: it is reported unbounded.
    let usable = se.isFinite && se > 0
    let piece =
      usable ? (estimate - q * se)...(estimate + q * se) : -Double.infinity...Double.infinity
    return Result(
      estimate: estimate, solutions: solutions, pieces: [piece],
      standardError: usable ? se : nil, quantile: q, dof: dof)
  }

  /// (b0, b1) when the response is b0 + b1·x exactly (basis 1 and x, no offset).
  private var straightLine: (Double, Double)? {
    guard let linear = instrument.linear, instrument.noise == nil,
      instrument.knownScaleNoise == nil, linear.offset.numberValue == 0,
      linear.basis.count == 2
    else { return nil }
    let x =
      instrument.model.predictors.count == 1 && instrument.model.predictors[0] != "x"
      ? [Expression.symbol("x"), .symbol(instrument.model.predictors[0])] : [Expression.symbol("x")]
    if linear.basis[0] == .number(1), x.contains(linear.basis[1]) {
      return (instrument.coefficients[0], instrument.coefficients[1])
    }
    if linear.basis[1] == .number(1), x.contains(linear.basis[0]) {
      return (instrument.coefficients[1], instrument.coefficients[0])
    }
    return nil
  }

  /// Fieller's solution of (ȳ − b0 − b1·x)² ≤ q²·(V₀ + k·h(x)) with h quadratic in x; nil in
  /// the degenerate case of a zero leading coefficient.
  private func fieller(line: (Double, Double), quantile q: Double) -> [ClosedRange<Double>]? {
    let (b0, b1) = line
    let y = likelihood.meanReading
    // var(x) = V0 + k·(C00 + 2·C01·x + C11·x²) for the basis order (1, x).
    let intercept = instrument.linear?.basis[0] == .number(1) ? 0 : 1
    let slopeIndex = 1 - intercept
    let c = instrument.scale
    let c00 = c[intercept * 2 + intercept], c11 = c[slopeIndex * 2 + slopeIndex],
      c01 = c[intercept * 2 + slopeIndex]
    let atZero = variance(at: 0)
    let k: Double
    switch likelihood.kind {
    case .student(let nu, let s2, let m, let within): k = (nu * s2 + within) / (nu + m - 1)
    case .gaussian: k = 1
    case .mixture: k = instrument.s2
    case .varying, .heavyTailed, .replicated: k = 1
    }
    let v0 = atZero.variance - k * c00
    let a = b1 * b1 - q * q * k * c11
    let b = -2 * b1 * (y - b0) - 2 * q * q * k * c01
    let d = (y - b0) * (y - b0) - q * q * (v0 + k * c00)
    let discriminant = b * b - 4 * a * d
    // A vanishing leading coefficient (the slope exactly at its significance limit) leaves a
    // linear inequality: the numeric solution handles it.
    guard a != 0, a.isFinite, discriminant.isFinite else { return nil }
    if a > 0 {
      guard discriminant >= 0 else { return [] }
      let root = discriminant.squareRoot()
      let r1 = (-b - root) / (2 * a), r2 = (-b + root) / (2 * a)
      return [min(r1, r2)...max(r1, r2)]
    }
    if discriminant <= 0 { return [-Double.infinity...Double.infinity] }
    let root = discriminant.squareRoot()
    let r1 = (-b - root) / (2 * a), r2 = (-b + root) / (2 * a)
    return [-Double.infinity...min(r1, r2), max(r1, r2)...Double.infinity]
  }

  /// {x in the search range : g(x) ≤ 0}; a piece that reaches a bound of the search range
  /// where g ≤ 0 is reported unbounded on that side, unless the model itself ends there.
  private func numericSublevelSet(
    _ g: (Double) -> Double, containing solutions: [Double]
  ) throws -> [ClosedRange<Double>] {
    var roots = try roots(of: g)
    // Every solution of μ(x) = ȳ lies in the set (g < 0 there); where its piece is narrower
    // than the grid's step (a steep curve on a range that reaches a far second solution, as
    // beyond a quadratic's vertex), the grid steps over both of its ends: they are found by
    // stepping out from the solution instead.
    for solution in solutions where g(solution) < 0 {
      roots += ends(of: g, around: solution).filter { end in
        !roots.contains { Swift.abs($0 - end) <= 1e-12 * max(Swift.abs(end), 1) }
      }
    }
    var edges = [range.lowerBound] + roots + [range.upperBound]
    edges = edges.sorted()
    var pieces: [ClosedRange<Double>] = []
    for k in 0..<(edges.count - 1) where edges[k + 1] > edges[k] {
      let middle = 0.5 * (edges[k] + edges[k + 1])
      guard g(middle) <= 0 else { continue }
      let lower = k == 0 && !naturalEnds.lower ? -Double.infinity : edges[k]
      let upper = k == edges.count - 2 && !naturalEnds.upper ? Double.infinity : edges[k + 1]
      if let last = pieces.last, last.upperBound == lower {
        pieces[pieces.count - 1] = last.lowerBound...upper
      } else {
        pieces.append(lower...upper)
      }
    }
    return pieces
  }

  /// The nearest root of g on each side of `x` (where g(x) < 0) inside the search range:
  /// steps out from x that double from its Wald standard error until g turns positive, then
  /// the Illinois method on the last step. A side where g stays negative to the end of the
  /// range has none.
  private func ends(of g: (Double) -> Double, around x: Double) -> [Double] {
    let width = range.upperBound - range.lowerBound
    let wald = variance(at: x).variance.squareRoot() / Swift.abs(instrument.slope(at: x))
    let first = wald.isFinite && wald > 0 ? min(wald, width) : width * 1e-9
    var ends: [Double] = []
    for direction in [-1.0, 1.0] {
      var (inner, innerValue) = (x, g(x))
      var step = first
      while step <= 2 * width {
        let outer = min(max(x + direction * step, range.lowerBound), range.upperBound)
        let value = g(outer)
        if value > 0 {
          ends.append(
            Roots.bracketed(
              g, inner, innerValue, outer, value,
              tolerance: 1e-15 * max(width, Swift.abs(outer))))
          break
        }
        if outer == range.lowerBound || outer == range.upperBound { break }
        (inner, innerValue) = (outer, value)
        step *= 2
      }
    }
    return ends
  }
}
