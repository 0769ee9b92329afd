import ArgumentParser
import CalibCore

/// How the CSV files a command reads separate their fields and write their decimals: shared by
/// every command that reads CSV.
struct CSVOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Field delimiter of the CSV files: ',' (default), ';', 'tab', or another punctuation mark.",
      valueName: "c"))
  var delimiter: String = ","

  @Flag(
    name: .customLong("decimal-comma"),
    help:
      "Numbers in the CSV files are written with a decimal comma (1,25); use with --delimiter ';'.")
  var decimalComma = false

  /// The delimiter as one character (`tab` and `\t` name a tab).
  private var delimiterScalar: Unicode.Scalar? {
    switch delimiter.lowercased() {
    case "tab", "\\t": return "\t"
    case "semicolon": return ";"
    case "comma": return ","
    default:
      let scalars = delimiter.unicodeScalars
      return scalars.count == 1 ? scalars.first : nil
    }
  }

  func validate() throws {
    guard let scalar = delimiterScalar else {
      throw ValidationError(
        "--delimiter takes one character (',', ';', '|') or 'tab', not '\(delimiter)'")
    }
    if let problem = CSVFormat.problem(delimiter: scalar, decimalComma: decimalComma) {
      throw ValidationError(
        "--delimiter \(delimiter)\(decimalComma ? " with --decimal-comma" : ""): \(problem)")
    }
  }

  /// The format to read with (after `validate()`).
  var format: CSVFormat {
    CSVFormat(delimiter: delimiterScalar ?? ",", decimalComma: decimalComma)
  }

  /// A CSV reader of `path` (`-`: standard input) in this format.
  func reader(path: String) throws -> CSVReader {
    try CSVReader(source: try FileByteSource(path: path), name: path, format: format)
  }
}
