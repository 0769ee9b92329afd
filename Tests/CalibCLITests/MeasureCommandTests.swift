import Foundation
import Testing

/// End-to-end runs of `calib measure`.
@Suite("calib measure on the command line")
struct MeasureCommandTests {
  /// Fits the absorbance fixture into `directory`/abs.json.
  func instrument(in directory: URL) throws {
    let fit = try CommandLineTool.fitAbsorbance(in: directory)
    #expect(fit.status == 0, "\(fit.error)")
  }

  var observations: String {
    CommandLineTool.fixtures.appendingPathComponent("absorbance-observations.csv").path
  }

  @Test("JSON report per the contract, in input order, with a summary")
  func json() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let run = try CommandLineTool.run(
      [
        "measure", "abs.json", observations, "--y", "absorbance", "--group", "sample", "-o",
        "report.json",
      ], in: directory)
    #expect(run.status == 0, "\(run.error)")
    let data = try Data(contentsOf: directory.appendingPathComponent("report.json"))
    let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(report["format"] as? String == "calib-report/1")
    let settings = try #require(report["settings"] as? [String: Any])
    #expect(settings["level"] as? Double == 0.95 && settings["method"] as? String == "bayes")
    let list = try #require(report["observations"] as? [[String: Any]])
    #expect(list.map { $0["id"] as? String } == ["blank", "low", "mid", "high", "beyond", "far"])
    let mid = list[2]
    #expect((mid["readings"] as? [Double])?.count == 3)
    let x = try #require(mid["x"] as? [String: Any])
    for key in ["estimate", "mean", "sd", "median", "interval", "hpd"] {
      #expect(x[key] != nil, "x.\(key)")
    }
    #expect(x["estimate"] as? Double == x["median"] as? Double)
    let coverage = try #require(mid["coverage"] as? [String: Any])
    #expect(coverage["status"] as? String == "covered" && coverage["reasons"] is [String])
    let summary = try #require(report["summary"] as? [String: Any])
    #expect(summary["observations"] as? Int == 6)
    #expect(
      (summary["by_status"] as? [String: Int]) == [
        "covered": 4, "extrapolated": 1, "out_of_range": 1,
      ])
  }

  @Test("NDJSON: one object per line; CSV: a header and one row per observation")
  func streams() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let ndjson = try CommandLineTool.run(
      ["measure", "abs.json", observations, "--y", "absorbance", "--format", "ndjson"],
      in: directory)
    let lines = ndjson.output.split(separator: "\n")
    #expect(ndjson.status == 0 && lines.count == 8)
    for line in lines {
      #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any])
    }
    let csv = try CommandLineTool.run(
      [
        "measure", "abs.json", observations, "--y", "absorbance", "--format", "csv", "--method",
        "wald",
      ], in: directory)
    let rows = csv.output.split(separator: "\n")
    #expect(csv.status == 0 && rows.count == 9)
    #expect(rows[0].hasPrefix("id,line,readings,mean_reading,method,estimate"))
    #expect(rows[1].contains(",wald,"))
  }

  /// Several batches of 4096 observations, with observations that cannot be measured among
  /// them (an unreadable cell, a reading no x explains), whose bytes take the place of a
  /// report in a worker's buffer: every format the same, bit for bit, on 1, 2 and 3 threads.
  @Test("the same report, bit for bit, with one thread, two or three")
  func threads() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let count = 9_000
    let rows = (0..<count).map { (k: Int) -> String in
      if k % 1_009 == 5 { return "nan" }
      if k % 997 == 7 { return "1e300" }
      return String(format: "%.4f", 0.0052 + 0.0987 * Double(k % 97) / 9.7)
    }
    try ("absorbance\n" + rows.joined(separator: "\n") + "\n").write(
      to: directory.appendingPathComponent("many.csv"), atomically: true, encoding: .utf8)
    for format in ["ndjson", "json", "csv"] {
      let runs = try ["1", "2", "3"].map { threads in
        try CommandLineTool.run(
          [
            "measure", "abs.json", "many.csv", "--y", "absorbance", "--format", format,
            "--threads", threads,
          ], in: directory)
      }
      #expect(runs.allSatisfy { $0.status == 0 }, "\(format)")
      #expect(runs[1].output == runs[0].output && runs[2].output == runs[0].output, "\(format)")
      guard format == "ndjson" else { continue }
      let lines = runs[0].output.split(separator: "\n")
      #expect(lines.count == count)
      // Each line is its own observation's, in input order: the failures where they were put.
      let failed = lines.indices.filter { lines[$0].hasPrefix("{\"error\"") }
      #expect(failed == rows.indices.filter { rows[$0] == "nan" || rows[$0] == "1e300" })
      #expect(lines.indices.allSatisfy { lines[$0].contains("\"line\":\($0 + 2),") })
    }
    #expect(
      try CommandLineTool.run(
        ["measure", "abs.json", "many.csv", "--y", "absorbance", "--threads", "0"], in: directory
      ).status == 64)
  }

  /// More threads than observations measure them as one thread does; an error that every
  /// observation meets alike (readings without the u a known-noise instrument needs), thrown
  /// by whichever worker meets it first, stops a run of two batches on any number of threads
  /// with exit 64, the first observation's words, and no report file.
  @Test("more threads than observations; an error every observation meets, on any threads")
  func threadsAndStoppingErrors() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    try "absorbance\n0.2\n0.45\n0.7\n0.95\n1.2\n".write(
      to: directory.appendingPathComponent("few.csv"), atomically: true, encoding: .utf8)
    let arguments = ["measure", "abs.json", "few.csv", "--y", "absorbance", "--format", "ndjson"]
    let one = try CommandLineTool.run(arguments + ["--threads", "1"], in: directory)
    let many = try CommandLineTool.run(arguments + ["--threads", "16"], in: directory)
    #expect(one.status == 0 && many.status == 0)
    #expect(one.output.split(separator: "\n").count == 5 && many.output == one.output)

    // Known u(y) that differ between standards: each reading needs its own (--sy).
    try "x,y,u\n1,2,0.1\n2,4,0.2\n3,5.9,0.1\n".write(
      to: directory.appendingPathComponent("known.csv"), atomically: true, encoding: .utf8)
    let fit = try CommandLineTool.run(
      ["fit", "known.csv", "--x", "x", "--y", "y", "--sy", "u", "-o", "known.json"],
      in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    let rows = (0..<5_000).map { "s\($0),\(2 + Double($0 % 7) / 2)" }
    try ("id,y\n" + rows.joined(separator: "\n") + "\n").write(
      to: directory.appendingPathComponent("plain.csv"), atomically: true, encoding: .utf8)
    for threads in ["1", "2", "3"] {
      let run = try CommandLineTool.run(
        [
          "measure", "known.json", "plain.csv", "--y", "y", "--id", "id", "--threads", threads,
          "-o", "report.ndjson",
        ], in: directory)
      #expect(run.status == 64, "\(threads)")
      #expect(run.error.hasPrefix("calib: error: observation 's0': "), "\(run.error)")
      let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
      #expect(!left.contains { $0.contains("report") }, "\(left)")
    }
  }

  /// `-o` naming an input (by another path, or a link to it) is refused before anything is
  /// written: exit 64, the input unchanged; by fit, and by the commands that read an
  /// instrument. An output beside the inputs is written.
  @Test("-o that would replace an input is refused, the input unchanged")
  func outputOverAnInput() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let text = "absorbance\n0.31\n0.52\n"
    let file = directory.appendingPathComponent("obs.csv")
    try text.write(to: file, atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(
      atPath: directory.appendingPathComponent("link.csv").path, withDestinationPath: "obs.csv")
    let instrumentBytes = try Data(contentsOf: directory.appendingPathComponent("abs.json"))
    for target in ["obs.csv", "./obs.csv", "link.csv", "abs.json"] {
      let run = try CommandLineTool.run(
        ["measure", "abs.json", "obs.csv", "--y", "absorbance", "-o", target], in: directory)
      #expect(run.status == 64, "-o \(target): \(run.error)")
      #expect(run.error.contains("the output would replace it"), "\(run.error)")
    }
    #expect(try String(contentsOf: file, encoding: .utf8) == text)
    #expect(try Data(contentsOf: directory.appendingPathComponent("abs.json")) == instrumentBytes)
    let fit = try CommandLineTool.run(
      ["fit", "obs.csv", "--x", "absorbance", "--y", "absorbance", "-o", "link.csv"],
      in: directory)
    #expect(fit.status == 64, "\(fit.error)")
    #expect(try String(contentsOf: file, encoding: .utf8) == text)
    for command in ["limits", "plot", "report", "coverage"] {
      let run = try CommandLineTool.run([command, "abs.json", "-o", "abs.json"], in: directory)
      #expect(run.status == 64, "\(command): \(run.error)")
    }
    #expect(try Data(contentsOf: directory.appendingPathComponent("abs.json")) == instrumentBytes)
    let beside = try CommandLineTool.run(
      ["measure", "abs.json", "obs.csv", "--y", "absorbance", "-o", "report.json"], in: directory)
    #expect(beside.status == 0)
  }

  @Test("--progress reports on standard error and leaves the report alone")
  func progress() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let plain = try CommandLineTool.run(
      ["measure", "abs.json", observations, "--y", "absorbance", "--format", "csv"], in: directory)
    let counted = try CommandLineTool.run(
      ["measure", "abs.json", observations, "--y", "absorbance", "--format", "csv", "--progress"],
      in: directory)
    #expect(counted.status == 0 && counted.output == plain.output)
    #expect(counted.error.contains("calib: done: 8 observations"))
  }

  @Test("classical methods and a negative range in the = form")
  func options() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let run = try CommandLineTool.run(
      [
        "measure", "abs.json", "-", "--y", "absorbance", "--method", "inversion", "--level", "0.9",
        "--range=-2:12", "--format", "ndjson",
      ],
      input: "absorbance\n0.5\n", in: directory)
    #expect(run.status == 0, "\(run.error)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
    let x = try #require(object["x"] as? [String: Any])
    #expect(x["method"] as? String == "inversion")
    #expect((x["interval"] as? [String: Any])?["level"] as? Double == 0.9)
  }

  @Test(
    "bad usage and bad data get the contract's exit codes and leave no report",
    arguments: [
      (["--level", "1.5"], "absorbance\n0.5\n", Int32(64), "--level"),
      (["--range", "5:1"], "absorbance\n0.5\n", 64, "--range"),
      (["--method", "magic"], "absorbance\n0.5\n", 64, "magic"),
      (
        ["--marginalize", "integration"], "absorbance\n0.5\n", 64,
        "applies to nonlinear instruments only"
      ),
      (
        ["--marginalize", "linearized"], "absorbance\n0.5\n", 64,
        "applies to nonlinear instruments only"
      ),
      (
        [], "absorbance\n0.5\n\"abc\n", 65,
        "obs.csv:3:1: the quoted field that starts here is never closed"
      ),
      ([], "reading\n0.5\n", 65, "no column named 'absorbance'"),
      (
        ["--group", "g"], "g,absorbance\nA,0.5\nB,0.6\nA,0.7\n", 65,
        "obs.csv:4:1: the rows of group 'A' are not consecutive"
      ),
    ])
  func failures(_ extra: [String], csv: String, status: Int32, message: String) throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    try csv.write(
      to: directory.appendingPathComponent("obs.csv"), atomically: true, encoding: .utf8)
    let run = try CommandLineTool.run(
      ["measure", "abs.json", "obs.csv", "--y", "absorbance", "-o", "r.json"] + extra, in: directory
    )
    #expect(run.status == status, "\(run.error)")
    #expect(run.error.contains(message), "\(run.error)")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
        "abs.json", "obs.csv",
      ])
  }

  @Test("a missing or foreign instrument file, and stdin twice")
  func instrumentProblems() throws {
    let missing = try CommandLineTool.run(["measure", "/nonexistent.json", "-", "--y", "y"])
    #expect(missing.status == 66)
    let foreign = try CommandLineTool.run(
      ["measure", "-", observations, "--y", "absorbance"], input: "{\"format\": \"other/1\"}")
    #expect(foreign.status == 65 && foreign.error.contains("other/1"))
    let twice = try CommandLineTool.run(["measure", "-", "-", "--y", "y"])
    #expect(twice.status == 64)
  }

  @Test("a known-noise instrument whose standards' u differ needs --sy")
  func needsUncertainty() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try "x,y,u\n0,0.1,0.1\n1,2.0,0.2\n2,4.1,0.1\n3,5.9,0.3\n".write(
      to: directory.appendingPathComponent("cal.csv"), atomically: true, encoding: .utf8)
    #expect(
      try CommandLineTool.run(
        ["fit", "cal.csv", "--x", "x", "--y", "y", "--sy", "u", "-o", "i.json"], in: directory
      ).status == 0)
    let run = try CommandLineTool.run(
      ["measure", "i.json", "-", "--y", "y"], input: "y\n3\n", in: directory)
    #expect(run.status == 64 && run.error.contains("--sy"))
    let given = try CommandLineTool.run(
      ["measure", "i.json", "-", "--y", "y", "--sy", "u"], input: "y,u\n3,0.2\n", in: directory)
    #expect(given.status == 0, "\(given.error)")
  }

  @Test("calib coverage maps the instrument and checks observations")
  func coverage() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let map = try CommandLineTool.run(["coverage", "abs.json", "--points", "11"], in: directory)
    #expect(map.status == 0, "\(map.error)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(map.output.utf8)) as? [String: Any])
    #expect(json["format"] as? String == "calib-coverage/1")
    #expect((json["points"] as? [Any])?.count == 11)
    #expect(json["observations"] == nil)
    let checked = try CommandLineTool.run(
      ["coverage", "abs.json", observations, "--y", "absorbance", "--group", "sample"],
      in: directory)
    let blocks = try #require(
      (try JSONSerialization.jsonObject(with: Data(checked.output.utf8)) as? [String: Any])?[
        "observations"] as? [[String: Any]])
    #expect(blocks.count == 6)
    #expect(
      blocks.compactMap { ($0["coverage"] as? [String: Any])?["status"] as? String } == [
        "covered", "covered", "covered", "covered", "extrapolated", "out_of_range",
      ])
    let usage = try CommandLineTool.run(["coverage", "abs.json", observations], in: directory)
    #expect(usage.status == 64)
  }

  @Test("calib validate writes the contract's fields and refuses bad levels")
  func validate() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let run = try CommandLineTool.run(
      ["validate", "abs.json", "--trials", "50", "--levels", "0.5,0.9", "--seed", "4"],
      in: directory)
    #expect(run.status == 0, "\(run.error)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
    let levels = try #require(json["levels"] as? [[String: Any]])
    #expect(levels.map { $0["level"] as? Double } == [0.5, 0.9])
    #expect(levels.allSatisfy { $0["coverage"] is Double && $0["trials"] as? Int == 50 })
    #expect(json["ranks"] is [String: Any])
    let again = try CommandLineTool.run(
      ["validate", "abs.json", "--trials", "50", "--levels", "0.5,0.9", "--seed", "4"],
      in: directory)
    #expect(again.output == run.output)
    #expect(
      try CommandLineTool.run(["validate", "abs.json", "--levels", "0.5,1.2"], in: directory).status
        == 64)
    #expect(try CommandLineTool.run(["validate", "missing.json"], in: directory).status == 66)
  }
}
