// Constructors that fold constants and drop neutral elements, so that derivatives and
// linear decompositions stay readable (d/dx of b1*x is b1, not 0*x + b1*1).

extension Expression {
  /// The literal value, when the tree is a number.
  var numberValue: Double? {
    if case .number(let v) = self { return v }
    return nil
  }

  static func sum(_ a: Expression, _ b: Expression) -> Expression {
    switch (a.numberValue, b.numberValue) {
    case (let x?, let y?): return .number(x + y)
    case (0?, _): return b
    case (_, 0?): return a
    default:
      if case .negate(let c) = b { return difference(a, c) }
      return .add(a, b)
    }
  }

  static func difference(_ a: Expression, _ b: Expression) -> Expression {
    switch (a.numberValue, b.numberValue) {
    case (let x?, let y?): return .number(x - y)
    case (0?, _): return negated(b)
    case (_, 0?): return a
    default:
      if case .negate(let c) = b { return sum(a, c) }
      return .subtract(a, b)
    }
  }

  static func product(_ a: Expression, _ b: Expression) -> Expression {
    switch (a.numberValue, b.numberValue) {
    case (let x?, let y?): return .number(x * y)
    case (0?, _), (_, 0?): return .number(0)
    case (1?, _): return b
    case (_, 1?): return a
    case (let x?, _) where x == -1: return negated(b)
    case (_, let y?) where y == -1: return negated(a)
    default: return .multiply(a, b)
    }
  }

  static func quotient(_ a: Expression, _ b: Expression) -> Expression {
    switch (a.numberValue, b.numberValue) {
    case (0?, _): return .number(0)
    case (_, 1?): return a
    case (let x?, let y?) where y != 0: return .number(x / y)
    default: return .divide(a, b)
    }
  }

  static func raised(_ a: Expression, _ b: Expression) -> Expression {
    switch (a.numberValue, b.numberValue) {
    case (_, 0?): return .number(1)
    case (_, 1?): return a
    default: return .power(a, b)
    }
  }

  static func negated(_ a: Expression) -> Expression {
    switch a {
    case .number(let v): return .number(-v)
    case .negate(let inner): return inner
    default: return .negate(a)
    }
  }

  static func applying(_ function: ElementaryFunction, _ a: Expression) -> Expression {
    if let v = a.numberValue { return .number(function(v)) }
    return .call(function, a)
  }
}
