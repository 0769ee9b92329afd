import CalibCore
import Testing

/// Files from spreadsheets that separate fields with `;` or a tab and write decimal commas.
/// Reference: the same numbers written in RFC 4180 with a decimal point, read by the default
/// reader; the values must agree exactly (both go through the same correctly rounded
/// decimal reading).
@Suite("CSV delimiters and decimal commas")
struct CSVFormatTests {
  let standard = "x,y\n0,0.12\n1,2.05\n2.5,3.98e-1\n-3,\"6.1\"\n"

  func read(_ text: String, _ format: CSVFormat) throws -> CalibrationData {
    let reader = try CSVReader(source: TrickleByteSource(text), name: "cal.csv", format: format)
    return try CalibrationData(reading: reader, predictors: ["x"], response: "y")
  }

  @Test(
    "';' with a decimal comma, and a tab with a point, read as the RFC 4180 file",
    arguments: [
      (
        "x;y\n0;0,12\n1;2,05\n2,5;3,98e-1\n-3;\"6,1\"\n",
        CSVFormat(delimiter: ";", decimalComma: true)
      ),
      ("x\ty\n0\t0.12\n1\t2.05\n2.5\t3.98e-1\n-3\t\"6.1\"\n", CSVFormat(delimiter: "\t")),
      ("x|y\r\n0|0.12\r\n1|2.05\r\n2.5|3.98e-1\r\n-3|6.1\r\n", CSVFormat(delimiter: "|")),
    ])
  func sameValues(_ text: String, _ format: CSVFormat) throws {
    let expected = try read(standard, .standard)
    let data = try read(text, format)
    #expect(data.responses == expected.responses)
    #expect(data.predictors == expected.predictors)
  }

  @Test("a quoted field may hold the delimiter")
  func quotedDelimiter() throws {
    let reader = try CSVReader(
      source: MemoryByteSource("note;x;y\n\"a;b\";1;2,5\n"), name: "cal.csv",
      format: CSVFormat(delimiter: ";", decimalComma: true))
    #expect(try reader.nextRecord())
    #expect(reader.text(at: 0) == "a;b")
    #expect(try reader.number(at: 2).doubleValue == 2.5)
  }

  @Test("a decimal point under --decimal-comma is an error at its line and column")
  func pointRefused() throws {
    let error = #expect(throws: InputError.self) {
      try read("x;y\n1;2,5\n2;1.250\n", CSVFormat(delimiter: ";", decimalComma: true))
    }
    #expect(error?.line == 3 && error?.column == 3)
    #expect(error?.message.contains("decimal comma") == true)
  }

  @Test("a header that is one column holding ';' carries the hint of that delimiter")
  func headerHint() throws {
    let error = #expect(throws: InputError.self) { try read("x;y\n1;2,5\n", .standard) }
    #expect(
      error?.hint == .delimiter(";", decimalCommaLikely: true), "\(String(describing: error))")
  }

  @Test("delimiters that numbers or quotes use are refused")
  func badDelimiters() {
    for delimiter: Unicode.Scalar in [".", "-", "+", "e", "1", "\"", " "] {
      #expect(CSVFormat.problem(delimiter: delimiter, decimalComma: false) != nil, "\(delimiter)")
    }
    #expect(CSVFormat.problem(delimiter: ",", decimalComma: true) != nil)
    #expect(CSVFormat.problem(delimiter: ";", decimalComma: true) == nil)
    #expect(CSVFormat.problem(delimiter: "\t", decimalComma: false) == nil)
  }
}
