/// Bad input data: a malformed file, a value that is not what was expected, too few or
/// degenerate standards. Names the file, and the line and column where there are some.
public struct InputError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file's name as the user gave it (`-` for standard input).
  public var file: String
  /// The line (from 1), when the problem has one.
  public var line: Int?
  /// The column in characters (from 1), when the problem has one.
  public var column: Int?
  /// What is wrong and what was expected.
  public var message: String

  /// The problem `message` in `file`, at `line` and `column` where they are known.
  public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// `file:line:column: message`, as compilers write it.
  public var description: String {
    var location = file
    if let line { location += ":\(line)" }
    if let line = line, line > 0, let column { location += ":\(column)" }
    return "\(location): \(message)"
  }
}
