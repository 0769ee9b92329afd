/// A formula of calib's model language, as a tree.
///
/// Symbols are names: a predictor (`x`, or a name given to `--x`) or a parameter of the
/// instrument state (`b1`, `vmax`, …); which is which is decided by `ResponseModel`, not
/// here. Constants `pi` and `e` are numbers by the time a tree is built.
package indirect enum Expression: Sendable, Hashable {
  /// A literal number.
  case number(Double)
  /// A named predictor or parameter.
  case symbol(String)
  /// Unary minus, `-a`.
  case negate(Expression)
  /// `a + b`.
  case add(Expression, Expression)
  /// `a - b`.
  case subtract(Expression, Expression)
  /// `a * b`.
  case multiply(Expression, Expression)
  /// `a / b`.
  case divide(Expression, Expression)
  /// `a ^ b` (also written `a ** b`).
  case power(Expression, Expression)
  /// An elementary function applied to an argument, `exp(a)`.
  case call(ElementaryFunction, Expression)
  /// `u^v·log(u)`, the derivative of a power with respect to its exponent, taken as its
  /// limit 0 wherever u^v is 0 (u = 0 with v > 0). Made by `derivative(withRespectTo:)` and
  /// by the compiler for `u^v*log(u)`, never by the parser; written out as that formula.
  case powerLog(Expression, Expression)
  /// `v·u^(v−1)·w`, the derivative of a power through its base u, with w the derivative of
  /// u: 0 where w = 0 or v = 0, even where u^(v−1) is infinite (u = 0 with v < 1). Made by
  /// `derivative(withRespectTo:)`, never by the parser; written out as that formula.
  case powerSlope(Expression, Expression, Expression)
  /// `a·b`, 0 wherever a is 0 even where b is infinite: the chain rule's exp(u)·u′, whose
  /// limit is 0 where exp(u) vanishes (u → −∞, as −b/x at x = 0) faster than u′ grows. Made
  /// by `derivative(withRespectTo:)`, never by the parser; written out as `a*b`.
  case vanishingProduct(Expression, Expression)
}

/// The elementary functions a formula may call. Angles are in radians; `log` is natural.
package enum ElementaryFunction: String, Sendable, Hashable, CaseIterable {
  case exp, log, sqrt, sin, cos, tan, atan, abs
  /// The sign of the argument (−1, 0 or 1): the derivative of `abs`.
  case sign

  /// The function's value at a double.
  package func callAsFunction(_ a: Double) -> Double {
    switch self {
    case .exp: return _exp(a)
    case .log: return _log(a)
    case .sqrt: return a.squareRoot()
    case .sin: return _sin(a)
    case .cos: return _cos(a)
    case .tan: return _tan(a)
    case .atan: return _atan(a)
    case .abs: return Swift.abs(a)
    case .sign: return a > 0 ? 1 : (a < 0 ? -1 : (a.isNaN ? .nan : 0))
    }
  }
}

extension Expression {
  /// The names of the symbols in the tree, in order of first appearance, each once.
  package var symbols: [String] {
    var seen: Set<String> = []
    var ordered: [String] = []
    visitSymbols { name in
      if seen.insert(name).inserted { ordered.append(name) }
    }
    return ordered
  }

  /// Whether `name` occurs anywhere in the tree.
  package func contains(symbol name: String) -> Bool {
    var found = false
    visitSymbols { if $0 == name { found = true } }
    return found
  }

  private func visitSymbols(_ body: (String) -> Void) {
    switch self {
    case .number: break
    case .symbol(let name): body(name)
    case .negate(let a), .call(_, let a): a.visitSymbols(body)
    case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b),
      .divide(let a, let b), .power(let a, let b), .powerLog(let a, let b),
      .vanishingProduct(let a, let b):
      a.visitSymbols(body)
      b.visitSymbols(body)
    case .powerSlope(let u, let v, let w):
      u.visitSymbols(body)
      v.visitSymbols(body)
      w.visitSymbols(body)
    }
  }
}
