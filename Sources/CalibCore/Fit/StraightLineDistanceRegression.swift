/// Generalized distance regression (GDR) of a straight line y = a + b·x to standards whose
/// x and y both carry standard uncertainties, uncorrelated: ISO/TS 28037:2010 §7
/// (weighted total least squares), the solution York et al. give in closed equations
/// (Am. J. Phys. 72, 367 (2004)).
///
/// The true values ξᵢ of the standards are parameters too; the estimates minimize
/// Σ[(xᵢ − ξᵢ)²/u²(xᵢ) + (yᵢ − a − b·ξᵢ)²/u²(yᵢ)]. Minimizing over each ξᵢ in closed form
/// leaves χ²(a, b) = Σ fᵢ², fᵢ = (yᵢ − a − b·xᵢ)/sᵢ, sᵢ² = u²(yᵢ) + b²·u²(xᵢ), which is solved
/// by Gauss–Newton with step halving (ISO/TS 28037 §7.2), the line centred at the
/// weighted mean of x so that the 2×2 normal equations stay well conditioned. The
/// covariance of (a, b) is (JᵀJ)⁻¹ at the solution, J the Jacobian of f (including the
/// dependence of sᵢ on b): the linearized covariance ISO/TS 28037 and York's equations give.
/// With every u(xᵢ) = 0 the problem is weighted least squares and so is the answer.
struct StraightLineDistanceRegression {
  /// a, the intercept.
  let intercept: Double
  /// b, the slope.
  let slope: Double
  /// The covariance of (a, b), in that order.
  let covariance: [[Double]]
  /// χ² = Σ fᵢ² at the solution, on n − 2 degrees of freedom.
  let chiSquared: Double
  /// Gauss–Newton steps taken.
  let iterations: Int
  /// hᵢ = jᵢᵀ(JᵀJ)⁻¹jᵢ, the diagonal of the linearized hat matrix, in [0, 1].
  let leverages: [Double]
  /// The condition number of the column-scaled Jacobian.
  let conditionNumber: Double
  /// ξᵢ = xᵢ + b·u²(xᵢ)·(yᵢ − a − b·xᵢ)/sᵢ²: the estimated true values of the standards.
  let adjustedX: [Double]

  /// Steps stop when each is below this fraction of its parameter's standard error.
  static let stepTolerance = 1e-12
  /// At most this many Gauss–Newton steps.
  static let maximumIterations = 500

  /// Fits the line.
  ///
  /// - Parameters:
  ///   - x: The standards' values.
  ///   - uX: Their standard uncertainties (≥ 0; 0 for an exact standard).
  ///   - y: The readings.
  ///   - uY: The readings' standard uncertainties (> 0).
  /// - Throws: `FitError.collinearTerms` when the standards do not determine a line (all at
  ///   one x), `FitError.notConverged` when the iteration does not settle,
  ///   `FitError.notFinite` for a result that overflows.
  init(x: [Double], uX: [Double], y: [Double], uY: [Double]) throws(FitError) {
    let n = x.count
    let vx = uX.map { $0 * $0 }
    let vy = uY.map { $0 * $0 }
    // Centre at the weighted mean of x (weights 1/u²(y)): y = c + b·(x − x₀), a = c − b·x₀.
    let w0 = vy.map { 1 / $0 }
    let x0 = zip(w0, x).map(*).reduce(0, +) / w0.reduce(0, +)
    let t = x.map { $0 - x0 }

    /// fᵢ and the Jacobian rows (∂fᵢ/∂c, ∂fᵢ/∂b) at (c, b).
    func evaluate(_ c: Double, _ b: Double) -> (f: [Double], j: [(Double, Double)], s: Double) {
      var f = [Double](repeating: 0, count: n)
      var j = [(Double, Double)](repeating: (0, 0), count: n)
      var sum = 0.0
      for i in 0..<n {
        let s = (vy[i] + b * b * vx[i]).squareRoot()
        let fi = (y[i] - c - b * t[i]) / s
        f[i] = fi
        j[i] = (-1 / s, -(t[i] + b * vx[i] * fi / s) / s)
        sum += fi * fi
      }
      return (f, j, sum)
    }
    /// (JᵀJ)⁻¹ and the Gauss–Newton step −(JᵀJ)⁻¹Jᵀf, with the column-scaled condition number.
    func normal(
      _ f: [Double], _ j: [(Double, Double)]
    ) throws(FitError) -> (
      inverse: [[Double]], step: (Double, Double), condition: Double
    ) {
      var (m00, m01, m11, g0, g1) = (0.0, 0.0, 0.0, 0.0, 0.0)
      for i in 0..<n {
        m00 += j[i].0 * j[i].0
        m01 += j[i].0 * j[i].1
        m11 += j[i].1 * j[i].1
        g0 += j[i].0 * f[i]
        g1 += j[i].1 * f[i]
      }
      // Scaled to unit diagonal the matrix is [[1, ρ], [ρ, 1]], eigenvalues 1 ± |ρ|.
      let rho = m00 > 0 && m11 > 0 ? m01 / (m00 * m11).squareRoot() : 1
      let condition = ((1 + Swift.abs(rho)) / max(1 - Swift.abs(rho), 0)).squareRoot()
      guard condition.isFinite, condition < 1e15 else {
        throw FitError.collinearTerms(["1", "x"], conditionNumber: condition)
      }
      let det = m00 * m11 - m01 * m01
      let inverse = [[m11 / det, -m01 / det], [-m01 / det, m00 / det]]
      let step = (
        -(inverse[0][0] * g0 + inverse[0][1] * g1), -(inverse[1][0] * g0 + inverse[1][1] * g1)
      )
      return (inverse, step, condition)
    }

    // Start: weighted least squares ignoring u(x) (t is centred, so the normal equations
    // are diagonal).
    let sw = w0.reduce(0, +)
    var (sy, sty, stt) = (0.0, 0.0, 0.0)
    for i in 0..<n {
      sy += w0[i] * y[i]
      sty += w0[i] * t[i] * y[i]
      stt += w0[i] * t[i] * t[i]
    }
    var c = sy / sw
    var b = sty / stt
    guard b.isFinite else { throw FitError.collinearTerms(["1", "x"], conditionNumber: .infinity) }
    var current = evaluate(c, b)
    var iterations = 0
    while true {
      let system = try normal(current.f, current.j)
      let (dc, db) = system.step
      let settled =
        Swift.abs(dc) <= Self.stepTolerance * system.inverse[0][0].squareRoot()
        && Swift.abs(db) <= Self.stepTolerance * system.inverse[1][1].squareRoot()
      if settled { break }
      guard iterations < Self.maximumIterations else {
        throw FitError.notConverged(
          tried:
            "generalized distance regression (Gauss–Newton from the weighted least-squares line), \(iterations) steps"
        )
      }
      iterations += 1
      // Step halving: accept the first fraction of the step that does not raise χ² beyond
      // its rounding (near the minimum χ² is flat to rounding, and the full step is taken).
      var fraction = 1.0
      var accepted = false
      for _ in 0..<60 {
        let trial = evaluate(c + fraction * dc, b + fraction * db)
        if trial.s <= current.s * (1 + 1e-13) {
          c += fraction * dc
          b += fraction * db
          current = trial
          accepted = true
          break
        }
        fraction /= 2
      }
      // No fraction of the step lowers χ²: the minimum is reached to rounding.
      if !accepted { break }
    }
    let final = try normal(current.f, current.j)
    let cov = final.inverse
    let a = c - b * x0
    let varA: Double = cov[0][0] - 2 * x0 * cov[0][1] + x0 * x0 * cov[1][1]
    let covAB = cov[0][1] - x0 * cov[1][1]
    intercept = a
    slope = b
    covariance = [[varA, covAB], [covAB, cov[1][1]]]
    chiSquared = current.s
    self.iterations = iterations
    conditionNumber = final.condition
    var leverages = [Double](repeating: 0, count: n)
    var adjustedX = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let (j0, j1) = current.j[i]
      let first: Double = cov[0][0] * j0 + cov[0][1] * j1
      let second: Double = cov[1][0] * j0 + cov[1][1] * j1
      leverages[i] = j0 * first + j1 * second
      let residual: Double = y[i] - c - b * t[i]
      let variance: Double = vy[i] + b * b * vx[i]
      adjustedX[i] = x[i] + b * vx[i] * residual / variance
    }
    self.leverages = leverages
    self.adjustedX = adjustedX
    for (name, value) in [
      ("the intercept", a), ("the slope", b), ("the covariance", varA + covAB + cov[1][1]),
      ("χ²", chiSquared),
    ] where !value.isFinite {
      throw FitError.notFinite(name)
    }
  }
}
