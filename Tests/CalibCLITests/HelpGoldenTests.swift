import Foundation
import Testing

/// `--help` of the root command and of every subcommand against the text recorded in
/// `Tests/Golden/help/`, as swift-argument-parser tests its own help screens: a flag renamed, a
/// default changed or a help sentence lost shows in the diff. argument-parser wraps help to the
/// terminal's width, so the runs set `COLUMNS=100` and the text does not depend on where the
/// tests run. Re-record with `CALIB_RECORD_GOLDEN=1 swift test --filter HelpGoldenTests`.
/// Reference: the recorded text; tolerance: none (exact bytes).
@Suite("golden help screens")
struct HelpGoldenTests {
  /// The terminal width the help screens are recorded at.
  static let columns = "100"

  /// The commands, by the name of their golden file.
  static let commands: [(name: String, arguments: [String])] = [
    ("root", []), ("fit", ["fit"]), ("measure", ["measure"]), ("coverage", ["coverage"]),
    ("limits", ["limits"]), ("plot", ["plot"]), ("report", ["report"]), ("validate", ["validate"]),
    ("show", ["show"]),
  ]

  static var folder: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Golden").appendingPathComponent("help")
  }

  @Test(
    "calib [COMMAND] --help is the recorded text, exit 0, nothing on standard error",
    arguments: commands.map(\.name))
  func help(_ name: String) throws {
    let arguments = try #require(Self.commands.first { $0.name == name }).arguments
    let run = try CommandLineTool.run(
      arguments + ["--help"], environment: ["COLUMNS": Self.columns])
    #expect(run.status == 0)
    #expect(run.error.isEmpty, "\(run.error)")
    let url = Self.folder.appendingPathComponent("\(name).txt")
    if ProcessInfo.processInfo.environment["CALIB_RECORD_GOLDEN"] != nil {
      try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
      try Data(run.output.utf8).write(to: url)
      return
    }
    let golden = try String(contentsOf: url, encoding: .utf8)
    #expect(run.output == golden, "calib \(arguments.joined()) --help differs from \(url.path)")
  }

  @Test("calib help COMMAND is the same text as calib COMMAND --help")
  func helpSubcommand() throws {
    for name in ["fit", "measure"] {
      let help = try CommandLineTool.run(["help", name], environment: ["COLUMNS": Self.columns])
      let flag = try CommandLineTool.run([name, "--help"], environment: ["COLUMNS": Self.columns])
      #expect(help.status == 0)
      #expect(help.output == flag.output)
    }
  }

  @Test("fit --help lists every family with the formula and parameters the fit records")
  func familiesInFitHelp() throws {
    let run = try CommandLineTool.run(["fit", "--help"], environment: ["COLUMNS": "80"])
    // Reference: the formulas and parameter names of docs/formula-language.md, typed here.
    let families = [
      ("poly:N", "b0 + b1*x + ... + bN*x^N", "b0, b1, ..., bN"),
      ("line", "b0 + b1*x", "b0, b1"), ("exp", "b0 + b1*exp(b2*x)", "b0, b1, b2"),
      ("power", "b0 + b1*x^b2", "b0, b1, b2"), ("log", "b0 + b1*log(x)", "b0, b1"),
      ("4pl", "d + (a - d)/(1 + (x/c)^b)", "a, b, c, d"),
      ("5pl", "d + (a - d)/(1 + (x/c)^b)^g", "a, b, c, d, g"),
      ("mm", "vmax*x/(km + x)", "vmax, km"),
    ]
    let lines = run.output.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
    for (name, formula, parameters) in families {
      #expect(lines.contains("\(name) \(formula) \(parameters)"), "\(name) in fit --help")
    }
  }
}
