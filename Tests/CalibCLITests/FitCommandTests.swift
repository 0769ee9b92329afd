import Foundation
import Testing

/// End-to-end runs of `calib fit` and `calib show`: exit codes, messages, and files that are
/// either complete or not there.
@Suite("calib fit on the command line")
struct FitCommandTests {
  let calibration = "x,y\n0,0.12\n1,2.05\n2,3.98\n3,6.1\n4,7.9\n"

  @Test("--help and --version")
  func help() throws {
    let root = try CommandLineTool.run(["--help"])
    #expect(root.status == 0)
    #expect(root.output.contains("fit") && root.output.contains("show"))
    let fit = try CommandLineTool.run(["fit", "--help"])
    #expect(fit.status == 0)
    for flag in [
      "--x", "--y", "--model", "--sy", "--sx", "--group", "--noise", "--start", "--seed",
      "--output",
    ] {
      #expect(fit.output.contains(flag), "fit --help lacks \(flag)")
    }
    let version = try CommandLineTool.run(["--version"])
    #expect(version.status == 0 && version.output == "0.1.0\n")
  }

  @Test("a fit from standard input to standard output")
  func pipes() throws {
    let run = try CommandLineTool.run(["fit", "-", "--x", "x", "--y", "y"], input: calibration)
    #expect(run.status == 0, "\(run.error)")
    let json = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
    #expect(json?["format"] as? String == "calib-instrument/1")
    let shown = try CommandLineTool.run(["show", "-"], input: run.output)
    #expect(shown.status == 0 && shown.output.contains("b1"))
  }

  @Test("a fit to a file, the same bytes every time, and no temporary file left")
  func toFile() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try calibration.write(
      to: directory.appendingPathComponent("cal.csv"), atomically: true, encoding: .utf8)
    let first = try CommandLineTool.run(
      ["fit", "cal.csv", "--x", "x", "--y", "y", "-o", "a.json"], in: directory)
    #expect(first.status == 0 && first.output.isEmpty, "\(first.error)")
    let again = try CommandLineTool.run(
      ["fit", "cal.csv", "--x", "x", "--y", "y", "-o", "a.json"], in: directory)
    #expect(again.status == 0)
    let contents = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    #expect(contents == ["a.json", "cal.csv"])
    let bytes = try Data(contentsOf: directory.appendingPathComponent("a.json"))
    let stdout = try CommandLineTool.run(
      ["fit", "cal.csv", "--x", "x", "--y", "y", "-o", "a.json"], in: directory)
    #expect(
      try Data(contentsOf: directory.appendingPathComponent("a.json")) == bytes
        && stdout.status == 0)
  }

  /// Each bad invocation: its exit code, a phrase of its message, and no output file.
  @Test(
    "bad input gets the contract's exit code and no output file",
    arguments: [
      (["--bogus"], "", 64, "Unknown option"),
      (["--model", "b1*(x"], "", 64, "column 6"),
      (["--model", "quadratic"], "", 64, "unknown model family 'quadratic'"),
      (["--model", "b1*(1-exp(-b2*x))"], "", 64, "--start b1=VALUE,b2=VALUE"),
      (["--sx", "x"], "", 64, "--sx"),
      (["--noise", "student"], "", 64, "--noise"),
      (["--noise", "known"], "", 64, "--sy"),
      (["--start", "b1"], "", 64, "name=value"),
      (["--model", "exp", "--start", "q=1"], "", 64, "'q' is not a parameter"),
      (["--start", "b0=1"], "", 64, "starting values apply to nonlinear models"),
      (["--posterior", "mcmc"], "", 64, "--posterior applies to nonlinear models"),
      (["--posterior", "laplace"], "", 64, "--posterior applies to nonlinear models"),
      ([], "x,y\n0,1\n1,zz\n2,3\n", 65, "cal.csv:3:3: expected a number in column 'y', found 'zz'"),
      ([], "x,y\n0,1\n1,2,3\n", 65, "cal.csv:3:5"),
      ([], "x,q\n0,1\n", 65, "no column named 'y'"),
      ([], "x,y\n0,1\n1,2\n", 65, "at least 3 needed"),
      ([], "x,y\n1,1\n1,2\n1,3\n", 65, "rank-deficient"),
      ([], "", 65, "cal.csv:1:1: the file is empty"),
    ])
  func failures(_ extra: [String], csv: String, status: Int32, message: String) throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try (csv.isEmpty && status != 65 ? calibration : csv).write(
      to: directory.appendingPathComponent("cal.csv"), atomically: true, encoding: .utf8)
    let run = try CommandLineTool.run(
      ["fit", "cal.csv", "--x", "x", "--y", "y", "-o", "out.json"] + extra, in: directory)
    #expect(run.status == status, "\(run.error)")
    #expect(run.error.contains(message), "\(run.error)")
    #expect(run.output.isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["cal.csv"])
  }

  @Test("a missing input is 66, an unwritable output 73, and an existing output survives a failure")
  func filesystem() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try calibration.write(
      to: directory.appendingPathComponent("cal.csv"), atomically: true, encoding: .utf8)
    let missing = try CommandLineTool.run(
      ["fit", "nope.csv", "--x", "x", "--y", "y"], in: directory)
    #expect(missing.status == 66 && missing.error.contains("cannot open 'nope.csv'"))
    let folder = try CommandLineTool.run(["fit", ".", "--x", "x", "--y", "y"], in: directory)
    #expect(folder.status == 66 && folder.error.contains("directory"))
    let unwritable = try CommandLineTool.run(
      ["fit", "cal.csv", "--x", "x", "--y", "y", "-o", "no/such/dir/i.json"], in: directory)
    #expect(unwritable.status == 73 && unwritable.error.contains("cannot write"))

    try "previous".write(
      to: directory.appendingPathComponent("keep.json"), atomically: true, encoding: .utf8)
    let failed = try CommandLineTool.run(
      ["fit", "cal.csv", "--x", "x", "--y", "nope", "-o", "keep.json"], in: directory)
    #expect(failed.status == 65)
    #expect(
      try String(contentsOf: directory.appendingPathComponent("keep.json"), encoding: .utf8)
        == "previous")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
        "cal.csv", "keep.json",
      ])
  }

  @Test("calib show refuses what is not an instrument file")
  func showRefuses() throws {
    let notJSON = try CommandLineTool.run(["show", "-"], input: "x,y\n1,2\n")
    #expect(
      notJSON.status == 65
        && notJSON.error.contains("-:1:1: not an instrument file: malformed JSON"),
      "\(notJSON.error)")
    let missing = try CommandLineTool.run(["show", "/nonexistent/i.json"])
    #expect(missing.status == 66)
  }

  @Test(
    "the bundled fixtures fit",
    arguments: [
      ["pontius-load-cell.csv", "--x", "load", "--y", "deflection", "--model", "poly:2"],
      ["absorbance-line.csv", "--x", "concentration", "--y", "absorbance", "--group", "standard"],
      [
        "quadratic-vertex.csv", "--x", "x", "--y", "reading", "--sy", "u_reading", "--model",
        "poly:2",
      ],
    ])
  func fixtures(_ arguments: [String]) throws {
    let run = try CommandLineTool.run(["fit"] + arguments, in: CommandLineTool.fixtures)
    #expect(run.status == 0, "\(run.error)")
  }
}
