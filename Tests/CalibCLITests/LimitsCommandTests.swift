import Foundation
import Testing

/// `calib limits` and `calib measure --threshold` on the command line (docs/limits.md).
@Suite("calib limits")
struct LimitsCommandTests {
  static func fixture(_ name: String) -> String {
    CommandLineTool.fixtures.appendingPathComponent(name).path
  }

  @Test("the DIN 32645 example: the printed figures, the file, and what is refused")
  func dinExample() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.run(
      ["fit", Self.fixture("din32645.csv"), "--x", "x", "--y", "y", "-o", "din.json"],
      in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    let limits = try CommandLineTool.run(
      [
        "limits", "din.json", "--alpha", "0.01", "--beta", "0.01", "--method", "din", "-o",
        "limits.json",
      ], in: directory)
    #expect(limits.status == 0, "\(limits.error)")
    let file =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: directory.appendingPathComponent("limits.json"))) as? [String: Any]
    #expect(file?["format"] as? String == "calib-limits/1")
    func x(_ key: String) -> Double {
      ((file?[key] as? [String: Any])?["x"] as? Double) ?? .nan
    }
    // DIN 32645 prints 0.07 and 0.14; the closed form of the line gives these to 1e-9.
    #expect(Swift.abs(x("critical_value") - 0.06981269687542896) < 1e-10)
    #expect(Swift.abs(x("detection_limit") - 0.13962539375085792) < 1e-10)
    #expect((file?["warnings"] as? [String])?.first?.contains("outside the calibrated") == true)
    #expect(limits.error.contains("calib: warning: the blank x = 0 lies outside the calibrated"))

    for (arguments, status, message) in [
      (["limits", "din.json", "--alpha", "0.7"], Int32(64), "--alpha and --beta"),
      (["limits", "din.json", "--method", "exact"], 64, "method"),
      (["limits", "din.json", "--replicates", "0"], 64, "--replicates"),
      (["limits", "missing.json"], 66, "missing.json"),
    ] {
      let outcome = try CommandLineTool.run(arguments + ["-o", "bad.json"], in: directory)
      #expect(outcome.status == status, "\(arguments): \(outcome.error)")
      #expect(outcome.error.contains(message), "\(arguments): \(outcome.error)")
    }
    let elisa = try CommandLineTool.run(
      [
        "fit", Self.fixture("elisa-4pl.csv"), "--x", "conc_ng_mL", "--y", "od", "--model", "4pl",
        "-o", "elisa.json",
      ], in: directory)
    #expect(elisa.status == 0)
    let refused = try CommandLineTool.run(
      ["limits", "elisa.json", "-o", "bad.json"], in: directory)
    #expect(refused.status == 65 && refused.error.contains("linear in their parameters"))
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.json").path))
  }

  @Test("measure --threshold: the probability above it, in JSON and CSV")
  func threshold() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try CommandLineTool.run(
      ["fit", Self.fixture("din32645.csv"), "--x", "x", "--y", "y", "-o", "din.json"],
      in: directory)
    let observations = directory.appendingPathComponent("o.csv")
    try "id,y\na,3155.39\nb,7000\n".write(to: observations, atomically: true, encoding: .utf8)
    let csv = try CommandLineTool.run(
      [
        "measure", "din.json", "o.csv", "--y", "y", "--id", "id", "--format", "csv",
        "--threshold", "0.2",
      ], in: directory)
    #expect(csv.status == 0, "\(csv.error)")
    let lines = csv.output.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    let header = lines.first ?? []
    let (t, p) = (header.firstIndex(of: "threshold") ?? 0, header.firstIndex(of: "p_above") ?? 0)
    #expect(p == t + 1 && header[p + 1] == "quantitation")
    // a reads at the critical value, far below 0.2; b near the top, far above. Neither has
    // reasons, so the fields split on commas.
    let rows = lines.dropFirst().map { ($0[t], Double($0[p]) ?? .nan) }
    #expect(rows.map(\.0) == ["0.2", "0.2"])
    #expect(rows[0].1 < 1e-3 && rows[1].1 > 1 - 1e-3)
    let bad = try CommandLineTool.run(
      ["measure", "din.json", "o.csv", "--y", "y", "--threshold", "nan"], in: directory)
    #expect(bad.status == 64 && bad.error.contains("--threshold"))
  }
}

/// `calib fit --recovery` and `calib show`'s table of back-calculated standards.
@Suite("Back-calculated standards on the command line")
struct BackCalculationCommandTests {
  @Test("the windows are settable, listed by show, and refused when malformed")
  func recoveryWindows() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let calibration = LimitsCommandTests.fixture("elisa-blank.csv")
    let fit = try CommandLineTool.run(
      [
        "fit", calibration, "--x", "conc_ng_mL", "--y", "od", "--model", "4pl",
        "--recovery", "80:120", "--recovery-lowest", "75:125", "-o", "e.json",
      ], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    let file =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: directory.appendingPathComponent("e.json"))) as? [String: Any]
    let quantitation = file?["quantitation"] as? [String: Any]
    #expect((quantitation?["recovery"] as? [String: Double]) == ["lower": 80, "upper": 120])
    let standards = file?["standards"] as? [[String: Any]] ?? []
    #expect(standards.count == 16)
    for standard in standards {
      let x = standard["x"] as? Double ?? .nan
      guard x > 0, let recovery = standard["recovery"] as? Double else { continue }
      let window = x == 0.3 ? 75.0...125.0 : 80.0...120.0
      #expect(standard["pass"] as? Bool == window.contains(recovery))
    }
    let show = try CommandLineTool.run(["show", "e.json"], in: directory)
    #expect(show.output.contains("back-calculated standards (recovery 80–120%, lowest 75–125%)"))
    #expect(show.output.contains("quantitation LLOQ"))
    for bad in ["120:80", "a:b", "-5:10", "85"] {
      let outcome = try CommandLineTool.run(
        ["fit", calibration, "--x", "conc_ng_mL", "--y", "od", "--recovery", bad, "-o", "b.json"],
        in: directory)
      #expect(outcome.status == 64 && outcome.error.contains("--recovery"), "\(bad)")
    }
  }
}
