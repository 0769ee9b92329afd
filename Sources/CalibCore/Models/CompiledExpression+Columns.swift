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
        let w = operand(0)
        let (base, logBase) = (columns[u], logarithms[u])
        if let v {
          let (over, logOver) = (columns[v], logarithms[v])
          for i in 0..<count {
            w[i] = Double.variablePower(
              base[i], over: over[i], to: w[i], logU: logBase[i], logV: logOver[i])
          }
        } else {
          for i in 0..<count {
            w[i] = Double.variablePower(base[i], over: nil, to: w[i], logU: logBase[i], logV: 0)
          }
        }
      case .call(let f):
        let a = operand(0)
        for i in 0..<count { a[i] = a[i].applying(f) }
      }
    }
    results.update(from: workspace, count: count)
  }
}
