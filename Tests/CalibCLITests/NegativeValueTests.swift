import Foundation
import Testing

/// Every option that takes a number takes a negative one as its value: `--threshold -0.5` and
/// `--range -2:12` mean what `--threshold=-0.5` and `--range=-2:12` mean, and a negative value
/// out of an option's domain is refused for what it is, not as a missing value (the parser took
/// `-0.5` for an option before).
@Suite("options that take a number take a negative one")
struct NegativeValueTests {
  @Test("--threshold -0.5 and --range -2:12 as with '=', the same bytes")
  func negativeValues() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.fitAbsorbance(in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    try Data("absorbance\n0.02\n0.35\n".utf8).write(
      to: directory.appendingPathComponent("obs.csv"))
    let measure = ["measure", "abs.json", "obs.csv", "--y", "absorbance", "--format", "ndjson"]
    for (spaced, joined) in [
      (["--threshold", "-0.5"], ["--threshold=-0.5"]), (["--range", "-2:12"], ["--range=-2:12"]),
    ] {
      let a = try CommandLineTool.run(measure + spaced, in: directory)
      let b = try CommandLineTool.run(measure + joined, in: directory)
      #expect(a.status == 0, "\(a.error)")
      #expect(b.status == 0, "\(b.error)")
      #expect(a.output == b.output && !a.output.isEmpty)
    }
    let threshold = try CommandLineTool.run(measure + ["--threshold", "-0.5"], in: directory)
    let first = try #require(threshold.output.split(separator: "\n").first)
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
    let above = try #require((report["x"] as? [String: Any])?["p_above"] as? [String: Any])
    #expect(above["threshold"] as? Double == -0.5)
  }

  /// A negative value out of the option's domain: exit 64 and the option's own words (the
  /// words of its check, not the usage line, which names every option).
  @Test(
    "a negative value out of an option's domain is refused for what it is",
    arguments: [
      (
        ["measure", "abs.json", "obs.csv", "--y", "absorbance", "--threads", "-1"],
        "--threads must be between 1 and 256"
      ),
      (
        ["measure", "abs.json", "obs.csv", "--y", "absorbance", "--level", "-0.5"],
        "--level must lie strictly between"
      ),
      (["limits", "abs.json", "--alpha", "-0.1"], "--alpha and --beta must lie in"),
      (["limits", "abs.json", "--replicates", "-2"], "--replicates must be at least 1"),
      (["coverage", "abs.json", "--points", "-3"], "--points must be between"),
      (["validate", "abs.json", "--levels", "-0.5,0.9"], "--levels: expected numbers"),
      (
        ["fit", "cal.csv", "--x", "concentration", "--y", "absorbance", "--recovery", "-10:110"],
        "--recovery: expected LO:HI"
      ),
    ])
  func outOfDomain(arguments: [String], word: String) throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.fitAbsorbance(in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    try Data("absorbance\n0.35\n".utf8).write(to: directory.appendingPathComponent("obs.csv"))
    try FileManager.default.copyItem(
      at: CommandLineTool.fixtures.appendingPathComponent("absorbance-line.csv"),
      to: directory.appendingPathComponent("cal.csv"))
    let run = try CommandLineTool.run(arguments + ["-o", "out"], in: directory)
    #expect(run.status == 64)
    #expect(!run.error.contains("Missing value"), "\(run.error)")
    #expect(run.error.contains(word), "\(run.error)")
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
  }
}
