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
  /// How the file may have been meant to be read, when the problem suggests it (a CSV file
  /// with another delimiter, or with decimal commas); `description` words it after `message`.
  public var hint: Hint?

  /// A likely reading of a CSV file other than the one asked for.
  public enum Hint: Equatable, Sendable {
    /// The header reads as one column that holds `delimiter`: the fields are probably
    /// separated by it; with `decimalCommaLikely` (a `;`), numbers may be written 1,5.
    case delimiter(Character, decimalCommaLikely: Bool)
    /// A number was written with a decimal comma where a point was expected.
    case decimalComma

    /// How a delimiter is named in a message: `tab`, or the character in single quotes.
    public static func name(of delimiter: Character) -> String {
      delimiter == "\t" ? "tab" : "'\(delimiter)'"
    }
  }

  /// The problem `message` in `file`, at `line` and `column` where they are known, with a
  /// `hint` of how the file may have been meant to be read.
  public init(
    file: String, line: Int? = nil, column: Int? = nil, message: String, hint: Hint? = nil
  ) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
    self.hint = hint
  }

  /// `file`, `file:line` or `file:line:column`, as compilers write it.
  public var location: String {
    var location = file
    if let line { location += ":\(line)" }
    if let line = line, line > 0, let column { location += ":\(column)" }
    return location
  }

  /// `file:line:column: message`, then the hint in the words of the domain.
  public var description: String {
    "\(location): \(message)" + (hint.map(Self.domainWording) ?? "")
  }

  /// The hint in the words of the domain, with the separator that joins it to the message.
  private static func domainWording(_ hint: Hint) -> String {
    switch hint {
    case .delimiter(let delimiter, let decimalComma):
      let name = Hint.name(of: delimiter)
      return "; the header reads as one column holding \(name): the fields may be separated by"
        + " \(name)" + (decimalComma ? " (and the numbers written with a decimal comma, 1,5)" : "")
    case .decimalComma:
      return ": write decimals with a point, or read the file as written with decimal commas"
        + " (and ';' between fields)"
    }
  }
}
