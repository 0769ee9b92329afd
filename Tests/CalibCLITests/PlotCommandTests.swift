import Foundation
import Testing

/// `calib plot` on the command line (docs/plot.md): the SVG written, the axis chosen, and what
/// is refused.
@Suite("calib plot")
struct PlotCommandTests {
  @Test("an SVG of the ELISA plate, its log axis overridable; errors leave no file")
  func elisa() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = { (name: String) in CommandLineTool.fixtures.appendingPathComponent(name).path }
    _ = try CommandLineTool.run(
      [
        "fit", fixture("elisa-blank.csv"), "--x", "conc_ng_mL", "--y", "od", "--model", "4pl",
        "-o", "e.json",
      ], in: directory)
    let plot = try CommandLineTool.run(
      [
        "plot", "e.json", fixture("elisa-samples.csv"), "--y", "od", "--id", "sample", "-o",
        "e.svg",
      ],
      in: directory)
    #expect(plot.status == 0, "\(plot.error)")
    let svg = try String(
      contentsOf: directory.appendingPathComponent("e.svg"), encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
    #expect(svg.contains("conc_ng_mL (log scale)") && svg.contains(">out_of_range<"))
    let linear = try CommandLineTool.run(["plot", "e.json", "--no-log-x"], in: directory)
    #expect(linear.status == 0 && !linear.output.contains("(log scale)"))
    for (arguments, status) in [
      (["plot", "e.json", "--y", "od"], Int32(64)),
      (["plot", "e.json", fixture("elisa-samples.csv")], 64),
      (["plot", "missing.json"], 66),
    ] {
      let outcome = try CommandLineTool.run(arguments + ["-o", "bad.svg"], in: directory)
      #expect(outcome.status == status, "\(arguments): \(outcome.error)")
    }
    _ = try CommandLineTool.run(
      [
        "fit", fixture("two-channel-sensor.csv"), "--x", "conc", "--y", "signal,reference", "-o",
        "s.json",
      ], in: directory)
    // Several outputs, one unknown: one block per output.
    let sensor = try CommandLineTool.run(
      [
        "plot", "s.json", fixture("two-channel-observations.csv"), "--y", "signal,reference",
        "--id", "sample",
      ], in: directory)
    #expect(sensor.status == 0, "\(sensor.error)")
    #expect(
      sensor.output.contains("height=\"1200.00\"") && sensor.output.contains(">inconsistent<"))
    _ = try CommandLineTool.run(
      [
        "fit", fixture("two-component-mixture.csv"), "--x", "c1,c2", "--y", "A420,A520,A610",
        "--model", "b0 + b1*c1 + b2*c2", "-o", "m.json",
      ], in: directory)
    let mixture = try CommandLineTool.run(["plot", "m.json", "-o", "bad.svg"], in: directory)
    #expect(mixture.status == 65 && mixture.error.contains("against one unknown"))
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.svg").path))
  }

  @Test("--posterior draws one observation's density, for one output or several unknowns")
  func posterior() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = { (name: String) in CommandLineTool.fixtures.appendingPathComponent(name).path }
    _ = try CommandLineTool.fitAbsorbance(in: directory)
    let observations = fixture("absorbance-observations.csv")
    let drawn = try CommandLineTool.run(
      [
        "plot", "abs.json", observations, "--y", "absorbance", "--group", "sample",
        "--posterior", "mid",
      ], in: directory)
    #expect(drawn.status == 0, "\(drawn.error)")
    #expect(drawn.output.contains("posterior of observation mid") && drawn.output.contains("HPD"))
    _ = try CommandLineTool.run(
      [
        "fit", fixture("two-component-mixture.csv"), "--x", "c1,c2", "--y", "A420,A520,A610",
        "--model", "b0 + b1*c1 + b2*c2", "-o", "m.json",
      ], in: directory)
    let mixture = try CommandLineTool.run(
      [
        "plot", "m.json", fixture("two-component-observations.csv"), "--y", "A420,A520,A610",
        "--id", "sample", "--posterior", "M1",
      ], in: directory)
    #expect(mixture.status == 0, "\(mixture.error)")
    #expect(mixture.output.contains(">c1</text>") && mixture.output.contains(">c2</text>"))
    for (arguments, status, words) in [
      (["--posterior", "nowhere"], Int32(65), "no observation has this id"),
      (["--posterior", "mid", "--no-log-x"], 64, "--no-log-x"),
    ] {
      let outcome = try CommandLineTool.run(
        ["plot", "abs.json", observations, "--y", "absorbance", "--group", "sample"]
          + arguments + ["-o", "bad.svg"], in: directory)
      #expect(outcome.status == status && outcome.error.contains(words), "\(outcome.error)")
    }
    // An id two observations share: which to draw would be a guess.
    try "id,absorbance\nA,0.2\nB,0.3\nA,0.4\n".write(
      to: directory.appendingPathComponent("twice.csv"), atomically: true, encoding: .utf8)
    let twice = try CommandLineTool.run(
      ["plot", "abs.json", "twice.csv", "--y", "absorbance", "--id", "id", "--posterior", "A"],
      in: directory)
    #expect(
      twice.status == 65 && twice.error.contains("twice.csv:4: --posterior A"), "\(twice.error)")
    let alone = try CommandLineTool.run(
      ["plot", "abs.json", "--posterior", "mid", "-o", "bad.svg"], in: directory)
    #expect(alone.status == 64 && alone.error.contains("observations file"))
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.svg").path))
  }
}
