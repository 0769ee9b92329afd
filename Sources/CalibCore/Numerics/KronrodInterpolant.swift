/// The polynomial of degree 20 through a function's values at the 21 nodes of the
/// Gauss–Kronrod rule on [−1, 1] (the nodes at which QAG's 21-point rule evaluated it), as a
/// Legendre series, and its antiderivative from −1: the density and the CDF inside a panel of
/// `PosteriorTabulation`, with no evaluation of the density of their own.
///
/// Legendre, not monomial, coefficients: the matrix from values to coefficients is well
/// conditioned at these nodes (they cluster at the ends, as Gauss points do), and the
/// coefficients fall off as fast as the function is smooth, so that the last ones measure
/// how well the polynomial resolves it (as Chebyshev coefficients do in Chebfun).
enum KronrodInterpolant {
  /// The nodes in increasing order: ±xgk of QUADPACK's 21-point rule (Piessens et al. 1983;
  /// the abscissae of L. W. Fullerton, Bell Labs, 1981, as GSL's qk21.c holds them). Those at
  /// the odd indices (1, 3, …, 19) are the 10-point Gauss–Legendre nodes.
  static let nodes: [Double] = {
    let positive = [
      0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
      0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
      0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
      0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
      0.294392862701460198131126603103866, 0.148874338981631210884826001129720,
    ]
    return positive.map { -$0 } + [0] + positive.reversed()
  }()

  /// The number of nodes, and of coefficients of the interpolant.
  static let count = 21

  /// The 21 × 21 matrix (row-major) taking the values at `nodes` to the Legendre
  /// coefficients of the interpolant: the inverse of Vᵢⱼ = Pⱼ(nodeᵢ), by Gauss–Jordan
  /// elimination with partial pivoting.
  static let coefficientMatrix: [Double] = {
    let n = count
    // [V | I], reduced to [I | V⁻¹].
    var augmented = [Double](repeating: 0, count: n * 2 * n)
    for i in 0..<n {
      for j in 0..<n { augmented[i * 2 * n + j] = legendre(j, at: nodes[i]) }
      augmented[i * 2 * n + n + i] = 1
    }
    for column in 0..<n {
      // Cannot trap: the range column..<n is not empty.
      let pivot = (column..<n).max {
        Swift.abs(augmented[$0 * 2 * n + column]) < Swift.abs(augmented[$1 * 2 * n + column])
      }!
      if pivot != column {
        for j in 0..<(2 * n) {
          augmented.swapAt(pivot * 2 * n + j, column * 2 * n + j)
        }
      }
      let scale = 1 / augmented[column * 2 * n + column]
      for j in 0..<(2 * n) { augmented[column * 2 * n + j] *= scale }
      for i in 0..<n where i != column {
        let factor = augmented[i * 2 * n + column]
        guard factor != 0 else { continue }
        for j in 0..<(2 * n) {
          augmented[i * 2 * n + j] -= factor * augmented[column * 2 * n + j]
        }
      }
    }
    return (0..<(n * n)).map { augmented[($0 / n) * 2 * n + n + $0 % n] }
  }()

  /// Pₖ(s), the Legendre polynomial of degree k, by its three-term recurrence.
  static func legendre(_ k: Int, at s: Double) -> Double {
    var (previous, current) = (0.0, 1.0)
    for j in 0..<k {
      (previous, current) = (
        current, ((2 * Double(j) + 1) * s * current - Double(j) * previous) / Double(j + 1)
      )
    }
    return current
  }

  /// The recurrence's factors (2k + 1)/(k + 1) and k/(k + 1) for k = 0…21, so that a term
  /// costs no division: Pₖ₊₁(s) = aₖ·s·Pₖ(s) − bₖ·Pₖ₋₁(s).
  private static let recurrence: [(a: Double, b: Double)] = (0...count).map {
    (k: Int) -> (a: Double, b: Double) in
    let next = Double(k + 1)
    return (Double(2 * k + 1) / next, Double(k) / next)
  }

  /// Σₖ cₖPₖ(s) for the coefficients `c` (at most 22, the antiderivative's: the recurrence's
  /// factors are kept for that many), by the recurrence run forwards (stable on [−1, 1]).
  /// With the factors rounded, Pₖ(1) is 1 only to a few ulps.
  static func series(_ c: UnsafeBufferPointer<Double>, at s: Double) -> Double {
    guard !c.isEmpty else { return 0 }
    var (previous, current) = (1.0, s)
    var sum = c[0]
    if c.count > 1 { sum += c[1] * s }
    recurrence.withUnsafeBufferPointer { recurrence in
      var k = 1
      while k + 1 < c.count {
        let next = recurrence[k].a * s * current - recurrence[k].b * previous
        (previous, current) = (current, next)
        k += 1
        sum += c[k] * current
      }
    }
    return sum
  }

  /// Σₖ cₖPₖ(s) and its derivative Σₖ cₖPₖ′(s), for 2 ≤ `c.count` ≤ 22, in one pass:
  /// Pₖ₊₁′ = Pₖ₋₁′ + (2k + 1)Pₖ.
  static func seriesWithDerivative(
    _ c: UnsafeBufferPointer<Double>, at s: Double
  ) -> (value: Double, derivative: Double) {
    var (previous, current) = (1.0, s)
    var (previousSlope, currentSlope) = (0.0, 1.0)
    var (sum, slope) = (c[0] + c[1] * s, c[1])
    recurrence.withUnsafeBufferPointer { recurrence in
      var k = 1
      while k + 1 < c.count {
        let next = recurrence[k].a * s * current - recurrence[k].b * previous
        let nextSlope = previousSlope + Double(2 * k + 1) * current
        (previous, current) = (current, next)
        (previousSlope, currentSlope) = (currentSlope, nextSlope)
        k += 1
        sum += c[k] * current
        slope += c[k] * currentSlope
      }
    }
    return (sum, slope)
  }

  /// Writes the Legendre coefficients of the interpolant of `values` (at `nodes`, in their
  /// order) to `coefficients` (21 of them), and those of its antiderivative from −1 to
  /// `antiderivative` (22): ∫₋₁ˢ P₀ = P₁ + P₀, and ∫₋₁ˢ Pₖ = (Pₖ₊₁ − Pₖ₋₁)/(2k + 1) for k ≥ 1.
  static func fit(
    _ values: UnsafeBufferPointer<Double>, coefficients: UnsafeMutableBufferPointer<Double>,
    antiderivative: UnsafeMutableBufferPointer<Double>
  ) {
    let n = count
    coefficientMatrix.withUnsafeBufferPointer { matrix in
      for k in 0..<n {
        var sum = 0.0
        for i in 0..<n { sum += matrix[k * n + i] * values[i] }
        coefficients[k] = sum
      }
    }
    for k in 0...n { antiderivative[k] = 0 }
    antiderivative[0] = coefficients[0]
    antiderivative[1] = coefficients[0]
    for k in 1..<n {
      let c = coefficients[k] / Double(2 * k + 1)
      antiderivative[k + 1] += c
      antiderivative[k - 1] -= c
    }
  }
}
