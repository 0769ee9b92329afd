import Foundation
import Testing

/// `calib fit --sx` (a straight line by generalized distance regression, ISO/TS 28037 §7)
/// and `calib measure` with the instrument it writes, end to end.
@Suite("calib fit --sx on the command line")
struct DistanceRegressionCommandTests {
  static var example: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Reference/published/iso28037_ex3_wtls_xy.csv")
  }

  @Test("ISO/TS 28037 7.4: the file holds the published figures (half a unit of the print)")
  func fitAndMeasure() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.run(
      [
        "fit", Self.example.path, "--x", "x", "--y", "y", "--sx", "u_x", "--sy", "u_y",
        "--model", "line", "-o", "gdr.json",
      ], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    let data = try Data(contentsOf: directory.appendingPathComponent("gdr.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let parameters = try #require(json["parameters"] as? [[String: Any]])
    let estimates = parameters.compactMap { $0["estimate"] as? Double }
    let errors = parameters.compactMap { $0["std_error"] as? Double }
    let covariance = try #require(json["covariance"] as? [[Double]])
    let statistics = try #require(json["fit"] as? [String: Any])
    let domain = try #require(json["domain"] as? [String: Any])
    // ISO/TS 28037:2010 p. 21 (published.json): a = 0.5788, b = 2.1597, u(a) = 0.4764,
    // u(b) = 0.1355, cov = −0.0577 (4 decimals), χ² = 2.743 (3 decimals), dof 4.
    #expect(estimates.count == 2 && errors.count == 2)
    #expect(
      Swift.abs(estimates[0] - 0.5788) <= 0.00005 && Swift.abs(estimates[1] - 2.1597) <= 0.00005)
    #expect(Swift.abs(errors[0] - 0.4764) <= 0.00005 && Swift.abs(errors[1] - 0.1355) <= 0.00005)
    #expect(Swift.abs(covariance[0][1] - -0.0577) <= 0.00005)
    #expect(Swift.abs((statistics["chi2"] as? Double ?? .nan) - 2.743) <= 0.0005)
    #expect(statistics["dof"] as? Int == 4)
    #expect((statistics["method"] as? String)?.contains("ISO/TS 28037") == true)
    #expect(domain["u_x"] as? [Double] == [0.2, 0.2, 0.2, 0.2, 0.2, 0.2])

    // Measuring: the readings carry their own u (the standards' u(y) differ).
    try "id,y,u\ns1,10.5,0.5\n".write(
      to: directory.appendingPathComponent("obs.csv"), atomically: true, encoding: .utf8)
    let x1 = (10.5 - estimates[0]) / estimates[1]
    let delta =
      (0.25 + covariance[0][0] + 2 * x1 * covariance[0][1] + x1 * x1 * covariance[1][1])
      .squareRoot() / estimates[1]
    for method in ["wald", "bayes"] {
      let measure = try CommandLineTool.run(
        [
          "measure", "gdr.json", "obs.csv", "--y", "y", "--sy", "u", "--id", "id", "--method",
          method,
        ],
        in: directory)
      #expect(measure.status == 0, "\(measure.error)")
      let report = try #require(
        try JSONSerialization.jsonObject(with: Data(measure.output.utf8)) as? [String: Any])
      let observation = try #require((report["observations"] as? [[String: Any]])?.first)
      let x = try #require(observation["x"] as? [String: Any])
      let estimate = try #require(x["estimate"] as? Double)
      let sd = try #require(x["sd"] as? Double)
      if method == "wald" {
        // The delta method from the file's own a, b and C (ISO/TS 28037 §6.3's u(x1) with the
        // GDR covariance): x = (y − a)/b, u² = (0.25 + C₀₀ + 2x·C₀₁ + x²·C₁₁)/b². The file keeps
        // every double, so only rounding separates them: 1e-9 relative.
        #expect(Swift.abs(estimate - x1) <= 1e-9 * x1, "x \(estimate) vs \(x1)")
        #expect(Swift.abs(sd - delta) <= 1e-9 * delta, "sd \(sd) vs \(delta)")
      } else {
        // The Bayesian sd is the delta method's to first order; the slope's uncertainty
        // ((u(b)/b)² ≈ 0.4%, times a few) widens it: within 3%. Its accuracy against a
        // brute-force integration is DistanceRegressionTests' (1e-4 of the sd).
        #expect(Swift.abs(sd - delta) <= 0.03 * delta, "sd \(sd) vs \(delta)")
      }
    }
  }

  @Test("--sx with a curve: errors in variables, and a measurement with the instrument")
  func curve() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = CommandLineTool.fixtures.appendingPathComponent("uncertain-standards.csv").path
    let fit = try CommandLineTool.run(
      [
        "fit", data, "--x", "dose", "--y", "signal", "--sx", "u_dose", "--sy", "u_signal",
        "--model", "b1*(1-exp(-b2*x))", "--start", "b1=10,b2=0.3", "-o", "eiv.json",
      ], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    let show = try CommandLineTool.run(["show", "eiv.json"], in: directory)
    #expect(show.output.contains("χ² = 8.221 on 8 dof"))
    #expect(show.output.contains("values uncertain: u(x) up to 0.22, fitted with errors in"))
    try "signal\n9.0\n".write(
      to: directory.appendingPathComponent("o.csv"), atomically: true, encoding: .utf8)
    let measure = try CommandLineTool.run(
      ["measure", "eiv.json", "o.csv", "--y", "signal", "--format", "csv"], in: directory)
    #expect(measure.status == 0, "\(measure.error)")
    #expect(measure.output.contains(",6.65"))
  }

  @Test(
    "--sx refusals: --noise (64), no --sy (64), a negative u(x) (65)",
    arguments: [
      (["--sx", "u_x"], "", 64, "--sx needs --sy"),
      (["--sx", "u_x", "--sy", "u_y", "--noise", "constant"], "", 64, "--noise"),
      (
        ["--sx", "u_x", "--sy", "u_y"], "x,u_x,y,u_y\n1,0.1,2,0.1\n2,-0.1,4,0.1\n3,0.1,6,0.1\n",
        65, "cal.csv:3:3"
      ),
    ] as [([String], String, Int32, String)])
  func refusals(_ extra: [String], csv: String, status: Int32, message: String) throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let text = csv.isEmpty ? try String(contentsOf: Self.example, encoding: .utf8) : csv
    try text.write(
      to: directory.appendingPathComponent("cal.csv"), atomically: true, encoding: .utf8)
    let run = try CommandLineTool.run(
      ["fit", "cal.csv", "--x", "x", "--y", "y", "-o", "out.json"] + extra, in: directory)
    #expect(run.status == status, "\(run.error)")
    #expect(run.error.contains(message), "\(run.error)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["cal.csv"])
  }
}
