import ArgumentParser
import CalibCore

/// `--recovery LO:HI` and `--recovery-lowest LO:HI` of `calib fit`: the acceptance windows of
/// the back-calculated standards, in percent (docs/back-calculation.md).
struct RecoveryOptions: ParsableArguments {
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Acceptance window of a back-calculated standard's recovery, in percent (default 85:115).",
      valueName: "lo:hi"))
  var recovery: String?

  @Option(
    name: .customLong("recovery-lowest"), parsing: .unconditional,
    help: ArgumentHelp(
      "The window of the lowest positive standard, in percent (default 80:120).",
      valueName: "lo:hi"))
  var recoveryLowest: String?

  func validate() throws {
    _ = try windows
  }

  /// The windows: every standard's, and the lowest positive one's.
  ///
  /// - Throws: `ValidationError` (exit 64) unless each is LO:HI with 0 ≤ LO < HI.
  var windows: (recovery: ClosedRangeRecord, lowest: ClosedRangeRecord) {
    get throws {
      (
        try Self.window(recovery, flag: "--recovery", default: (85, 115)),
        try Self.window(recoveryLowest, flag: "--recovery-lowest", default: (80, 120))
      )
    }
  }

  private static func window(
    _ text: String?, flag: String, default value: (Double, Double)
  ) throws -> ClosedRangeRecord {
    guard let text else { return ClosedRangeRecord(lower: value.0, upper: value.1) }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let lower = DecimalNumber.parse(String(parts[0]))?.doubleValue,
      let upper = DecimalNumber.parse(String(parts[1]))?.doubleValue, lower >= 0, lower < upper,
      upper.isFinite
    else {
      throw ValidationError(
        "\(flag): expected LO:HI in percent with 0 ≤ LO < HI (e.g. 85:115), found '\(text)'")
    }
    return ClosedRangeRecord(lower: lower, upper: upper)
  }
}
