import Foundation
import Testing

/// `calib plot` on the command line (docs/plot.md): the SVG written, the axis chosen, and what
/// is refused.
@Suite("calib plot")
struct PlotCommandTests {
  @Test("an SVG of the ELISA plate, its log axis overridable; errors leave no file")
  func elisa() throws {
    let directory = try CommandLineTool.scratchDirectory()
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
    let several = try CommandLineTool.run(["plot", "s.json", "-o", "bad.svg"], in: directory)
    #expect(several.status == 65 && several.error.contains("one output"))
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.svg").path))
  }
}
