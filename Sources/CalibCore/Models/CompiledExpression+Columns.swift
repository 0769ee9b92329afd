/// The formula evaluated at many points at once, one instruction over all of them before the
/// next: the program is decoded once per batch instead of once per point, and the loops over
/// the points are plain arithmetic the compiler can vectorize.
///
/// Each point's value is computed by the same operations, in the same order, as
/// `evaluate(_:)` on that point alone: the results agree bit for bit.
extension CompiledExpression {
  /// The formula's value at `count` points into `results`: slot k of point i is
  /// `columns[k][i]`, and `logarithms[k][i]` its natural logarithm, computed by the caller
  /// with `log` (once for many evaluations, for `variablePower`). `workspace` holds
  /// `stackDepth × count` values.
  ///
  /// - Complexity: O(length of the program × count); no heap allocation.
  package func evaluate(
    columns: UnsafeBufferPointer<UnsafePointer<Double>>,
    logarithms: UnsafeBufferPointer<UnsafePointer<Double>>, count: Int,
    workspace: UnsafeMutablePointer<Double>, into results: UnsafeMutablePointer<Double>
  ) {
    guard count > 0 else { return }
    var top = -1
    // The operand k places below the top of the stack, and the one below it.
    func operand(_ k: Int) -> UnsafeMutablePointer<Double> { workspace + (top - k) * count }
    for instruction in program {
      switch instruction {
      case .constant(let v):
        top += 1
        operand(0).update(repeating: v, count: count)
      case .variable(let k):
        top += 1
        operand(0).update(from: columns[k], count: count)
      case .negate:
        let a = operand(0)
        for i in 0..<count { a[i] = -a[i] }
      case .add:
        let (a, b) = (operand(1), operand(0))
        for i in 0..<count { a[i] = a[i] + b[i] }
        top -= 1
      case .subtract:
        let (a, b) = (operand(1), operand(0))
        for i in 0..<count { a[i] = a[i] - b[i] }
        top -= 1
      case .multiply:
        let (a, b) = (operand(1), operand(0))
        for i in 0..<count { a[i] = a[i] * b[i] }
        top -= 1
      case .divide:
        let (a, b) = (operand(1), operand(0))
        for i in 0..<count { a[i] = a[i] / b[i] }
        top -= 1
      case .power:
        let (a, b) = (operand(1), operand(0))
        for i in 0..<count { a[i] = a[i].raised(to: b[i]) }
        top -= 1
      case .powerLog:
        let (a, b) = (operand(1), operand(0))
        for i in 0..<count { a[i] = a[i].raisedTimesLog(b[i]) }
        top -= 1
      case .powerSlope:
        let (a, b, c) = (operand(2), operand(1), operand(0))
        for i in 0..<count { a[i] = a[i].powerSlope(exponent: b[i], baseDerivative: c[i]) }
        top -= 2
      case .vanishingProduct:
        let (a, b) = (operand(1), operand(0))
        for i in 0..<count { a[i] = a[i].isZero ? 0 : a[i] * b[i] }
        top -= 1
      case .integerPower(let n):
        let a = operand(0)
        for i in 0..<count { a[i] = a[i].raised(toInteger: n) }
      case .variablePower(let u, let v):
        Self.variablePowers(
          operand(0), count: count, base: columns[u], logBase: logarithms[u],
          over: v.map { (columns[$0], logarithms[$0]) })
      case .call(let f):
        let a = operand(0)
        for i in 0..<count { a[i] = a[i].applying(f) }
      }
    }
    results.update(from: workspace, count: count)
  }

  /// (u/v)^w (u^w without `over`) at each point into `w`, which holds the exponents, as
  /// `Double.variablePower` gives it point by point. The products t = w·(log u − log v) are
  /// made first: where every t is finite, so are u, v and w, every point takes the
  /// exponential, and the exponentials are taken all at once (`exponentials(_:count:)`,
  /// the same bits as `_vectorExp` one at a time). A t that is not finite (an infinite or NaN factor, or a
  /// product beyond the largest double) sends every point the point-by-point way.
  private static func variablePowers(
    _ w: UnsafeMutablePointer<Double>, count: Int, base: UnsafePointer<Double>,
    logBase: UnsafePointer<Double>, over: (UnsafePointer<Double>, UnsafePointer<Double>)?
  ) {
    withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { scratch in
      // Cannot trap: count is positive (`evaluate` returns before any instruction otherwise).
      let t = scratch.baseAddress!
      if let (_, logOver) = over {
        for i in 0..<count { t[i] = w[i] * (logBase[i] - logOver[i]) }
      } else {
        for i in 0..<count { t[i] = w[i] * (logBase[i] - 0) }
      }
      if allFinite(t, count: count) {
        exponentials(t, count: count)
        w.update(from: t, count: count)
      } else {
        for i in 0..<count {
          w[i] = Double.variablePower(
            base[i], over: over.map { $0.0[i] }, to: w[i], logU: logBase[i],
            logV: over.map { $0.1[i] } ?? 0)
        }
      }
    }
  }

  /// Whether the `count` values at `values` are all finite: the sum of each value less itself
  /// is 0 where they are, NaN where one is infinite or NaN, taken four lanes at a time (a test
  /// of each value's bits would take them one by one).
  private static func allFinite(_ values: UnsafePointer<Double>, count: Int) -> Bool {
    typealias Lanes = SIMD4<Double>
    var zeros = Lanes(repeating: 0)
    var i = 0
    while i + 4 <= count {
      let x = UnsafeRawPointer(values + i).loadUnaligned(as: Lanes.self)
      zeros += x - x
      i += 4
    }
    var zero = zeros.sum()
    while i < count {
      zero += values[i] - values[i]
      i += 1
    }
    return zero == 0
  }
}
