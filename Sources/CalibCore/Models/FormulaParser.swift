/// Reads a formula of calib's model language into an `Expression`.
///
/// Grammar, loosest binding first:
///
///     sum      := product (("+" | "-") product)*
///     product  := unary (("*" | "/") unary)*
///     unary    := ("-" | "+") unary | power
///     power    := primary (("^" | "**") unary)?
///     primary  := number | name | function "(" sum ")" | "(" sum ")"
///
/// So `^` is right-associative and binds tighter than unary minus: `-(x-b4)**2` is
/// −((x−b4)²) and `2^-x` is 2^(−x). Names `pi` and `e` are the constants; the names in
/// `ElementaryFunction` are functions and must be followed by a parenthesis.
package enum FormulaParser {
  /// The most tokens (names, numbers, operators, parentheses) a formula may have. The largest
  /// family, `poly:20`, has about 130. The bound bounds the depth of the tree, so that no
  /// formula exhausts the stack of the recursive parser or of the walks over the tree
  /// (derivatives, simplification): 30 000 nested parentheses or a sum of 30 000 terms did.
  package static let maximumTokens = 1000

  /// Parses `formula`.
  ///
  /// - Throws: `FormulaSyntaxError` with the column of the first problem.
  package static func parse(_ formula: String) throws(FormulaSyntaxError) -> Expression {
    let tokens = try FormulaLexer.tokens(of: formula)
    if tokens.count > maximumTokens + 1 {
      throw FormulaSyntaxError(
        formula: formula, column: tokens[maximumTokens].column,
        message:
          "the formula is longer than \(maximumTokens) names, numbers and operators, the most calib reads"
      )
    }
    var parser = State(formula: formula, tokens: tokens)
    if parser.tokens.count == 1 {
      throw FormulaSyntaxError(formula: formula, column: 1, message: "the formula is empty")
    }
    let expression = try parser.sum()
    guard case .end = parser.current.kind else {
      throw parser.fail("expected an operator or the end of the formula")
    }
    return expression
  }

  private struct State {
    let formula: String
    let tokens: [FormulaToken]
    var position = 0

    var current: FormulaToken { tokens[position] }

    func fail(_ message: String) -> FormulaSyntaxError {
      FormulaSyntaxError(formula: formula, column: current.column, message: message)
    }

    mutating func sum() throws(FormulaSyntaxError) -> Expression {
      var left = try product()
      while true {
        switch current.kind {
        case .plus: position += 1; left = .add(left, try product())
        case .minus: position += 1; left = .subtract(left, try product())
        default: return left
        }
      }
    }

    mutating func product() throws(FormulaSyntaxError) -> Expression {
      var left = try unary()
      while true {
        switch current.kind {
        case .star: position += 1; left = .multiply(left, try unary())
        case .slash: position += 1; left = .divide(left, try unary())
        default: return left
        }
      }
    }

    mutating func unary() throws(FormulaSyntaxError) -> Expression {
      switch current.kind {
      case .minus: position += 1; return .negate(try unary())
      case .plus: position += 1; return try unary()
      default: return try power()
      }
    }

    mutating func power() throws(FormulaSyntaxError) -> Expression {
      let base = try primary()
      guard case .caret = current.kind else { return base }
      position += 1
      return .power(base, try unary())
    }

    mutating func primary() throws(FormulaSyntaxError) -> Expression {
      let token = current
      switch token.kind {
      case .number(let value):
        position += 1
        return .number(value)
      case .leftParenthesis:
        position += 1
        let inner = try sum()
        guard case .rightParenthesis = current.kind else {
          throw fail("expected ')' to close the '(' at column \(token.column)")
        }
        position += 1
        return inner
      case .identifier(let name):
        position += 1
        if let function = ElementaryFunction(rawValue: name) {
          guard case .leftParenthesis = current.kind else {
            throw fail("expected '(' after the function \(name); \(name) is a function, not a name")
          }
          let open = current.column
          position += 1
          let argument = try sum()
          guard case .rightParenthesis = current.kind else {
            throw fail("expected ')' to close the '(' at column \(open)")
          }
          position += 1
          return .call(function, argument)
        }
        switch name {
        case "pi": return .number(Double.pi)
        case "e": return .number(_exp(1))
        default: break
        }
        if case .leftParenthesis = current.kind {
          throw FormulaSyntaxError(
            formula: formula, column: token.column,
            message: "unknown function '\(name)'; the functions are "
              + ElementaryFunction.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return .symbol(name)
      case .end:
        throw fail("the formula ends where a number, a name or '(' was expected")
      case .rightParenthesis:
        throw fail("unexpected ')': expected a number, a name or '('")
      default:
        throw fail("expected a number, a name or '(' here")
      }
    }
  }
}
