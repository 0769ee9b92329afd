/// How a CSV file separates its fields and writes its decimals.
///
/// The default is RFC 4180 with a decimal point. Spreadsheets in many European labs export
/// with `;` between fields and a decimal comma (`1,25`): that is
/// `CSVFormat(delimiter: ";", decimalComma: true)`. A tab-separated file is
/// `CSVFormat(delimiter: "\t")`.
public struct CSVFormat: Equatable, Sendable {
  /// The byte between fields: `,`, `;`, a tab, or another ASCII punctuation mark.
  public var delimiter: UInt8
  /// Whether numbers are written with a decimal comma (`0,5`, `1,2e-3`); a decimal point in
  /// a number is then an error, never read as a thousands separator.
  public var decimalComma: Bool

  /// RFC 4180: comma-separated, decimal point.
  public static let standard = CSVFormat()

  /// A format separating fields by `delimiter`, with a decimal comma when `decimalComma`.
  ///
  /// - Precondition: `delimiter` is ASCII; `CSVFormat.problem(delimiter:decimalComma:)` tells
  ///   which combinations make sense.
  public init(delimiter: Unicode.Scalar = ",", decimalComma: Bool = false) {
    self.delimiter = UInt8(truncatingIfNeeded: delimiter.value)
    self.decimalComma = decimalComma
  }

  /// Why `delimiter` with `decimalComma` cannot describe a file, or nil when it can: the
  /// delimiter must be one ASCII character that no number or quoted field uses (not a letter,
  /// a digit, a quote, a point, a sign, a space or a line end), and not a comma when decimals
  /// are written with one.
  public static func problem(delimiter: Unicode.Scalar, decimalComma: Bool) -> String? {
    guard delimiter.isASCII, delimiter.value >= 0x21 || delimiter == "\t", delimiter.value < 0x7F
    else { return "the delimiter must be one printable ASCII character or a tab" }
    if delimiter.properties.isAlphabetic || ("0"..."9").contains(delimiter)
      || "\".+- ".unicodeScalars.contains(delimiter)
    {
      return "the delimiter '\(delimiter)' can be part of a number or a quoted field"
    }
    if decimalComma && delimiter == "," {
      return "with a decimal comma the fields need another delimiter, such as ';'"
    }
    return nil
  }
}
