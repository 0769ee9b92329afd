import Foundation
import Testing

/// `calib measure --map`: the measurement map on the command line.
@Suite("calib measure --map")
struct MapCommandTests {
  /// The absorbance instrument and `count` single readings across its domain (a seeded
  /// generator), in a scratch folder.
  func prepare(readings count: Int) throws -> URL {
    let directory = try CommandLineTool.scratchDirectory()
    let fit = try CommandLineTool.fitAbsorbance(in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    var state: UInt64 = 7
    var rows = ["absorbance"]
    for _ in 0..<count {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      rows.append(String(format: "%.4f", -0.05 + 1.1 * Double(state >> 11) / Double(1 << 53)))
    }
    try (rows.joined(separator: "\n") + "\n").write(
      to: directory.appendingPathComponent("obs.csv"), atomically: true, encoding: .utf8)
    return directory
  }

  /// The NDJSON lines of `file` in `directory`, parsed.
  func lines(_ file: String, in directory: URL) throws -> [[String: Any]] {
    let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
    return try text.split(separator: "\n").map {
      try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  @Test("on: the same figures as off to 1e-8 sd, map_error given; the same bytes on 1 or 2 threads")
  func onAndOff() throws {
    let directory = try prepare(readings: 400)
    defer { try? FileManager.default.removeItem(at: directory) }
    let options = ["measure", "abs.json", "obs.csv", "--y", "absorbance", "--format", "ndjson"]
    for (map, threads, file) in [("on", "1", "on1"), ("on", "2", "on2"), ("off", "2", "off")] {
      let run = try CommandLineTool.run(
        options + ["--map", map, "--threads", threads, "-o", file], in: directory)
      #expect(run.status == 0, "\(run.error)")
    }
    let on1 = try Data(contentsOf: directory.appendingPathComponent("on1"))
    #expect(on1 == (try Data(contentsOf: directory.appendingPathComponent("on2"))))
    let mapped = try lines("on1", in: directory)
    let exact = try lines("off", in: directory)
    #expect(mapped.count == 400 && exact.count == 400)
    var answered = 0
    for (a, b) in zip(mapped, exact) {
      let x = try #require(a["x"] as? [String: Any]), y = try #require(b["x"] as? [String: Any])
      let sd = try #require(y["sd"] as? Double)
      for key in ["mean", "sd", "median", "estimate"] {
        let u = try #require(x[key] as? Double), v = try #require(y[key] as? Double)
        #expect(abs(u - v) <= 1e-8 * sd, "\(key): \(u) vs \(v)")
      }
      let numerical = try #require(y["numerical"] as? [String: Any])
      #expect(numerical["map_error"] == nil)
      if let error = (x["numerical"] as? [String: Any])?["map_error"] as? Double {
        #expect(error <= 1e-9)
        answered += 1
      }
      let c = try #require(a["coverage"] as? [String: Any])
      let d = try #require(b["coverage"] as? [String: Any])
      #expect(c["status"] as? String == d["status"] as? String)
    }
    // Readings span the domain and a little beyond: the map answers nearly all of them.
    #expect(answered >= 380)
  }

  @Test("auto: off for a small file, on from 16 KiB; shards of a mapped run concatenate")
  func auto() throws {
    let directory = try prepare(readings: 3_000)
    defer { try? FileManager.default.removeItem(at: directory) }
    let options = ["measure", "abs.json", "obs.csv", "--y", "absorbance", "--format", "ndjson"]
    let whole = try CommandLineTool.run(options + ["-o", "whole"], in: directory)
    #expect(whole.status == 0, "\(whole.error)")
    let text = try String(
      contentsOf: directory.appendingPathComponent("whole"), encoding: .utf8)
    #expect(text.contains("\"map_error\""))
    var joined = Data()
    for index in 1...3 {
      let part = try CommandLineTool.run(
        options + ["--shard", "\(index)/3", "-o", "part"], in: directory)
      #expect(part.status == 0, "\(part.error)")
      joined += try Data(contentsOf: directory.appendingPathComponent("part"))
    }
    #expect(joined == (try Data(contentsOf: directory.appendingPathComponent("whole"))))

    // The first rows alone: a small file, the exact path.
    let rows =
      try String(contentsOf: directory.appendingPathComponent("obs.csv"), encoding: .utf8)
      .split(separator: "\n").prefix(51).joined(separator: "\n") + "\n"
    try rows.write(
      to: directory.appendingPathComponent("few.csv"), atomically: true, encoding: .utf8)
    let few = try CommandLineTool.run(
      ["measure", "abs.json", "few.csv", "--y", "absorbance", "--format", "ndjson", "-o", "few"],
      in: directory)
    #expect(few.status == 0, "\(few.error)")
    let fewText = try String(contentsOf: directory.appendingPathComponent("few"), encoding: .utf8)
    #expect(!fewText.contains("map_error"))
    #expect(fewText.split(separator: "\n").count == 50)
  }

  /// The ELISA 4PL with MCMC samples (averaged over them by default): a reading costs
  /// milliseconds by the exact path, so `auto` maps from 512 records, however few bytes they
  /// take, and not 40 records, however many (a plate's rows with long ids); the line's 650
  /// readings in 4.6 KB take the exact path (from 16 KiB). The mapped figures agree with the
  /// exact path's, measured apart, to 1e-8 sd.
  @Test("auto: from 512 records where readings are averaged over samples, from 16 KiB otherwise")
  func autoAveraging() throws {
    let directory = try prepare(readings: 650)
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.run(
      [
        "fit", CommandLineTool.fixtures.appendingPathComponent("elisa-4pl.csv").path, "--x",
        "conc_ng_mL", "--y", "od", "--model", "4pl", "--posterior", "mcmc", "--seed", "1", "-o",
        "elisa.json",
      ], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    // Optical densities on the curve's steep part, "0.1234": 7 bytes a row (a narrow span,
    // so that the map builds a few pieces only: their points cost what readings do).
    var state: UInt64 = 11
    var rows = ["od"]
    for _ in 0..<520 {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      rows.append(String(format: "%.4f", 0.5 + 0.3 * Double(state >> 11) / Double(1 << 53)))
    }
    func write(_ rows: ArraySlice<String>, to name: String) throws -> Int {
      let text = rows.joined(separator: "\n") + "\n"
      try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
      return text.utf8.count
    }
    #expect(try write(rows[...], to: "od.csv") < 4 << 10)
    let padded =
      ["id,od"]
      + rows.dropFirst().prefix(40).enumerated().map {
        "well-\($0.offset)-" + String(repeating: "x", count: 120) + "," + $0.element
      }
    #expect(try write(padded[...], to: "od-few.csv") > 4 << 10)
    #expect(try write(rows.prefix(31), to: "od-30.csv") < 4 << 10)
    let absorbance = try Data(contentsOf: directory.appendingPathComponent("obs.csv"))
    #expect(absorbance.count > 4 << 10 && absorbance.count < 16 << 10)

    func measure(_ arguments: [String], _ output: String) throws -> [[String: Any]] {
      let run = try CommandLineTool.run(
        ["measure"] + arguments + ["--format", "ndjson", "-o", output], in: directory)
      #expect(run.status == 0, "\(run.error)")
      return try lines(output, in: directory)
    }
    func mapped(_ reports: [[String: Any]]) -> Int {
      reports.filter {
        (($0["x"] as? [String: Any])?["numerical"] as? [String: Any])?["map_error"] != nil
      }.count
    }
    let elisa = try measure(["elisa.json", "od.csv", "--y", "od"], "elisa.ndjson")
    #expect(elisa.count == 520)
    #expect(mapped(elisa) == 520)
    #expect(mapped(try measure(["elisa.json", "od-few.csv", "--y", "od"], "few.ndjson")) == 0)
    #expect(mapped(try measure(["abs.json", "obs.csv", "--y", "absorbance"], "abs.ndjson")) == 0)

    let exact = try measure(["elisa.json", "od-30.csv", "--y", "od"], "exact.ndjson")
    #expect(exact.count == 30)
    for (a, b) in zip(elisa, exact) {
      let x = try #require(a["x"] as? [String: Any]), y = try #require(b["x"] as? [String: Any])
      let sd = try #require(y["sd"] as? Double)
      for key in ["mean", "sd", "median"] {
        let u = try #require(x[key] as? Double), v = try #require(y[key] as? Double)
        #expect(abs(u - v) <= 1e-8 * sd, "\(key): \(u) vs \(v)")
      }
    }
  }

  @Test("auto with --sy: mapped where the u take a few values, the exact path where they vary")
  func autoWithUncertainties() throws {
    let directory = try prepare(readings: 0)
    defer { try? FileManager.default.removeItem(at: directory) }
    for (name, distinct) in [("few", 3), ("many", 40)] {
      var rows = ["absorbance,u"]
      for k in 0..<3_000 {
        let u = 0.002 + 0.0001 * Double(k % distinct)
        rows.append(String(format: "%.4f,%.5f", 0.02 + 0.95 * Double(k % 997) / 997, u))
      }
      try (rows.joined(separator: "\n") + "\n").write(
        to: directory.appendingPathComponent("\(name).csv"), atomically: true, encoding: .utf8)
      let run = try CommandLineTool.run(
        [
          "measure", "abs.json", "\(name).csv", "--y", "absorbance", "--sy", "u", "--format",
          "ndjson", "-o", "\(name).ndjson",
        ], in: directory)
      #expect(run.status == 0, "\(run.error)")
      let mapped = try lines("\(name).ndjson", in: directory).filter {
        (($0["x"] as? [String: Any])?["numerical"] as? [String: Any])?["map_error"] != nil
      }
      // 16 distinct u at most: a map per total weight; more: every reading by the exact path.
      if distinct <= 16 {
        #expect(mapped.count >= 2_900, "\(name): \(mapped.count) mapped")
      } else {
        #expect(mapped.isEmpty, "\(name): \(mapped.count) mapped")
      }
    }
  }

  /// Triplicates with scatter, 40 groups about x = 4…6, in files padded by a column of text:
  /// a map of ȳ and the scatter from 512 KiB under `auto`, the exact path below; `on` maps
  /// them whatever the size. The figures agree to 1e-8 sd.
  @Test("auto: replicates with scatter mapped from 512 KiB; on maps them in any file")
  func autoScatter() throws {
    let directory = try prepare(readings: 0)
    defer { try? FileManager.default.removeItem(at: directory) }
    var state: UInt64 = 11
    func uniform() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53)
    }
    var groups: [[Double]] = []
    for _ in 0..<40 {
      let center = 0.4 + 0.2 * uniform()
      groups.append((0..<3).map { _ in center + 0.006 * (uniform() - 0.5) })
    }
    var results: [String: [[String: Any]]] = [:]
    for (name, padding, map) in [
      ("large", 4_600, "auto"), ("small", 1_000, "auto"), ("small", 1_000, "on"),
    ] {
      let note = String(repeating: "n", count: padding)
      var rows = ["sample,absorbance,note"]
      for (g, readings) in groups.enumerated() {
        for y in readings { rows.append(String(format: "s%d,%.5f,", g, y) + note) }
      }
      let text = rows.joined(separator: "\n") + "\n"
      #expect((text.utf8.count >= 512 << 10) == (name == "large"))
      try text.write(
        to: directory.appendingPathComponent("\(name).csv"), atomically: true, encoding: .utf8)
      let output = "\(name)-\(map).ndjson"
      let run = try CommandLineTool.run(
        [
          "measure", "abs.json", "\(name).csv", "--y", "absorbance", "--group", "sample",
          "--map", map, "--format", "ndjson", "-o", output,
        ], in: directory)
      #expect(run.status == 0, "\(run.error)")
      results[output] = try lines(output, in: directory)
    }
    func mapped(_ file: String) -> Int {
      (results[file] ?? []).filter {
        (($0["x"] as? [String: Any])?["numerical"] as? [String: Any])?["map_error"] != nil
      }.count
    }
    #expect(mapped("large-auto.ndjson") == 40)
    #expect(mapped("small-auto.ndjson") == 0)
    #expect(mapped("small-on.ndjson") == 40)
    for (a, b) in zip(results["large-auto.ndjson"] ?? [], results["small-auto.ndjson"] ?? []) {
      let x = try #require(a["x"] as? [String: Any]), y = try #require(b["x"] as? [String: Any])
      let sd = try #require(y["sd"] as? Double)
      for key in ["mean", "sd", "median"] {
        let u = try #require(x[key] as? Double), v = try #require(y[key] as? Double)
        #expect(abs(u - v) <= 1e-8 * sd, "\(key): \(u) vs \(v)")
      }
    }
  }

  @Test("--map on with an instrument with several outputs is a usage error; auto measures")
  func severalOutputs() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixtures = CommandLineTool.fixtures
    let fit = try CommandLineTool.run(
      [
        "fit", fixtures.appendingPathComponent("two-channel-sensor.csv").path, "--x", "conc",
        "--y", "signal,reference", "-o", "s.json",
      ], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    let observations = fixtures.appendingPathComponent("two-channel-observations.csv").path
    let options = ["measure", "s.json", observations, "--y", "signal,reference", "--id", "sample"]
    let on = try CommandLineTool.run(options + ["--map", "on", "-o", "on.json"], in: directory)
    #expect(on.status == 64)
    #expect(on.error.contains("--map on"), "\(on.error)")
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("on.json").path))
    let auto = try CommandLineTool.run(options + ["-o", "auto.json"], in: directory)
    #expect(auto.status == 0, "\(auto.error)")
  }
}
