import Foundation
import Testing

/// End-to-end runs of `calib validate` on an instrument whose noise varies, and of
/// `--fit-noise`. The coverage figures themselves are checked in the engine's tests
/// (VaryingNoiseValidationTests); here the fields, their counts and the exit statuses.
@Suite("calib validate with a noise that varies, on the command line")
struct ValidateNoiseCommandTests {
  /// Fits Fixtures/heteroscedastic-line.csv with proportional noise into `directory`/het.json.
  func instrument(in directory: URL) throws {
    let fit = try CommandLineTool.run(
      [
        "fit", CommandLineTool.fixtures.appendingPathComponent("heteroscedastic-line.csv").path,
        "--x", "conc", "--y", "signal", "--noise", "proportional", "-o", "het.json",
      ], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
  }

  /// The prior range of a counting instrument reaches x where the fitted mean count is below
  /// 0: no count can be simulated there, and the message names the remedy; from the
  /// calibrated domain the run succeeds.
  @Test("a Poisson instrument's prior range below a zero mean: exit 65 naming --truth domain")
  func countsFromThePrior() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.run(
      [
        "fit", CommandLineTool.fixtures.appendingPathComponent("counts-line.csv").path,
        "--x", "dose", "--y", "counts", "--noise", "poisson", "-o", "c.json",
      ], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    let prior = try CommandLineTool.run(
      ["validate", "c.json", "--trials", "20", "-o", "v.json"], in: directory)
    #expect(prior.status == 65)
    #expect(prior.error.contains("allows no reading") && prior.error.contains("--truth domain"))
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("v.json").path))
    let domain = try CommandLineTool.run(
      ["validate", "c.json", "--trials", "20", "--truth", "domain", "-o", "v.json"],
      in: directory)
    #expect(domain.status == 0, "\(domain.error)")
  }

  @Test("--fit-noise constant: the noise fields and three ranges whose trials add up")
  func constantRefit() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let arguments = [
      "validate", "het.json", "--trials", "60", "--levels", "0.5,0.95", "--truth", "domain",
      "--fit-noise", "constant", "--seed", "4",
    ]
    let run = try CommandLineTool.run(arguments, in: directory)
    #expect(run.status == 0, "\(run.error)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
    #expect(json["simulated_noise"] as? String == "proportional")
    #expect(json["fitted_noise"] as? String == "constant")
    let ranges = try #require(json["ranges"] as? [[String: Any]])
    #expect(ranges.map { $0["part"] as? String } == ["low", "middle", "high"])
    #expect(ranges.compactMap { $0["trials"] as? Int }.reduce(0, +) == 60)
    // The thirds tile the calibrated domain of the fixture, 0.5 to 32.
    #expect(ranges.first?["lower"] as? Double == 0.5 && ranges.last?["upper"] as? Double == 32)
    #expect(try CommandLineTool.run(arguments, in: directory).output == run.output)
    let same = try CommandLineTool.run(
      ["validate", "het.json", "--trials", "10", "--levels", "0.95", "--seed", "4"],
      in: directory)
    #expect(same.status == 0, "\(same.error)")
    #expect(same.output.contains("\"fitted_noise\" : \"proportional\""), "\(same.output)")
  }

  @Test("--fit-noise constant on a constant-noise instrument: exit 65, nothing written")
  func refusals() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(try CommandLineTool.fitAbsorbance(in: directory).status == 0)
    let refused = try CommandLineTool.run(
      ["validate", "abs.json", "--trials", "5", "--fit-noise", "constant", "-o", "v.json"],
      in: directory)
    #expect(refused.status == 65 && refused.error.contains("constant-noise refit"))
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("v.json").path))
    let usage = try CommandLineTool.run(
      ["validate", "abs.json", "--fit-noise", "student"], in: directory)
    #expect(usage.status == 64)
  }
}
