import Foundation
import Testing

/// One error style for parse errors and run errors: `calib: error: …` on standard error,
/// nothing on standard output, and the contract's exit code (64 usage, 66 cannot open).
/// Reference: the contract (/work/shared/CONTRACT.md, docs/cli-measure.md); exact prefixes.
@Suite("one error style")
struct ErrorStyleTests {
  @Test(
    "parse and validation errors: calib: error: MESSAGE, then the usage, exit 64",
    arguments: [
      (
        ["measure", "i.json", "o.csv", "--y", "a", "--level", "3"],
        "calib: error: --level must lie strictly between 0 and 1\n"
      ),
      (
        ["measure", "i.json", "o.csv", "--y", "a", "--method", "mle"],
        "calib: error: The value 'mle' is invalid for '--method <method>'."
      ),
      (["measure"], "calib: error: Missing expected argument '<instrument>'\n"),
      (
        ["coverage", "i.json", "--range", "3:1"],
        "calib: error: --range: expected LO:HI with LO < HI, e.g. --range=-2:12, found '3:1'\n"
      ),
      (
        ["measure", "i.json", "o.csv", "--y", "a", "--bound-density", "2"],
        "calib: error: coverage thresholds: --bound-density in (0, 1]"
      ),
      (
        ["fit", "c.csv", "--x", "x", "--y", "y", "--posterior", "exact"],
        "calib: error: The value 'exact' is invalid for '--posterior <posterior>'."
      ),
      (
        ["fit", "c.csv", "--x", "x", "--y", "y", "--noise", "known"],
        "calib: error: --noise known needs the uncertainties: give --sy COL\n"
      ),
      (["frobnicate"], "calib: error: Unexpected argument 'frobnicate'\n"),
    ])
  func usage(_ arguments: [String], _ start: String) throws {
    let run = try CommandLineTool.run(arguments)
    #expect(run.status == 64)
    #expect(run.output.isEmpty)
    #expect(run.error.hasPrefix(start), "\(run.error)")
    #expect(run.error.contains("Usage: calib"), "\(run.error)")
    #expect(!run.error.contains("Error:"), "\(run.error)")
  }

  @Test("a run error is one line calib: error: …, exit 66 for a file that cannot be opened")
  func runError() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try CommandLineTool.run(["show", "missing.json"], in: directory)
    #expect(run.status == 66)
    #expect(run.error == "calib: error: cannot open 'missing.json': No such file or directory\n")
  }

  @Test("--version prints the version on standard output, exit 0")
  func version() throws {
    let run = try CommandLineTool.run(["--version"])
    #expect(run.status == 0)
    #expect(run.error.isEmpty)
    #expect(!run.output.isEmpty && !run.output.contains("error"))
  }
}
