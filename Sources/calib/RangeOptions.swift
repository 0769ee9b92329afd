import ArgumentParser
import CalibCore

/// `--range LO:HI`: the prior range of the unknown quantity x, of `measure` and `coverage`.
struct RangeOptions: ParsableArguments {
  /// The text as given; nil for the default range. Unconditional, as every option that takes
  /// a number: `--range -2:12` is the range, where the parser would take `-2:12` for an option
  /// and report a missing value.
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      """
      Prior range of x (default: the calibrated domain widened by its width on each side); \
      with several unknowns, name=LO:HI for each one given. LO may be negative: \
      --range -2:12.
      """,
      valueName: "lo:hi"))
  var range: String?

  func validate() throws {
    _ = try namedRecords ?? [:]
    _ = try record
  }

  /// `--range name=LO:HI,...`: the prior ranges of several unknowns by name; nil when the
  /// option is absent or gives one unnamed range.
  ///
  /// - Throws: `ValidationError` (exit 64) unless every item is `name=LO:HI` with LO < HI.
  var namedRecords: [String: ClosedRangeRecord]? {
    get throws {
      guard let range, range.contains("=") else { return nil }
      var result: [String: ClosedRangeRecord] = [:]
      for item in range.split(separator: ",") {
        let pair = item.split(separator: "=", maxSplits: 1)
        guard pair.count == 2, let ends = Self.ends(String(pair[1])) else {
          throw ValidationError(
            "--range: expected name=LO:HI for each unknown, separated by commas, with LO < HI, found '\(item)'"
          )
        }
        let name = pair[0].trimmingCharacters(in: .whitespaces)
        guard result[name] == nil else {
          throw ValidationError("--range: '\(name)' is given twice")
        }
        result[name] = ends
      }
      return result
    }
  }

  /// LO:HI as a range, or nil unless both are numbers with LO < HI.
  private static func ends(_ text: String) -> ClosedRangeRecord? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let lower = DecimalNumber.parse(String(parts[0]))?.doubleValue,
      let upper = DecimalNumber.parse(String(parts[1]))?.doubleValue, lower < upper
    else { return nil }
    return ClosedRangeRecord(lower: lower, upper: upper)
  }

  /// The range; nil when `--range` was not given (the engine's default rule).
  ///
  /// - Throws: `ValidationError` (exit 64) unless the text is `LO:HI` with numbers LO < HI.
  var record: ClosedRangeRecord? {
    get throws {
      guard let range, !range.contains("=") else { return nil }
      guard let record = Self.ends(range) else {
        throw ValidationError(
          "--range: expected LO:HI with LO < HI, e.g. --range=-2:12, found '\(range)'")
      }
      return record
    }
  }
}
