import Foundation
import Testing

/// `--delimiter` and `--decimal-comma` on the commands that read CSV. Reference: the same
/// fixture written in RFC 4180; the fitted instrument and the measurements must be identical
/// (the numbers are the same decimals, read by the same correctly rounded reader).
@Suite("European CSV on the command line")
struct EuropeanCSVTests {
  /// `text` with `,` → `;` between fields and `.` → `,` in numbers.
  func european(_ text: String) -> String {
    String(text.map { $0 == "," ? ";" : $0 == "." ? "," : $0 })
  }

  @Test(
    "fit and measure a ';' file with decimal commas: the RFC 4180 file's numbers, bit for bit")
  func sameResults() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let calibration = try String(
      contentsOf: CommandLineTool.fixtures.appendingPathComponent("absorbance-line.csv"),
      encoding: .utf8)
    let observations = try String(
      contentsOf: CommandLineTool.fixtures.appendingPathComponent("absorbance-observations.csv"),
      encoding: .utf8)
    try calibration.write(
      to: directory.appendingPathComponent("cal.csv"), atomically: true, encoding: .utf8)
    try european(calibration).write(
      to: directory.appendingPathComponent("cal-eu.csv"), atomically: true, encoding: .utf8)
    try observations.write(
      to: directory.appendingPathComponent("obs.csv"), atomically: true, encoding: .utf8)
    try european(observations).write(
      to: directory.appendingPathComponent("obs-eu.csv"), atomically: true, encoding: .utf8)
    let common = ["--x", "concentration", "--y", "absorbance"]
    #expect(
      try CommandLineTool.run(["fit", "cal.csv"] + common + ["-o", "a.json"], in: directory).status
        == 0)
    let eu = try CommandLineTool.run(
      ["fit", "cal-eu.csv"] + common + ["--delimiter", ";", "--decimal-comma", "-o", "b.json"],
      in: directory)
    #expect(eu.status == 0, "\(eu.error)")
    func parameters(_ file: String) throws -> [[String: Double]]? {
      let json = try JSONSerialization.jsonObject(
        with: Data(contentsOf: directory.appendingPathComponent(file)))
      return ((json as? [String: Any])?["parameters"] as? [[String: Any]])?.map {
        [
          "estimate": $0["estimate"] as? Double ?? .nan,
          "std_error": $0["std_error"] as? Double ?? .nan,
        ]
      }
    }
    #expect(try parameters("a.json") == parameters("b.json"))
    let measure = ["--y", "absorbance", "--group", "sample", "--format", "ndjson"]
    let plain = try CommandLineTool.run(["measure", "a.json", "obs.csv"] + measure, in: directory)
    let european = try CommandLineTool.run(
      ["measure", "a.json", "obs-eu.csv", "--delimiter", ";", "--decimal-comma"] + measure,
      in: directory)
    #expect(plain.status == 0 && european.status == 0, "\(european.error)")
    #expect(plain.output == european.output)
  }

  @Test("a ';' file read as ',' names the option; a comma delimiter with a decimal comma is usage")
  func mistakes() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try "x;y\n0;0,1\n1;2,1\n2;3,9\n".write(
      to: directory.appendingPathComponent("eu.csv"), atomically: true, encoding: .utf8)
    let plain = try CommandLineTool.run(["fit", "eu.csv", "--x", "x", "--y", "y"], in: directory)
    #expect(plain.status == 65)
    #expect(
      plain.error.contains("eu.csv:1:1") && plain.error.contains("--delimiter ';'"),
      "\(plain.error)")
    let both = try CommandLineTool.run(
      ["fit", "eu.csv", "--x", "x", "--y", "y", "--decimal-comma"], in: directory)
    #expect(both.status == 64, "\(both.error)")
    let bad = try CommandLineTool.run(
      ["fit", "eu.csv", "--x", "x", "--y", "y", "--delimiter", ";;"], in: directory)
    #expect(bad.status == 64)
  }
}
