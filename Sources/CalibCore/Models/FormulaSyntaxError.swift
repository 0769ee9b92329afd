/// A formula that does not parse, with the column (from 1, in characters) where it went wrong.
public struct FormulaSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The formula as the user wrote it.
  public var formula: String
  /// The character position of the problem, counting from 1.
  public var column: Int
  /// What was expected or what is wrong there.
  public var message: String

  /// The problem `message` at `column` of `formula`.
  public init(formula: String, column: Int, message: String) {
    self.formula = formula
    self.column = column
    self.message = message
  }

  /// The message, then the formula with a caret under the column.
  public var description: String {
    let caret = String(repeating: " ", count: max(column - 1, 0)) + "^"
    return "column \(column): \(message)\n  \(formula)\n  \(caret)"
  }
}
