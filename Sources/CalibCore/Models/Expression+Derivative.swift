extension Expression {
  /// The exact partial derivative with respect to the symbol `name`, by the rules of
  /// differential calculus applied to the tree (no finite differences).
  ///
  /// Powers: `u^c` with `c` free of `name` gives `c·u^(c−1)·u′`; `c^v` gives `c^v·log(c)·v′`;
  /// otherwise `u^v·(v′·log(u) + v·u′/u)`. `abs(u)′ = sign(u)·u′`, undefined (0 here) at 0.
  ///
  /// Example: the derivative of `b1*(1-exp(-b2*x))` with respect to `b2` is
  /// `b1*(exp(-b2*x)*x)` once simplified.
  public func derivative(withRespectTo name: String) -> Expression {
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
      return Expression.difference(a.derivative(withRespectTo: name), b.derivative(withRespectTo: name))
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
      if dv.numberValue == 0 {
        if du.numberValue == 0 { return .number(0) }
        let exponent = v.numberValue.map { Expression.number($0 - 1) } ?? Expression.difference(v, .number(1))
        return Expression.product(Expression.product(v, Expression.raised(u, exponent)), du)
      }
      if du.numberValue == 0 {
        return Expression.product(Expression.product(self, Expression.applying(.log, u)), dv)
      }
      return Expression.product(
        self,
        Expression.sum(
          Expression.product(dv, Expression.applying(.log, u)),
          Expression.quotient(Expression.product(v, du), u)))
    case .call(let function, let a):
      let da = a.derivative(withRespectTo: name)
      if da.numberValue == 0 { return .number(0) }
      let outer: Expression
      switch function {
      case .exp: outer = self
      case .log: return Expression.quotient(da, a)
      case .sqrt: return Expression.quotient(da, Expression.product(.number(2), self))
      case .sin: outer = Expression.applying(.cos, a)
      case .cos: outer = Expression.negated(Expression.applying(.sin, a))
      case .tan: outer = Expression.sum(.number(1), Expression.raised(self, .number(2)))
      case .atan: return Expression.quotient(da, Expression.sum(.number(1), Expression.raised(a, .number(2))))
      case .abs: outer = Expression.applying(.sign, a)
      case .sign: return .number(0)
      }
      return Expression.product(outer, da)
    }
  }
}
