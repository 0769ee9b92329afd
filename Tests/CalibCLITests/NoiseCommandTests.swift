import Foundation
import Testing

/// `calib fit --noise` on the command line (docs/noise-models.md).
@Suite("calib fit --noise")
struct NoiseCommandTests {
  @Test("a constant-noise fit of growing scatter suggests a noise model; a fitted one does not")
  func suggestion() throws {
    let directory = try CommandLineTool.scratchDirectory()
    let data = CommandLineTool.fixtures.appendingPathComponent("heteroscedastic-line.csv").path
    let constant = try CommandLineTool.run(
      ["fit", data, "--x", "conc", "--y", "signal", "-o", "c.json"], in: directory)
    #expect(constant.status == 0)
    #expect(constant.error.contains("calib: warning: the residuals scatter more"))
    #expect(constant.error.contains("--noise linear"))
    let linear = try CommandLineTool.run(
      ["fit", data, "--x", "conc", "--y", "signal", "--noise", "normal:linear", "-o", "l.json"],
      in: directory)
    #expect(linear.status == 0)
    #expect(linear.error.isEmpty)
    let show = try CommandLineTool.run(["show", "l.json"], in: directory)
    #expect(show.output.contains("σ = s0 + s1·|μ| (linear)"))
    #expect(show.output.contains("AIC"))
  }

  @Test("a noise that varies with --sy, or an unknown distribution, is a usage error (64)")
  func refusals() throws {
    let directory = try CommandLineTool.scratchDirectory()
    let csv = "x,y,u\n1,1.1,0.1\n2,2.0,0.1\n3,3.2,0.1\n4,3.9,0.1\n"
    try csv.write(to: directory.appendingPathComponent("c.csv"), atomically: true, encoding: .utf8)
    let withSy = try CommandLineTool.run(
      ["fit", "c.csv", "--x", "x", "--y", "y", "--sy", "u", "--noise", "linear", "-o", "i.json"],
      in: directory)
    #expect(withSy.status == 64)
    #expect(withSy.error.contains("--noise linear"))
    let student = try CommandLineTool.run(
      ["fit", "c.csv", "--x", "x", "--y", "y", "--noise", "student:linear", "-o", "i.json"],
      in: directory)
    #expect(student.status == 64)
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("i.json").path))
  }
}
