extension Expression {
  /// The exact partial derivative with respect to the symbol `name`, by the rules of
  /// differential calculus applied to the tree (no finite differences).
  ///
  /// Powers: (u^v)′ = u^v·log(u)·v′ + v·u^(v−1)·u′, the first term a `powerLog` node, the
  /// second a `powerSlope` node unless u^(v−1) is finite everywhere (v − 1 a whole number
  /// ≥ 0) or u′ is a nonzero constant. `abs(u)′ = sign(u)·u′`, undefined (0 here) at 0.
  ///
  /// A zero base, u = 0 — x/c, or x^b, at a blank standard x = 0 — takes the limits of the
  /// power as u → 0⁺ rather than NaN from 0·∞: u^v·log(u) → 0 for v > 0, since u^v goes to
  /// 0 faster than log(u) to −∞; and v·u^(v−1)·u′ = 0 where u′ = 0, even where u^(v−1) is
  /// infinite, by the chain rule: a base that does not move along the parameter moves the
  /// power not at all. That is exact when the base vanishes for every value of the parameter
  /// at that x (x/c at x = 0 for all c), which is how a zero base arises in a calibration
  /// formula. Where u′ ≠ 0 and v < 1 the derivative is infinite, as it is (√x at 0), and a
  /// power with v < 0 at u = 0 is infinite in value: the model is undefined there. Likewise
  /// exp(u)·u′ is 0 where exp(u) is 0 (u = −∞: exp(−b/x) at x = 0), a `vanishingProduct`.
  ///
  /// Example: the derivative of `b1*(1-exp(-b2*x))` with respect to `b2` is
  /// `b1*(exp(-b2*x)*x)` once simplified.
  package func derivative(withRespectTo name: String) -> Expression {
    switch self {
    case .number:
      return .number(0)
    case .symbol(let s):
      return .number(s == name ? 1 : 0)
    case .negate(let a):
      return Expression.negated(a.derivative(withRespectTo: name))
    case .add(let a, let b):
      return Expression.sum(a.derivative(withRespectTo: name), b.derivative(withRespectTo: name))
    case .subtract(let a, let b):
      return Expression.difference(
        a.derivative(withRespectTo: name), b.derivative(withRespectTo: name))
    case .multiply(let a, let b):
      return Expression.sum(
        Expression.product(a.derivative(withRespectTo: name), b),
        Expression.product(a, b.derivative(withRespectTo: name)))
    case .divide(let a, let b):
      let da = a.derivative(withRespectTo: name)
      let db = b.derivative(withRespectTo: name)
      if db.numberValue == 0 { return Expression.quotient(da, b) }
      return Expression.difference(
        Expression.quotient(da, b),
        Expression.quotient(Expression.product(a, db), Expression.raised(b, .number(2))))
    case .power(let u, let v):
      let du = u.derivative(withRespectTo: name)
      let dv = v.derivative(withRespectTo: name)
      let throughExponent =
        dv.numberValue == 0 ? Expression.number(0) : Expression.product(.powerLog(u, v), dv)
      return Expression.sum(throughExponent, Expression.powerSlopeTerm(u, v, du))
    case .powerLog(let u, let v):
      return Expression.multiply(.power(u, v), .call(.log, u)).derivative(withRespectTo: name)
    case .vanishingProduct(let a, let b):
      return Expression.multiply(a, b).derivative(withRespectTo: name)
    case .powerSlope(let u, let v, let w):
      let exponent = v.numberValue.map { Expression.number($0 - 1) } ?? .subtract(v, .number(1))
      return Expression.multiply(.multiply(v, .power(u, exponent)), w)
        .derivative(withRespectTo: name)
    case .call(let function, let a):
      let da = a.derivative(withRespectTo: name)
      if da.numberValue == 0 { return .number(0) }
      let outer: Expression
      switch function {
      // exp(u)·u′ is 0 where exp(u) is: exp(−b/x) at x = 0 has every derivative 0.
      case .exp:
        return da.numberValue != nil ? Expression.product(self, da) : .vanishingProduct(self, da)
      case .log: return Expression.quotient(da, a)
      case .sqrt: return Expression.quotient(da, Expression.product(.number(2), self))
      case .sin: outer = Expression.applying(.cos, a)
      case .cos: outer = Expression.negated(Expression.applying(.sin, a))
      case .tan: outer = Expression.sum(.number(1), Expression.raised(self, .number(2)))
      case .atan:
        return Expression.quotient(da, Expression.sum(.number(1), Expression.raised(a, .number(2))))
      case .abs: outer = Expression.applying(.sign, a)
      case .sign: return .number(0)
      }
      return Expression.product(outer, da)
    }
  }
}

extension Expression {
  /// v·u^(v−1)·u′, the derivative of u^v through its base: a plain product where it cannot
  /// meet 0·∞ (u^(v−1) a polynomial in u, or u′ a nonzero constant), else a `powerSlope`.
  static func powerSlopeTerm(_ u: Expression, _ v: Expression, _ du: Expression) -> Expression {
    if du.numberValue == 0 { return .number(0) }
    let exponent =
      v.numberValue.map { Expression.number($0 - 1) } ?? Expression.difference(v, .number(1))
    let polynomial = exponent.numberValue.map { $0 >= 0 && $0 == $0.rounded() } ?? false
    if polynomial || du.numberValue != nil {
      return Expression.product(Expression.product(v, Expression.raised(u, exponent)), du)
    }
    return .powerSlope(u, v, du)
  }
}
