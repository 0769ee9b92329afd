import ArgumentParser
import CalibCore

/// `--range LO:HI`: the prior range of the unknown quantity x, of `measure` and `coverage`.
struct RangeOptions: ParsableArguments {
  /// The text as given; nil for the default range.
  @Option(
    help: ArgumentHelp(
      """
      Prior range of x (default: the calibrated domain widened by its width on each side). \
      Write --range=LO:HI when LO is negative.
      """,
      valueName: "lo:hi"))
  var range: String?

  func validate() throws {
    _ = try record
  }

  /// The range; nil when `--range` was not given (the engine's default rule).
  ///
  /// - Throws: `ValidationError` (exit 64) unless the text is `LO:HI` with numbers LO < HI.
  var record: ClosedRangeRecord? {
    get throws {
      guard let range else { return nil }
      let parts = range.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, let lower = DecimalNumber.parse(String(parts[0]))?.doubleValue,
        let upper = DecimalNumber.parse(String(parts[1]))?.doubleValue, lower < upper
      else {
        throw ValidationError(
          "--range: expected LO:HI with LO < HI, e.g. --range=-2:12, found '\(range)'")
      }
      return ClosedRangeRecord(lower: lower, upper: upper)
    }
  }
}
