import Foundation
import Testing

/// `calib fit --y y1,y2`, `calib measure` and `calib validate` with several outputs and
/// unknowns on the command line (docs/geometry.md).
@Suite("calib with several outputs")
struct SeveralOutputsCommandTests {
  static func fixture(_ name: String) -> String {
    CommandLineTool.fixtures.appendingPathComponent(name).path
  }

  @Test("a two-channel sensor: fit, measure in every format, show, validate")
  func twoChannelSensor() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.run(
      [
        "fit", Self.fixture("two-channel-sensor.csv"), "--x", "conc", "--y", "signal,reference",
        "-o", "s.json",
      ], in: directory)
    #expect(fit.status == 0 && fit.error.isEmpty)
    let file =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: directory.appendingPathComponent("s.json"))) as? [String: Any]
    #expect((file?["outputs"] as? [Any])?.count == 2)
    #expect((file?["noise"] as? [String: Any])?["structure"] as? String == "full")
    let observations = Self.fixture("two-channel-observations.csv")
    let json = try CommandLineTool.run(
      ["measure", "s.json", observations, "--y", "signal,reference", "--id", "sample"],
      in: directory)
    #expect(json.status == 0)
    let report = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
    let items = report?["observations"] as? [[String: Any]] ?? []
    #expect(items.count == 4)
    #expect((items.first?["readings"] as? [[Double]]) == [[2.5845, 1.6033]])
    let median = (items.first?["x"] as? [String: Any])?["median"] as? Double ?? .nan
    #expect(Swift.abs(median - 0.8369449765801358) < 1e-6 * 0.2054)
    let statuses = items.compactMap { ($0["coverage"] as? [String: Any])?["status"] as? String }
    #expect(statuses == ["covered", "covered", "covered", "inconsistent"])
    let summary = report?["summary"] as? [String: Any]
    #expect((summary?["by_status"] as? [String: Int]) == ["covered": 3, "inconsistent": 1])
    for format in ["ndjson", "csv", "table"] {
      let out = try CommandLineTool.run(
        [
          "measure", "s.json", observations, "--y", "signal,reference", "--id", "sample",
          "--format", format, "--threads", "1",
        ], in: directory)
      #expect(out.status == 0, "\(format): \(out.error)")
      #expect(out.output.contains("inconsistent"))
    }
    let csv = try CommandLineTool.run(
      [
        "measure", "s.json", observations, "--y", "signal,reference", "--id", "sample",
        "--format", "csv",
      ], in: directory)
    #expect(csv.output.hasPrefix("id,line,readings,conc_estimate,conc_sd,conc_lower,conc_upper"))
    let show = try CommandLineTool.run(["show", "s.json"], in: directory)
    #expect(show.status == 0)
    #expect(show.output.contains("signal") && show.output.contains("correlation"))
    let validate = try CommandLineTool.run(
      ["validate", "s.json", "--trials", "50", "--seed", "2"], in: directory)
    #expect(validate.status == 0)
    #expect(validate.output.contains("\"quantities\""))
    let coverage = try CommandLineTool.run(
      [
        "coverage", "s.json", observations, "--y", "signal,reference", "--id", "sample",
        "--points", "11", "-o", "map.json",
      ], in: directory)
    #expect(coverage.status == 0, "\(coverage.error)")
    let map =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: directory.appendingPathComponent("map.json"))) as? [String: Any]
    #expect(map?["format"] as? String == "calib-multi-output-coverage/1")
    let axes = map?["axes"] as? [[String: Any]] ?? []
    #expect(axes.count == 1 && (axes.first?["points"] as? [Any])?.count == 11)
    let blocks = map?["observations"] as? [[String: Any]] ?? []
    #expect(
      blocks.compactMap { ($0["coverage"] as? [String: Any])?["status"] as? String }
        == ["covered", "covered", "covered", "inconsistent"])
    let reordered = try CommandLineTool.run(
      ["coverage", "s.json", observations, "--y", "reference,signal", "-o", "bad.json"],
      in: directory)
    #expect(reordered.status == 64 && reordered.error.contains("another order"))
    let twice = try CommandLineTool.run(
      ["coverage", "s.json", observations, "--y", "signal,signal"], in: directory)
    #expect(twice.status == 64 && twice.error.contains("given twice"))
    let noObservations = try CommandLineTool.run(
      ["coverage", "s.json", "--y", "signal,reference"], in: directory)
    #expect(noObservations.status == 64 && noObservations.error.contains("observations file"))
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.json").path))
  }

  @Test("a two-component mixture at three wavelengths: both concentrations, jointly")
  func mixture() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.run(
      [
        "fit", Self.fixture("two-component-mixture.csv"), "--x", "c1,c2", "--y",
        "A420,A520,A610", "--model", "b0 + b1*c1 + b2*c2", "-o", "m.json",
      ], in: directory)
    #expect(fit.status == 0 && fit.error.isEmpty)
    let measure = try CommandLineTool.run(
      [
        "measure", "m.json", Self.fixture("two-component-observations.csv"), "--y",
        "A420,A520,A610", "--id", "sample", "--format", "ndjson", "--range=c1=-1:4,c2=-1:4",
      ], in: directory)
    #expect(measure.status == 0, "\(measure.error)")
    let first =
      try JSONSerialization.jsonObject(
        with: Data((measure.output.split(separator: "\n").first ?? "").utf8)) as? [String: Any]
    let quantities = first?["quantities"] as? [String: [String: Any]]
    #expect(quantities?.keys.sorted() == ["c1", "c2"])
    #expect((first?["joint"] as? [String: Any])?["bounded"] as? Bool == true)
    #expect((first?["correlation"] as? [[Double]])?.count == 2)
    let coverage = first?["coverage"] as? [String: Any]
    #expect((coverage?["quantities"] as? [String: Any])?.count == 2)
    #expect((coverage?["metric"] as? [String: Any])?["to_nearest_standard"] is Double)
  }

  @Test("the mixture's standards measured back, listed by show; measure --dilution per unknown")
  func backCalculationAndDilution() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.run(
      [
        "fit", Self.fixture("two-component-mixture.csv"), "--x", "c1,c2", "--y",
        "A420,A520,A610", "--model", "b0 + b1*c1 + b2*c2", "--recovery", "80:120",
        "--recovery-lowest", "70:130", "-o", "m.json",
      ], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    let file =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: directory.appendingPathComponent("m.json"))) as? [String: Any]
    let standards = file?["standards"] as? [[String: Any]] ?? []
    #expect(standards.count == 16)
    for standard in standards {
      let x = standard["x"] as? [Double] ?? []
      let recovery = standard["recovery"] as? [Any] ?? []
      let pass = standard["pass"] as? [Any] ?? []
      #expect(x.count == 2 && recovery.count == 2 && pass.count == 2)
      for a in 0..<min(x.count, recovery.count, pass.count) {
        guard x[a] > 0 else {
          #expect(recovery[a] is NSNull && pass[a] is NSNull)
          continue
        }
        // Each component's lowest positive level is 1.
        let window = x[a] == 1 ? 70.0...130.0 : 80.0...120.0
        let value = recovery[a] as? Double ?? .nan
        #expect(pass[a] as? Bool == window.contains(value), "\(x): \(value)")
      }
    }
    let quantitation = file?["quantitation"] as? [String: Any]
    #expect((quantitation?["lloq"] as? [Any])?.count == 2)
    let show = try CommandLineTool.run(["show", "m.json"], in: directory)
    #expect(show.status == 0)
    #expect(show.output.contains("back-calculated standards (recovery 80–120%, lowest 70–130%)"))
    #expect(show.output.contains("quantitation c1 LLOQ") && show.output.contains("; c2 LLOQ"))
    #expect(show.output.contains("c1 blank, c2 blank"))
    let observations = """
      sample,A420,A520,A610,f
      M1,0.1229,2.3052,1.6685,10
      M2,0.0597,2.0049,1.9134,2.5
      M3,0.0625,1.8723,2.3018,0
      """
    try Data(observations.utf8).write(to: directory.appendingPathComponent("o.csv"))
    let arguments = [
      "measure", "m.json", "o.csv", "--y", "A420,A520,A610", "--id", "sample", "--dilution", "f",
      "--threads", "1",
    ]
    let json = try CommandLineTool.run(arguments, in: directory)
    #expect(json.status == 0, "\(json.error)")
    let report = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
    let items = report?["observations"] as? [[String: Any]] ?? []
    #expect(items.count == 3)
    for (item, factor) in zip(items.prefix(2), [10.0, 2.5]) {
      let quantities = item["quantities"] as? [String: [String: Any]]
      let undiluted = item["undiluted"] as? [String: [String: Any]]
      for name in ["c1", "c2"] {
        let measured = quantities?[name]?["estimate"] as? Double ?? .nan
        // Written exactly (the engine's tests hold it to the bit); JSONSerialization reads
        // the shortest decimal back to within an ulp.
        let value = undiluted?[name]?["estimate"] as? Double ?? .nan
        #expect(Swift.abs(value - factor * measured) <= 2 * (factor * measured).ulp)
        #expect(undiluted?[name]?["factor"] as? Double == factor)
      }
      #expect((item["quantitation"] as? [String: String])?.count == 2)
    }
    // A factor that is not positive: that observation's error, at its line and column.
    let error = items.last?["error"] as? [String: Any]
    #expect((error?["message"] as? String)?.contains("o.csv:4:25") == true, "\(items.last ?? [:])")
    let csv = try CommandLineTool.run(arguments + ["--format", "csv"], in: directory)
    #expect(csv.status == 0)
    // The columns after `reasons` hold no commas: count them from the end of a row.
    let lines = csv.output.split(separator: "\n").map(String.init)
    let header = lines.first?.split(separator: ",").map(String.init) ?? []
    for column in [
      "c1_quantitation", "c2_quantitation", "dilution", "c1_undiluted_estimate",
      "c2_undiluted_upper",
    ] {
      #expect(header.contains(column), "\(header)")
    }
    let first =
      lines.count > 1 ? lines[1].split(separator: ",", omittingEmptySubsequences: false) : []
    if let column = header.firstIndex(of: "c2_undiluted_estimate"),
      let measured = header.firstIndex(of: "c2_estimate"), first.count >= header.count
    {
      let undiluted = first[first.count - (header.count - column)]
      #expect(Double(undiluted) == 10 * (Double(first[measured]) ?? .nan))
    }
    #expect(lines.count == 4 && lines[3].hasPrefix("M3,4,") && lines[3].contains(",error,"))
    for format in ["ndjson", "table"] {
      let out = try CommandLineTool.run(arguments + ["--format", format], in: directory)
      #expect(out.status == 0, "\(format): \(out.error)")
    }
    let strict = try CommandLineTool.run(arguments + ["--strict", "-o", "r.json"], in: directory)
    #expect(strict.status == 65)
  }

  @Test("what cannot be done with several outputs is refused with the reason")
  func refusals() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = Self.fixture("two-channel-sensor.csv")
    let cases: [([String], String)] = [
      (
        ["fit", data, "--x", "conc", "--y", "signal,reference", "--noise", "student:linear"],
        "--noise"
      ),
      (
        ["fit", data, "--x", "conc", "--y", "signal,reference", "--model", "poly:1;poly:1;poly:2"],
        "3 specs"
      ),
      (["fit", data, "--x", "conc", "--y", "signal,signal"], "named twice"),
      (["fit", data, "--x", "conc", "--y", "signal", "--covariance", "full"], "several outputs"),
    ]
    for (arguments, phrase) in cases {
      let outcome = try CommandLineTool.run(arguments + ["-o", "x.json"], in: directory)
      #expect(outcome.status == 64, "\(arguments)")
      #expect(outcome.error.contains(phrase), "\(outcome.error)")
      #expect(
        !FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.json").path))
    }
    _ = try CommandLineTool.run(
      ["fit", data, "--x", "conc", "--y", "signal,reference", "-o", "s.json"], in: directory)
    let observations = Self.fixture("two-channel-observations.csv")
    let wrongColumns = try CommandLineTool.run(
      ["measure", "s.json", observations, "--y", "signal", "-o", "r.json"], in: directory)
    #expect(wrongColumns.status == 64 && wrongColumns.error.contains("2 outputs"))
    let swapped = try CommandLineTool.run(
      ["measure", "s.json", observations, "--y", "reference,signal"], in: directory)
    #expect(swapped.status == 64 && swapped.error.contains("in another order"))
    let overlap = try CommandLineTool.run(
      ["fit", data, "--x", "conc", "--y", "conc,signal", "-o", "o.json"], in: directory)
    #expect(overlap.status == 64 && overlap.error.contains("both as a predictor"))
    let classical = try CommandLineTool.run(
      ["measure", "s.json", observations, "--y", "signal,reference", "--method", "wald"],
      in: directory)
    #expect(classical.status == 64 && classical.error.contains("--method bayes"))
    let badRange = try CommandLineTool.run(
      ["measure", "s.json", observations, "--y", "signal,reference", "--range=dose=0:1"],
      in: directory)
    #expect(badRange.status == 64 && badRange.error.contains("not a predictor"))
    // An instrument with two predictors and one output cannot measure.
    let mixture = Self.fixture("two-component-mixture.csv")
    _ = try CommandLineTool.run(
      [
        "fit", mixture, "--x", "c1,c2", "--y", "A520", "--model", "b0 + b1*c1 + b2*c2", "-o",
        "one.json",
      ], in: directory)
    let one = try CommandLineTool.run(
      ["measure", "one.json", Self.fixture("two-component-observations.csv"), "--y", "A520"],
      in: directory)
    #expect(one.status == 65 && one.error.contains("not identifiable"))
  }
}
