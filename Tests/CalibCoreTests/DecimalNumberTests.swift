@testable import CalibCore
import Testing

/// Strict decimal reading. Expected low parts are the exact decimal minus its double,
/// computed with Python's `decimal` module at 60 digits.
@Suite("Decimal numbers")
struct DecimalNumberTests {
  @Test(
    "the double is correctly rounded and the remainder is Python decimal's, to 1e-30 relative",
    arguments: [
      ("0.1", 0.1, -5.551115123125783e-18),
      ("-6.860120914", -6.860120914, 3.4724371289485133e-16),
      (".11019", 0.11019, 3.7170266864450244e-18),
      ("2.5E+04", 25000.0, 0.0),
      ("83.0", 83.0, 0.0),
      ("1e-5", 1e-05, -8.180305391403131e-22),
      ("  7 ", 7.0, 0.0),
      ("+3.", 3.0, 0.0),
    ])
  func values(_ text: String, high: Double, low: Double) throws {
    let value = try #require(DecimalNumber.parse(text))
    #expect(value.high == high)
    // The remainder is carried to ~2⁻¹⁰⁶ relative to the value: 1e-30 relative is ample.
    #expect(Swift.abs(value.low - low) <= 1e-30 * Swift.abs(high))
  }

  @Test("many digits keep the remainder", arguments: ["123456789012345678901234567890"])
  func manyDigits(_ text: String) throws {
    let value = try #require(DecimalNumber.parse(text))
    #expect(value.high == 1.2345678901234568e+29)
    #expect(value.low == 1023514970834.0)
  }

  @Test(
    "non-numbers are refused",
    arguments: [
      ("", DecimalNumber.Failure.empty), ("   ", .empty), ("nan", .malformed), ("NaN", .malformed),
      ("inf", .malformed), ("-Infinity", .malformed), ("0x1p3", .malformed), ("1,5", .decimalComma),
      ("1.5.2", .malformed), ("abc", .malformed), ("1e", .malformed), ("1e+", .malformed),
      ("e5", .malformed),
      ("1 000", .malformed), ("1e400", .overflow), ("-2e308", .overflow), ("1_000", .malformed),
      (".", .malformed),
      ("--1", .malformed),
    ])
  func refused(_ text: String, failure: DecimalNumber.Failure) {
    var copy = text
    let outcome = copy.withUTF8 { DecimalNumber.parse(bytes: $0) }
    #expect(outcome == .failure(failure))
  }
}
