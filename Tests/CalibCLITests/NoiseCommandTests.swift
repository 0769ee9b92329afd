import Foundation
import Testing

/// `calib fit --noise` on the command line (docs/noise-models.md).
@Suite("calib fit --noise")
struct NoiseCommandTests {
  @Test("a constant-noise fit of growing scatter suggests a noise model; a fitted one does not")
  func suggestion() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
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

  @Test("student:SCALE with --df fits, shows and measures; a ν that runs off warns and fits normal")
  func student() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = CommandLineTool.fixtures.appendingPathComponent("plate-reader-outliers.csv").path
    let fixed = try CommandLineTool.run(
      [
        "fit", data, "--x", "conc", "--y", "signal", "--noise", "student:proportional", "--df",
        "3", "-o", "t.json",
      ], in: directory)
    #expect(fixed.status == 0)
    #expect(fixed.error.isEmpty)
    let show = try CommandLineTool.run(["show", "t.json"], in: directory)
    #expect(show.output.contains("Student's t (ν = 3 fixed) with scale σ = s1·|μ|"))
    try "signal\n7.5\n".write(
      to: directory.appendingPathComponent("o.csv"), atomically: true, encoding: .utf8)
    let measure = try CommandLineTool.run(
      ["measure", "t.json", "o.csv", "--y", "signal", "--format", "csv"], in: directory)
    #expect(measure.status == 0)
    #expect(measure.output.contains(",covered,"))
    let unbounded = try CommandLineTool.run(
      ["fit", data, "--x", "conc", "--y", "signal", "--noise", "student:constant", "-o", "c.json"],
      in: directory)
    #expect(unbounded.status == 0)
    #expect(unbounded.error.contains("calib: warning: Student-t noise: ν has no finite"))
  }

  @Test("--posterior mcmc samples a linear model's noise fitted by likelihood; not a constant σ")
  func sampling() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = CommandLineTool.fixtures.appendingPathComponent("heteroscedastic-line.csv").path
    let fit = try CommandLineTool.run(
      [
        "fit", data, "--x", "conc", "--y", "signal", "--noise", "proportional", "--posterior",
        "mcmc", "-o", "m.json",
      ], in: directory)
    #expect(fit.status == 0)
    let show = try CommandLineTool.run(["show", "m.json"], in: directory)
    #expect(show.output.contains("posterior   mcmc: 1280 samples"))
    let constant = try CommandLineTool.run(
      ["fit", data, "--x", "conc", "--y", "signal", "--posterior", "mcmc", "-o", "c.json"],
      in: directory)
    #expect(constant.status == 64)
  }

  @Test("--noise replicates fits the variance function to the replicates and shows it")
  func replicates() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = CommandLineTool.fixtures.appendingPathComponent("heteroscedastic-line.csv").path
    let fit = try CommandLineTool.run(
      ["fit", data, "--x", "conc", "--y", "signal", "--noise", "replicates", "-o", "r.json"],
      in: directory)
    #expect(fit.status == 0)
    #expect(fit.error.isEmpty)
    let show = try CommandLineTool.run(["show", "r.json"], in: directory)
    #expect(show.output.contains("σ = s0·|μ|^k (replicates), fitted to the replicates' variances"))
    // Not a likelihood fit: --posterior is refused for that reason, with no file written.
    let sampled = try CommandLineTool.run(
      [
        "fit", data, "--x", "conc", "--y", "signal", "--noise", "replicates", "--posterior", "mcmc",
        "-o", "s.json",
      ], in: directory)
    #expect(sampled.status == 64)
    #expect(sampled.error.contains("with --noise replicates the variance function is fitted"))
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("s.json").path))
  }

  @Test(
    "a noise that varies with --sy, an unknown distribution, or a stray --df is a usage error (64)")
  func refusals() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let csv = "x,y,u\n1,1.1,0.1\n2,2.0,0.1\n3,3.2,0.1\n4,3.9,0.1\n"
    try csv.write(to: directory.appendingPathComponent("c.csv"), atomically: true, encoding: .utf8)
    let withSy = try CommandLineTool.run(
      ["fit", "c.csv", "--x", "x", "--y", "y", "--sy", "u", "--noise", "linear", "-o", "i.json"],
      in: directory)
    #expect(withSy.status == 64)
    #expect(withSy.error.contains("--noise linear"))
    for spec in [
      "cauchy:linear", "student:poisson", "student:replicates", "student:", "linear:student",
      "student:known",
    ] {
      let unknown = try CommandLineTool.run(
        ["fit", "c.csv", "--x", "x", "--y", "y", "--noise", spec, "-o", "i.json"], in: directory)
      #expect(unknown.status == 64, "\(spec)")
    }
    for extra in [["--df", "4"], ["--noise", "student:linear", "--df", "0"]] {
      let df = try CommandLineTool.run(
        ["fit", "c.csv", "--x", "x", "--y", "y", "-o", "i.json"] + extra, in: directory)
      #expect(df.status == 64, "\(extra)")
      #expect(df.error.contains("--df"))
    }
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("i.json").path))
  }
}
