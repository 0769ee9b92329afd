internal import CalibGSL

/// Linear least squares min ‖b − A·x‖₂ solved to working precision on ill-conditioned designs.
///
/// The method:
/// 1. Columns are scaled by powers of two (exact) to unit order of norm.
/// 2. GSL's one-sided Jacobi SVD of the scaled design, in double precision, gives the rank
///    (and the terms at fault when it is deficient) and the first solution.
/// 3. Iterative refinement of the augmented system [I A; Aᵀ 0]·[r; x] = [b; c] (Björck,
///    BIT 7, 1967), with residuals computed from the double-double design and data. Each step
///    solves the correction with the same SVD. The solution converges to the exact
///    least-squares solution of the decimal data, rounded to double, as long as
///    cond(A)·2⁻⁵³ is well below one.
/// 4. The unscaled covariance (AᵀA)⁻¹ is found column by column the same way (b = 0,
///    c = −eⱼ), so standard errors are as accurate as the estimates.
///
/// Rows are expected already weighted (multiplied by 1/u(y)).
struct LinearLeastSquares {
  /// The weighted design, row-major, n×p.
  let design: [DoubleDouble]
  /// The weighted response, n.
  let response: [DoubleDouble]
  let rows: Int
  let columns: Int

  /// The solution and what comes with it.
  struct Solution {
    /// The least-squares coefficients.
    var coefficients: [Double]
    /// (AᵀA)⁻¹, row-major p×p: the covariance of the coefficients per unit noise variance.
    var unscaledCovariance: [Double]
    /// The weighted residuals b − A·x.
    var residuals: [Double]
    /// Σ rᵢ², to double-double precision before rounding.
    var residualSumOfSquares: Double
    /// Diagonal of the hat matrix A(AᵀA)⁻¹Aᵀ: each standard's leverage.
    var leverages: [Double]
    /// σ_max/σ_min of the column-scaled design.
    var conditionNumber: Double
    /// Refinement steps taken by the solution.
    var refinementSteps: Int
  }

  /// Solves the problem.
  ///
  /// - Parameter termNames: A name per column, for the message of a rank-deficient design.
  /// - Throws: `FitError.collinearTerms` for a rank-deficient design,
  ///   `FitError.refinementFailed` when refinement does not settle, `GSLError` from GSL.
  func solve(termNames: [String]) throws -> Solution {
    let n = rows, p = columns
    // Cannot trap: fit() refuses fewer standards than parameters, a model has one or more, and
    // each caller sizes design and response as n·p and n.
    precondition(n >= p && p > 0 && design.count == n * p && response.count == n)

    // 1. Exact column scaling by powers of two.
    var scales = [Double](repeating: 1, count: p)
    for j in 0..<p {
      var sum = 0.0
      for i in 0..<n { sum += design[i * p + j].high * design[i * p + j].high }
      guard sum > 0 else {
        throw FitError.collinearTerms([termNames[j]], conditionNumber: .infinity)
      }
      scales[j] = Double(sign: .plus, exponent: -sum.squareRoot().exponent, significand: 1)
    }
    var scaled = design
    for i in 0..<n {
      for j in 0..<p { scaled[i * p + j] = design[i * p + j] * DoubleDouble(scales[j]) }
    }

    // 2. The SVD of the scaled design, and the rank.
    let matrix = try GSLMatrix(rows: n, columns: p)
    for i in 0..<n { for j in 0..<p { matrix[i, j] = scaled[i * p + j].high } }
    let svd = try SingularValueDecomposition(matrix)
    let s = svd.singularValues
    let condition = s[0] / s[p - 1]
    let tolerance = Double(max(n, p)) * 10 * Double.ulpOfOne
    if !(s[p - 1] > s[0] * tolerance) {
      throw FitError.collinearTerms(
        collinearTerms(svd, tolerance: tolerance, names: termNames), conditionNumber: condition)
    }
    let solver = CorrectionSolver(svd: svd, rows: n, columns: p)

    // 3. The coefficients by refinement of the augmented system.
    let zeroConstraint = [Double](repeating: 0, count: p)
    let (x, steps) = try refine(
      scaled: scaled, solver: solver, b: response, c: zeroConstraint, condition: condition)

    // 4. (AᵀA)⁻¹, a column at a time.
    let noData = [DoubleDouble](repeating: DoubleDouble(0.0), count: n)
    var covariance = [Double](repeating: 0, count: p * p)
    for j in 0..<p {
      var c = zeroConstraint
      c[j] = -1
      let (column, _) = try refine(
        scaled: scaled, solver: solver, b: noData, c: c, condition: condition)
      for k in 0..<p { covariance[k * p + j] = column[k] * scales[j] * scales[k] }
    }
    for j in 0..<p {
      for k in 0..<j {
        let mean = 0.5 * (covariance[j * p + k] + covariance[k * p + j])
        covariance[j * p + k] = mean
        covariance[k * p + j] = mean
      }
    }

    // Unscale, then residuals and their sum of squares in double-double.
    let coefficients = (0..<p).map { x[$0] * scales[$0] }
    var residuals = [Double](repeating: 0, count: n)
    var rss = DoubleDouble(0.0)
    for i in 0..<n {
      var r = response[i]
      for j in 0..<p { r -= design[i * p + j] * DoubleDouble(coefficients[j]) }
      residuals[i] = r.doubleValue
      rss += r * r
    }
    let leverages = (0..<n).map { i in (0..<p).reduce(0.0) { $0 + svd.u[i, $1] * svd.u[i, $1] } }
    return Solution(
      coefficients: coefficients, unscaledCovariance: covariance, residuals: residuals,
      residualSumOfSquares: rss.doubleValue, leverages: leverages, conditionNumber: condition,
      refinementSteps: steps)
  }

  /// Iterative refinement of [I A; Aᵀ 0]·[r; x] = [b; c] from zero.
  ///
  /// - Returns: x, and the number of steps taken.
  private func refine(
    scaled a: [DoubleDouble], solver: CorrectionSolver, b: [DoubleDouble], c: [Double],
    condition: Double
  ) throws -> ([Double], Int) {
    let n = rows, p = columns
    var x = [Double](repeating: 0, count: p)
    var r = [Double](repeating: 0, count: n)
    var f = [Double](repeating: 0, count: n)
    var g = [Double](repeating: 0, count: p)
    var previous = Double.infinity
    for step in 1...30 {
      // Residuals of both block equations, in double-double.
      for i in 0..<n {
        var sum = b[i] - DoubleDouble(r[i])
        for j in 0..<p { sum -= a[i * p + j] * DoubleDouble(x[j]) }
        f[i] = sum.doubleValue
      }
      for j in 0..<p {
        var sum = DoubleDouble(c[j])
        for i in 0..<n { sum -= a[i * p + j] * DoubleDouble(r[i]) }
        g[j] = sum.doubleValue
      }
      let (dr, dx) = solver.correction(f: f, g: g)
      for j in 0..<p { x[j] += dx[j] }
      for i in 0..<n { r[i] += dr[i] }
      // Settled: no component moves by more than its last digit, or (for a component that
      // is zero in exact arithmetic) by more than double-double resolution of the largest.
      // Past the first steps, a change that no longer halves is rounding noise: stop too.
      let largest = x.reduce(0) { max($0, Swift.abs($1)) }
      let change = dx.reduce(0) { max($0, Swift.abs($1)) }
      let settled = (0..<p).allSatisfy { j in
        Swift.abs(dx[j])
          <= max(Swift.abs(x[j]) * Double.ulpOfOne, largest * Double.ulpOfOne * Double.ulpOfOne)
      }
      if settled || (step > 2 && change > 0.5 * previous) { return (x, step) }
      previous = change
    }
    throw FitError.refinementFailed(conditionNumber: condition)
  }

  /// The terms that take part in the near-null space of the scaled design.
  private func collinearTerms(
    _ svd: SingularValueDecomposition, tolerance: Double, names: [String]
  ) -> [String] {
    let p = columns
    let s = svd.singularValues
    var involved = Set<Int>()
    for k in 0..<p where !(s[k] > s[0] * tolerance) {
      let largest = (0..<p).map { Swift.abs(svd.v[$0, k]) }.max() ?? 0
      for j in 0..<p where Swift.abs(svd.v[j, k]) >= 0.05 * largest { involved.insert(j) }
    }
    return involved.sorted().map { names[$0] }
  }
}

/// Solves the correction equations [I A; Aᵀ 0]·[dr; dx] = [f; g] with A = U·diag(S)·Vᵀ:
/// dx = V·S⁻¹·(Uᵀf − S⁻¹·Vᵀg), dr = f − A·dx.
private struct CorrectionSolver {
  let u: [Double]
  let s: [Double]
  let v: [Double]
  let rows: Int
  let columns: Int

  init(svd: SingularValueDecomposition, rows: Int, columns: Int) {
    self.rows = rows
    self.columns = columns
    self.s = svd.singularValues
    var u = [Double](repeating: 0, count: rows * columns)
    for i in 0..<rows { for j in 0..<columns { u[i * columns + j] = svd.u[i, j] } }
    var v = [Double](repeating: 0, count: columns * columns)
    for i in 0..<columns { for j in 0..<columns { v[i * columns + j] = svd.v[i, j] } }
    self.u = u
    self.v = v
  }

  func correction(f: [Double], g: [Double]) -> (dr: [Double], dx: [Double]) {
    let n = rows, p = columns
    var w = [Double](repeating: 0, count: p)
    for k in 0..<p {
      var utf = 0.0, vtg = 0.0
      for i in 0..<n { utf += u[i * p + k] * f[i] }
      for j in 0..<p { vtg += v[j * p + k] * g[j] }
      w[k] = (utf - vtg / s[k]) / s[k]
    }
    var dx = [Double](repeating: 0, count: p)
    for j in 0..<p {
      var sum = 0.0
      for k in 0..<p { sum += v[j * p + k] * w[k] }
      dx[j] = sum
    }
    // A·dx = U·S·Vᵀ·dx = U·S·w, so dr = f − U·(S∘w).
    var dr = f
    for i in 0..<n {
      var sum = 0.0
      for k in 0..<p { sum += u[i * p + k] * s[k] * w[k] }
      dr[i] -= sum
    }
    return (dr, dx)
  }
}
