extension ResponseModel {
  /// A divisor of the formula: the denominator of a `/`, the cosine under a `tan`, or the base
  /// of a power whose exponent may be negative (then it is a divisor only where the exponent
  /// is < 0).
  private struct Divisor {
    let text: String
    let value: CompiledExpression
    let exponent: CompiledExpression?
  }

  /// The formula's divisors, found by walking the tree.
  private var divisors: [Divisor] {
    let slots = self.slots
    // Cannot trap: every symbol of the formula is in slots (ResponseModel.init).
    let slot = { (name: String) -> Int in slots[name]! }
    var found: [Divisor] = []
    func walk(_ e: Expression) {
      switch e {
      case .number, .symbol: break
      case .call(.tan, let a):
        // tan(u) = sin(u)/cos(u): a pole wherever cos(u) changes sign.
        let cosine = Expression.call(.cos, a)
        found.append(
          Divisor(
            text: cosine.description, value: CompiledExpression(cosine, slot: slot), exponent: nil))
        walk(a)
      case .negate(let a), .call(_, let a): walk(a)
      case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b),
        .powerLog(let a, let b),
        .vanishingProduct(let a, let b):
        walk(a)
        walk(b)
      case .divide(let a, let b):
        if b.numberValue == nil {
          found.append(
            Divisor(text: b.description, value: CompiledExpression(b, slot: slot), exponent: nil))
        }
        walk(a)
        walk(b)
      case .power(let u, let v):
        if u.numberValue == nil, (v.numberValue ?? -1) < 0 {
          found.append(
            Divisor(
              text: u.description, value: CompiledExpression(u, slot: slot),
              exponent: v.numberValue == nil ? CompiledExpression(v, slot: slot) : nil))
        }
        walk(u)
        walk(v)
      case .powerSlope(let u, let v, let w):
        walk(u)
        walk(v)
        walk(w)
      }
    }
    walk(expression)
    return found
  }

  /// Why the curve with parameters `a` is no calibration curve over the calibrated domain,
  /// or nil when it is one: the response is not a finite number somewhere on the domain, or
  /// the formula has a pole there.
  ///
  /// With one predictor, the curve is examined at the standards and on a grid of 2048 equal
  /// steps across [min x, max x]: every value must be finite, and no divisor — a denominator,
  /// or the base of a power with a negative exponent — may change sign between neighbouring
  /// points, which is where a pole lies (km + x of `mm` with km < 0, say). A divisor that is
  /// 0 at a point where the response is finite is a limit, not a pole (exp(−q/x) at x = 0).
  /// With several predictors, the standards alone are examined. The test is general: it reads
  /// the divisors off the formula tree. A divisor whose sign change the numerator cancels
  /// ((x − b)²/(x − b)) is taken for a pole too.
  public func poleOrGap(at a: [Double], standards x: [[Double]]) -> String? {
    let q = predictors.count
    var points = x
    if q == 1, let lower = x.map({ $0[0] }).min(), let upper = x.map({ $0[0] }).max(), upper > lower
    {
      let steps = 2048
      points += (0...steps).map { [lower + (upper - lower) * Double($0) / Double(steps)] }
      points.sort { $0[0] < $1[0] }
    }
    let divisors = self.divisors
    func format(_ v: [Double]) -> String { v.map { "\($0)" }.joined(separator: ", ") }
    var previous: (point: [Double], values: [Double])?
    for point in points {
      let slots = point + a
      let value: Double = compiledResponse.evaluate(slots)
      guard value.isFinite else {
        let names = predictors.joined(separator: ", ")
        return "the response is not a finite number at \(names) = \(format(point)),"
          + " inside the calibrated domain"
      }
      var values: [Double] = []
      for (k, divisor) in divisors.enumerated() {
        let d: Double = divisor.value.evaluate(slots)
        let negativeExponent = divisor.exponent.map { ($0.evaluate(slots) as Double) < 0 } ?? true
        values.append(negativeExponent ? d : .nan)
        guard negativeExponent else { continue }
        // A divisor that is 0 at a point where the response is finite is a limit taken
        // (−q/x in exp(−q/x) at x = 0), not a pole; one that changes sign between two
        // points passes through 0 between them, where the response is not finite.
        if q == 1, let previous, previous.values[k] * d < 0 {
          return "the curve has a pole between \(predictors[0]) = \(previous.point[0])"
            + " and \(point[0]), inside the calibrated domain: '\(divisor.text)' changes sign there"
        }
      }
      previous = (point, values)
    }
    return nil
  }
}
