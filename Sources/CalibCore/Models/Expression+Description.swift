extension Expression: CustomStringConvertible {
  /// The tree written back in calib's formula language, with the parentheses it needs and no
  /// more; parsing the text gives the same tree (for `powerLog` and `powerSlope`, which only
  /// derivatives hold, the plain formula they stand for).
  package var description: String { text(in: .loosest) }

  /// How tightly a form binds, loosest first (see `FormulaParser`).
  private enum Binding: Int, Comparable {
    case loosest = 0, sum, product, unary, power, atom
    static func < (a: Binding, b: Binding) -> Bool { a.rawValue < b.rawValue }
  }

  private var binding: Binding {
    switch self {
    case .number(let v): return v < 0 || v.sign == .minus ? .unary : .atom
    case .symbol, .call: return .atom
    case .negate: return .unary
    case .add, .subtract: return .sum
    case .multiply, .divide: return .product
    case .power: return .power
    case .powerLog(let u, let v): return Expression.multiply(.power(u, v), .call(.log, u)).binding
    case .powerSlope(let u, let v, let w): return Expression.powerSlopeFormula(u, v, w).binding
    case .vanishingProduct: return .product
    }
  }

  /// The text of this tree placed where at least `minimum` binding is needed without
  /// parentheses: the right operand of `-` needs a product, a base needs an atom, and so on.
  private func text(in minimum: Binding) -> String {
    let body: String
    switch self {
    case .number(let v):
      body = Expression.format(v)
    case .symbol(let s):
      body = s
    case .negate(let a):
      body = "-" + a.text(in: .unary)
    case .add(let a, let b):
      body = a.text(in: .sum) + " + " + b.text(in: .product)
    case .subtract(let a, let b):
      body = a.text(in: .sum) + " - " + b.text(in: .product)
    case .multiply(let a, let b):
      body = a.text(in: .product) + "*" + b.text(in: .unary)
    case .divide(let a, let b):
      body = a.text(in: .product) + "/" + b.text(in: .unary)
    case .power(let a, let b):
      body = a.text(in: .atom) + "^" + b.text(in: .unary)
    case .call(let function, let a):
      body = function.rawValue + "(" + a.text(in: .loosest) + ")"
    case .powerLog(let u, let v):
      body = Expression.multiply(.power(u, v), .call(.log, u)).text(in: .loosest)
    case .powerSlope(let u, let v, let w):
      body = Expression.powerSlopeFormula(u, v, w).text(in: .loosest)
    case .vanishingProduct(let a, let b):
      body = Expression.multiply(a, b).text(in: .loosest)
    }
    return binding < minimum ? "(" + body + ")" : body
  }

  /// `v*u^(v-1)*w` as a plain formula, for the text of a `powerSlope` node.
  private static func powerSlopeFormula(
    _ u: Expression, _ v: Expression, _ w: Expression
  ) -> Expression {
    let exponent = v.numberValue.map { Expression.number($0 - 1) } ?? .subtract(v, .number(1))
    return .multiply(.multiply(v, .power(u, exponent)), w)
  }

  /// A number as a formula literal: integers without a decimal point, others round-trip.
  static func format(_ v: Double) -> String {
    if v == v.rounded(), Swift.abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
  }
}
