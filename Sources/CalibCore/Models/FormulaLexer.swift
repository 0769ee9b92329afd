/// One token of a formula, with the column (from 1) where it starts.
struct FormulaToken: Equatable {
  enum Kind: Equatable {
    case number(Double)
    case identifier(String)
    case plus, minus, star, slash, caret, leftParenthesis, rightParenthesis
    case end
  }

  var kind: Kind
  var column: Int
}

/// Splits a formula into tokens. `**` is read as `^`.
enum FormulaLexer {
  static func tokens(of formula: String) throws(FormulaSyntaxError) -> [FormulaToken] {
    let characters = Array(formula.unicodeScalars)
    var tokens: [FormulaToken] = []
    var i = 0
    func fail(_ message: String, at index: Int) -> FormulaSyntaxError {
      FormulaSyntaxError(formula: formula, column: index + 1, message: message)
    }
    while i < characters.count {
      let c = characters[i]
      let column = i + 1
      switch c {
      case " ", "\t":
        i += 1
      case "+": tokens.append(.init(kind: .plus, column: column)); i += 1
      case "-": tokens.append(.init(kind: .minus, column: column)); i += 1
      case "/": tokens.append(.init(kind: .slash, column: column)); i += 1
      case "^": tokens.append(.init(kind: .caret, column: column)); i += 1
      case "(": tokens.append(.init(kind: .leftParenthesis, column: column)); i += 1
      case ")": tokens.append(.init(kind: .rightParenthesis, column: column)); i += 1
      case "*":
        if i + 1 < characters.count, characters[i + 1] == "*" {
          tokens.append(.init(kind: .caret, column: column))
          i += 2
        } else {
          tokens.append(.init(kind: .star, column: column))
          i += 1
        }
      case "0"..."9", ".":
        let start = i
        while i < characters.count, ("0"..."9").contains(characters[i]) || characters[i] == "." {
          i += 1
        }
        if i < characters.count, characters[i] == "e" || characters[i] == "E" {
          var j = i + 1
          if j < characters.count, characters[j] == "+" || characters[j] == "-" { j += 1 }
          if j < characters.count, ("0"..."9").contains(characters[j]) {
            i = j
            while i < characters.count, ("0"..."9").contains(characters[i]) { i += 1 }
          }
        }
        let text = String(String.UnicodeScalarView(characters[start..<i]))
        guard let value = DecimalNumber.parse(text)?.doubleValue, value.isFinite else {
          throw fail("'\(text)' is not a number", at: start)
        }
        tokens.append(.init(kind: .number(value), column: column))
      case _ where c == "_" || c.properties.isAlphabetic:
        let start = i
        while i < characters.count,
          characters[i] == "_" || characters[i].properties.isAlphabetic
            || ("0"..."9").contains(characters[i])
        {
          i += 1
        }
        tokens.append(
          .init(
            kind: .identifier(String(String.UnicodeScalarView(characters[start..<i]))),
            column: column))
      default:
        throw fail(
          "unexpected character '\(c)'; a formula holds numbers, names, + - * / ^ ** and parentheses",
          at: i)
      }
    }
    tokens.append(.init(kind: .end, column: characters.count + 1))
    return tokens
  }
}
