/// Roots of a continuous function on an interval.
enum Roots {
  /// Every root of f in the range that a sign change on a 1024-step grid brackets, refined
  /// by the Illinois method to full precision. Double roots that touch zero without a sign
  /// change are found where the grid lands on them exactly; they are not sought otherwise.
  static func all(of f: (Double) -> Double, in range: ClosedRange<Double>) throws -> [Double] {
    let steps = 1024
    let width = range.upperBound - range.lowerBound
    var roots: [Double] = []
    var previousX = range.lowerBound
    var previous = f(previousX)
    if previous == 0 { roots.append(previousX) }
    for i in 1...steps {
      let x = i == steps ? range.upperBound : range.lowerBound + width * Double(i) / Double(steps)
      let value = f(x)
      if value == 0 {
        roots.append(x)
      } else if previous != 0, (value > 0) != (previous > 0), value.isFinite, previous.isFinite {
        roots.append(
          bracketed(f, previousX, previous, x, value, tolerance: 1e-15 * max(width, Swift.abs(x))))
      }
      previousX = x
      previous = value
    }
    return roots
  }

  /// The root of f in [a, b] with f(a)·f(b) < 0 (Illinois method): stops when the bracket is
  /// narrower than `tolerance`, or |f| is at most `residual`.
  static func bracketed(
    _ f: (Double) -> Double, _ a0: Double, _ fa0: Double, _ b0: Double, _ fb0: Double,
    tolerance: Double, residual: Double = 0
  ) -> Double {
    var bracket = RootBracket(a0, fa0, b0, fb0)
    var x = a0
    for _ in 0..<200 {
      x = bracket.falsePosition
      let fx = f(x)
      if Swift.abs(fx) <= residual || bracket.width <= tolerance { return x }
      bracket.narrow(at: x, value: fx)
    }
    return x
  }
}
