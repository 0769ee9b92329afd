import CalibSystem
import Foundation
import Testing

/// `calib measure --shard K/N`: the parts of 1…N, concatenated, are the single run's bytes.
@Suite("calib measure --shard")
struct ShardCommandTests {
  /// Writes the absorbance instrument and an observations file with replicate groups (one of
  /// them with a bad reading, one row with a quoted note holding a line break) into a scratch
  /// folder.
  func prepare() throws -> URL {
    let directory = try CommandLineTool.scratchDirectory()
    let fit = try CommandLineTool.fitAbsorbance(in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    var rows = ["sample,absorbance,note"]
    for g in 0..<60 {
      for r in 0...(g % 4) {
        let reading = g == 17 && r == 1 ? "NaN" : "\(0.01 + Double((g * 37 + r * 11) % 90) / 100)"
        rows.append("s\(g),\(reading),\(g == 30 ? "\"two\nlines\"" : "plain")")
      }
    }
    try (rows.joined(separator: "\n") + "\n").write(
      to: directory.appendingPathComponent("obs.csv"), atomically: true, encoding: .utf8)
    return directory
  }

  @Test("ndjson and csv: shards concatenate to the single run, for any N", arguments: [2, 3, 8])
  func concatenation(count: Int) throws {
    let directory = try prepare()
    defer { try? FileManager.default.removeItem(at: directory) }
    for format in ["ndjson", "csv"] {
      let options = ["--y", "absorbance", "--group", "sample", "--format", format]
      let whole = try CommandLineTool.run(
        ["measure", "abs.json", "obs.csv"] + options + ["-o", "whole"], in: directory)
      #expect(whole.status == 0, "\(whole.error)")
      var joined = Data()
      for index in 1...count {
        let part = try CommandLineTool.run(
          ["measure", "abs.json", "obs.csv"] + options
            + ["--shard", "\(index)/\(count)", "--threads", "\(1 + index % 2)", "-o", "part"],
          in: directory)
        #expect(part.status == 0, "\(part.error)")
        joined += try Data(contentsOf: directory.appendingPathComponent("part"))
      }
      let expected = try Data(contentsOf: directory.appendingPathComponent("whole"))
      #expect(joined == expected, "\(format), \(count) shards")
      // 60 observations (one an error), a header line for CSV.
      #expect(
        String(decoding: expected, as: UTF8.self).split(separator: "\n").count
          == 60 + (format == "csv" ? 1 : 0))
    }
  }

  @Test(
    "refused: a bad K/N, json and table, standard input",
    arguments: [
      (["--shard", "0/3"], "1 ≤ K ≤ N, found 0/3"), (["--shard", "4/3"], "found 4/3"),
      (["--shard", "1/0"], "N ≥ 1"),
      (["--shard", "a/b"], "digits alone, such as 2/8, each below 2⁶³; found 'a/b'"),
      (["--shard", "+1/+3"], "found '+1/+3'"), (["--shard=-1/3"], "found '-1/3'"),
      (["--shard", "-1/3"], "found '-1/3'"),
      (["--shard", "1/2/3"], "found '1/2/3'"), (["--shard", "2"], "found '2'"),
      (["--shard", "1/2", "--format", "json"], "ndjson or csv"),
      (["--shard", "1/2", "--format", "table"], "ndjson or csv"),
    ])
  func refused(arguments: [String], message: String) throws {
    let directory = try prepare()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try CommandLineTool.run(
      ["measure", "abs.json", "obs.csv", "--y", "absorbance", "-o", "out"] + arguments,
      in: directory)
    #expect(run.status == 64, "\(run.error)")
    #expect(run.error.contains(message), "\(run.error)")
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
  }

  @Test("refused: a FIFO, without waiting for a writer")
  func fifo() throws {
    let directory = try prepare()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fifo = directory.appendingPathComponent("pipe.csv").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let run = try CommandLineTool.run(
      [
        "measure", "abs.json", "pipe.csv", "--y", "absorbance", "--format", "ndjson", "--shard",
        "1/2", "-o", "out",
      ], in: directory)
    #expect(run.status == 64, "\(run.error)")
    #expect(run.error.contains("needs a regular file"), "\(run.error)")
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
  }

  @Test("refused: standard input, which cannot be sought in")
  func unseekable() throws {
    let directory = try prepare()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = try String(contentsOf: directory.appendingPathComponent("obs.csv"), encoding: .utf8)
    let run = try CommandLineTool.run(
      [
        "measure", "abs.json", "-", "--y", "absorbance", "--format", "ndjson", "--shard", "1/2",
        "-o", "out",
      ], input: input, in: directory)
    #expect(run.status == 64, "\(run.error)")
    #expect(run.error.contains("needs a regular file"), "\(run.error)")
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
  }
}
