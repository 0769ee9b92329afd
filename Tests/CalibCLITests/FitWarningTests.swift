import Foundation
import Testing

/// `calib fit` and `calib show` say when an MCMC posterior did not converge, and a fit that
/// can only end at a pole fails with that reason rather than reporting it converged.
@Suite("fit warnings on the command line")
struct FitWarningTests {
  /// Fixtures/elisa-4pl.csv, 5pl, --posterior mcmc --seed 1: R̂ above 1.1 (1.18–1.24 seen, the
  /// sampler's own figure, printed by calib show). The fit still succeeds (exit 0, a file on
  /// stdout) and the warning goes to stderr, once, as `calib: warning: ...`.
  @Test("an unconverged MCMC posterior is a warning at fit time and in calib show")
  func mcmcWarning() throws {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/elisa-4pl.csv").path
    let fit = try CommandLineTool.run(
      [
        "fit", fixture, "--x", "conc_ng_mL", "--y", "od", "--model", "5pl", "--posterior", "mcmc",
        "--seed", "1",
      ])
    #expect(fit.status == 0, "\(fit.error)")
    let lines = fit.error.split(separator: "\n")
    let json = try JSONSerialization.jsonObject(with: Data(fit.output.utf8)) as? [String: Any]
    let posterior = json?["posterior"] as? [String: Any]
    // The warning quotes the largest R̂ the file records, to 3 digits.
    let rHat = try #require((posterior?["sampler"] as? [String: Any])?["r_hat"] as? [Double])
    let worst = try #require(rHat.max())
    #expect(worst > 1.1)
    #expect(
      lines.count == 1
        && lines[0].hasPrefix(
          "calib: warning: the instrument's MCMC posterior did not converge (R̂ = "
            + String(format: "%.3g", worst) + " > 1.1")
    )
    #expect(posterior?["kind"] as? String == "mcmc")
    #expect((posterior?["warnings"] as? [String])?.count == 1)
    let shown = try CommandLineTool.run(["show", "-"], input: fit.output)
    #expect(shown.status == 0)
    #expect(shown.output.contains("posterior   mcmc: 1280 samples"))
    #expect(shown.output.contains("warning     the instrument's MCMC posterior did not converge"))
  }

  /// The case: from vmax = −5 the first run ends at km = −32, a pole at dose 32; the
  /// fit goes on to the optimum (vmax 954.47, km 45.41, as scipy finds from the self-start).
  @Test("the mm fit from vmax = -5 does not end at a pole: km as scipy finds it, to 1e-7 relative")
  func poleCase() throws {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/saturating-detector.csv").path
    let fit = try CommandLineTool.run(
      [
        "fit", fixture, "--x", "dose", "--y", "counts", "--model", "mm", "--start", "vmax=-5",
        "--posterior", "laplace",
      ])
    #expect(fit.status == 0, "\(fit.error)")
    let json = try JSONSerialization.jsonObject(with: Data(fit.output.utf8)) as? [String: Any]
    let parameters = json?["parameters"] as? [[String: Any]]
    let km = try #require(
      parameters?.first { $0["name"] as? String == "km" }?["estimate"] as? Double)
    #expect(abs(km - 45.4055625555808) <= 1e-7 * 45.4)
  }
}
