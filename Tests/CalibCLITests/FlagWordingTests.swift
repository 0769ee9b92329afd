import Foundation
import Testing

/// The engine's errors are structured and name no flag (CalibCoreTests/EngineErrorTests); the
/// command line words them with the flags that fix them, in calib's one error style, with the
/// contract's exit codes (64 usage, 65 data). Reference: the wording the command line gave
/// before the engine's errors became cases (the same text, byte for byte, where quoted whole).
@Suite("the command line names the flags of the engine's errors")
struct FlagWordingTests {
  /// Four standards of a saturating curve (the `mm` family's parameters are vmax and km).
  static let saturating = "x,y\n1,2\n2,4\n3,5\n4,5.5\n"

  /// Runs `calib` in a fresh folder holding `files`.
  func run(_ arguments: [String], files: [String: String]) throws -> CommandLineTool.Outcome {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for (name, text) in files {
      try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }
    return try CommandLineTool.run(arguments, in: directory)
  }

  /// One refused fit: the flags beside `--x x --y y`, the calibration file, the exit code and
  /// the whole of standard error.
  struct Refusal: Sendable, CustomTestStringConvertible {
    var extra: [String]
    var csv: String
    var status: Int32
    var message: String
    var testDescription: String { extra.isEmpty ? csv : extra.joined(separator: " ") }
  }

  static let refusals: [Refusal] = [
    Refusal(
      extra: ["--model", "mm", "--bounds", "c=0:1"], csv: saturating, status: 64,
      message: "calib: error: --bounds: 'c' is not a parameter of the model; its parameters are"
        + " vmax, km\n"),
    Refusal(
      extra: ["--model", "line", "--bounds", "b1=0:1"], csv: saturating, status: 64,
      message: "calib: error: --bounds applies to the posterior samples of a nonlinear model;"
        + " the model 'line' is linear, and its posterior is exact\n"),
    Refusal(
      extra: ["--model", "b1*x/(b2 + x)"], csv: saturating, status: 64,
      message: "calib: error: the model 'b1*x/(b2 + x)' is nonlinear in its parameters; give"
        + " starting values for b1, b2 with --start b1=VALUE,b2=VALUE\n"),
    Refusal(
      extra: [], csv: "x,y\n1,2\n2,4\n", status: 65,
      message: "calib: error: cal.csv: 2 standards given, at least 3 needed: the model has 2"
        + " parameters and one more standard is needed to estimate the noise (or give --sy)\n"),
    Refusal(
      extra: [], csv: "x,y\n1,\"1,5\"\n", status: 65,
      message: "calib: error: cal.csv:2:3: expected a number in column 'y', found '1,5': write"
        + " decimals with a point, or give --decimal-comma (with --delimiter ';')\n"),
    Refusal(
      extra: [], csv: "x\ty\n1\t2\n", status: 65,
      message: "calib: error: cal.csv:1:1: no column named 'x'; the header has 'x\ty'; the"
        + " header reads as one column holding tab: give --delimiter tab\n"),
  ]

  @Test(
    "calib fit: --bounds, --start, --sy, --decimal-comma, --delimiter in the message, exit code",
    arguments: refusals)
  func fit(_ refusal: Refusal) throws {
    let outcome = try run(
      ["fit", "cal.csv", "--x", "x", "--y", "y", "-o", "i.json"] + refusal.extra,
      files: ["cal.csv": refusal.csv])
    #expect(outcome.status == refusal.status)
    #expect(outcome.error == refusal.message, "\(outcome.error)")
    #expect(outcome.output.isEmpty)
  }

  @Test("calib measure: --posterior mcmc, --sy in the message, with its exit code")
  func measure() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let files = [
      "line.csv": Self.saturating,
      // y = x² exactly: no noise to estimate.
      "exact.csv": "x,y\n-3,9\n-2,4\n-1,1\n0,0\n1,1\n2,4\n3,9\n",
      // Known u(y) that differ between standards: a reading needs its own.
      "known.csv": "x,y,u\n1,2,0.1\n2,4,0.2\n3,5.9,0.1\n",
      "obs.csv": "id,y\na,3\n",
    ]
    for (name, text) in files {
      try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }
    for (input, extra, output) in [
      ("line.csv", [String](), "line.json"), ("exact.csv", ["--model", "poly:2"], "exact.json"),
      ("known.csv", ["--sy", "u"], "known.json"),
    ] {
      let fit = try CommandLineTool.run(
        ["fit", input, "--x", "x", "--y", "y", "-o", output] + extra, in: directory)
      #expect(fit.status == 0, "\(fit.error)")
    }
    let samples = try CommandLineTool.run(
      ["measure", "line.json", "obs.csv", "--y", "y", "--marginalize", "samples"], in: directory)
    #expect(samples.status == 64)
    #expect(
      samples.error
        == "calib: error: the instrument has no posterior samples to average over: fit it with"
        + " --posterior mcmc\n", "\(samples.error)")
    let exact = try CommandLineTool.run(
      ["measure", "exact.json", "obs.csv", "--y", "y"], in: directory)
    #expect(exact.status == 65)
    #expect(
      exact.error
        == "calib: error: exact.json: the instrument's residual sd is 0 to working precision:"
        + " its standards lie exactly on the curve, so the noise has no estimate to measure"
        + " with; refit with the standards' uncertainties (--sy)\n", "\(exact.error)")
    let known = try CommandLineTool.run(
      ["measure", "known.json", "obs.csv", "--y", "y", "--id", "id"], in: directory)
    #expect(known.status == 64)
    #expect(
      known.error
        == "calib: error: observation 'a': the instrument's noise is known per reading (it was"
        + " fitted with --sy) and its standards' u(y) differ, so each reading needs its own:"
        + " give --sy\n", "\(known.error)")
  }

  /// A report records a failure with the same words the command line uses: an observation
  /// written with a decimal comma is `unreadable`, and its message names `--decimal-comma`.
  @Test("a failure written into a report names the flag, as before")
  func reportFailure() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Data(Self.saturating.utf8).write(to: directory.appendingPathComponent("cal.csv"))
    try Data("id,y\na,\"3,5\"\nb,3\n".utf8).write(to: directory.appendingPathComponent("o.csv"))
    let fit = try CommandLineTool.run(
      ["fit", "cal.csv", "--x", "x", "--y", "y", "-o", "i.json"], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    let measure = try CommandLineTool.run(
      ["measure", "i.json", "o.csv", "--y", "y", "--id", "id", "--format", "ndjson"],
      in: directory)
    #expect(measure.status == 0, "\(measure.error)")
    let failure = try #require(measure.output.split(separator: "\n").first { $0.contains("\"a\"") })
    let record = try #require(
      try JSONSerialization.jsonObject(with: Data(failure.utf8)) as? [String: Any])
    let error = try #require(record["error"] as? [String: Any])
    #expect(error["code"] as? String == "unreadable")
    #expect(
      error["message"] as? String
        == "o.csv:2:3: expected a number in column 'y', found '3,5': write decimals with a"
        + " point, or give --decimal-comma (with --delimiter ';')")
  }
}
