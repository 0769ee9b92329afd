import Foundation
import Testing

/// The bytes calib writes for every fixture (instrument files, `show`, reports in every format
/// and method, coverage maps) against files recorded in `Tests/Golden`. A change that must not
/// change any output (a refactoring) keeps these; a change that means to (a new field) records
/// them anew with `CALIB_RECORD_GOLDEN=1 swift test --filter GoldenOutputTests` and the diff of
/// the golden files shows what changed. Reference: the recorded bytes; tolerance: none.
@Suite("golden outputs of the fixtures")
struct GoldenOutputTests {
  /// One fixture: how it is fitted, and how its observations are measured.
  struct Case: CustomStringConvertible, Sendable {
    var name: String
    var calibration: String
    var fit: [String]
    var observations: String
    var measure: [String]
    var description: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "pontius", calibration: "pontius-load-cell.csv",
      fit: ["--x", "load", "--y", "deflection", "--model", "poly:2"],
      observations: "pontius-observations.csv", measure: ["--y", "deflection", "--id", "id"]),
    Case(
      name: "absorbance", calibration: "absorbance-line.csv",
      fit: ["--x", "concentration", "--y", "absorbance", "--group", "standard"],
      observations: "absorbance-observations.csv",
      measure: ["--y", "absorbance", "--group", "sample"]),
    Case(
      name: "quadratic", calibration: "quadratic-vertex.csv",
      fit: ["--x", "x", "--y", "reading", "--sy", "u_reading", "--model", "poly:2"],
      observations: "quadratic-observations.csv",
      measure: ["--y", "reading", "--id", "id", "--sy", "u_reading"]),
    Case(
      name: "pressure", calibration: "pressure-gap.csv",
      fit: ["--x", "pressure_kPa", "--y", "output_mV"],
      observations: "pressure-observations.csv", measure: ["--y", "output_mV", "--id", "sample"]),
    Case(
      name: "elisa", calibration: "elisa-4pl.csv",
      fit: ["--x", "conc_ng_mL", "--y", "od", "--model", "4pl"],
      observations: "elisa-samples.csv", measure: ["--y", "od", "--id", "sample"]),
    Case(
      name: "detector", calibration: "saturating-detector.csv",
      fit: ["--x", "dose", "--y", "counts", "--model", "mm"],
      observations: "saturating-observations.csv", measure: ["--y", "counts", "--id", "id"]),
  ]

  static var folder: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Golden")
  }

  /// Compares `bytes` with the golden file `name`, or records it when asked to.
  func check(_ bytes: String, _ name: String) throws {
    let url = Self.folder.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["CALIB_RECORD_GOLDEN"] != nil {
      try Data(bytes.utf8).write(to: url)
      return
    }
    let golden = try String(contentsOf: url, encoding: .utf8)
    #expect(bytes == golden, "\(name) differs from Tests/Golden/\(name)")
  }

  @Test(
    "fit, show, measure in every format and method, coverage: the recorded bytes exactly",
    arguments: cases)
  func fixture(_ fixture: Case) throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for file in [fixture.calibration, fixture.observations] {
      try FileManager.default.copyItem(
        at: CommandLineTool.fixtures.appendingPathComponent(file),
        to: directory.appendingPathComponent(file))
    }
    let fit = try CommandLineTool.run(["fit", fixture.calibration] + fixture.fit, in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    try check(fit.output, "\(fixture.name).instrument.json")
    try fit.output.write(
      to: directory.appendingPathComponent("i.json"), atomically: true, encoding: .utf8)
    let show = try CommandLineTool.run(["show", "i.json"], in: directory)
    try check(show.output, "\(fixture.name).show.txt")
    for method in ["bayes", "inversion", "wald"] {
      for format in method == "bayes" ? ["json", "ndjson", "csv", "table"] : ["json", "table"] {
        let run = try CommandLineTool.run(
          ["measure", "i.json", fixture.observations] + fixture.measure
            + ["--method", method, "--format", format, "--threads", "1"], in: directory)
        #expect(run.status == 0, "\(run.error)")
        try check(run.output, "\(fixture.name).\(method).\(format)")
      }
    }
    let coverage = try CommandLineTool.run(
      ["coverage", "i.json", fixture.observations] + fixture.measure, in: directory)
    #expect(coverage.status == 0, "\(coverage.error)")
    try check(coverage.output, "\(fixture.name).coverage.json")
  }
}
