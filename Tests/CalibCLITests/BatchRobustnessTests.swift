import Foundation
import Testing

/// One bad observation never sinks a batch: it is reported with an `error` object and no
/// numbers, the summary counts it, the rest is measured, and the exit code is 0 unless
/// `--strict`. Reference for the good observations: the same observations measured alone.
@Suite("batches with bad observations")
struct BatchRobustnessTests {
  func instrument(in directory: URL) throws {
    let fit = try CommandLineTool.fitAbsorbance(in: directory)
    #expect(fit.status == 0, "\(fit.error)")
  }

  /// Good rows a, d, f; row b is NaN, c has a field too many, e is empty, g has u = 0.
  let mixed =
    "id,absorbance,u\na,0.3,0.01\nb,NaN,0.01\nc,0.5,0.01,7\nd,0.6,0.01\ne,,0.01\n"
    + "f,0.7,0.01\ng,0.4,0\n"
  let good = "id,absorbance,u\na,0.3,0.01\nd,0.6,0.01\nf,0.7,0.01\n"

  @Test(
    "NDJSON: the good observations as if measured alone, each bad one an error line",
    arguments: ["", "--strict"])
  func ndjson(_ strict: String) throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    try mixed.write(
      to: directory.appendingPathComponent("mixed.csv"), atomically: true, encoding: .utf8)
    try good.write(
      to: directory.appendingPathComponent("good.csv"), atomically: true, encoding: .utf8)
    let options =
      ["--y", "absorbance", "--id", "id", "--sy", "u", "--format", "ndjson"]
      + (strict.isEmpty ? [] : [strict])
    let run = try CommandLineTool.run(
      ["measure", "abs.json", "mixed.csv"] + options + ["-o", "mixed.ndjson"], in: directory)
    #expect(run.status == (strict.isEmpty ? 0 : 65), "\(run.error)")
    let alone = try CommandLineTool.run(
      [
        "measure", "abs.json", "good.csv", "--y", "absorbance", "--id", "id", "--sy", "u",
        "--format", "ndjson",
      ], in: directory)
    let lines = try String(
      contentsOf: directory.appendingPathComponent("mixed.ndjson"), encoding: .utf8
    )
    .split(separator: "\n")
    try #require(lines.count == 7)
    let objects = try lines.map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    #expect(objects.map { $0["id"] as? String } == ["a", "b", "c", "d", "e", "f", "g"])
    let errors = objects.compactMap { $0["error"] as? [String: Any] }
    #expect(errors.count == 4)
    #expect(errors.allSatisfy { $0["code"] as? String == "unreadable" })
    let messages = errors.compactMap { $0["message"] as? String }
    #expect(
      messages[0].contains("mixed.csv:3:3") && messages[1].contains("mixed.csv:4:"), "\(messages)")
    #expect(
      objects.filter { $0["error"] != nil }.allSatisfy { $0["x"] == nil && $0["coverage"] == nil })
    // Lines of the good observations differ from the lone run only in the line number.
    let goodLines = [lines[0], lines[3], lines[5]].map { String($0) }
    let aloneLines = alone.output.split(separator: "\n").map { String($0) }
    // Counted first: the zip below stops at the shorter list.
    #expect(aloneLines.count == goodLines.count, "\(alone.output)")
    for (mixedLine, aloneLine) in zip(goodLines, aloneLines) {
      let a = try #require(
        try JSONSerialization.jsonObject(with: Data(mixedLine.utf8)) as? [String: Any])
      let b = try #require(
        try JSONSerialization.jsonObject(with: Data(aloneLine.utf8)) as? [String: Any])
      #expect(
        NSDictionary(dictionary: a["x"] as? [String: Any] ?? [:]).isEqual(
          to: b["x"] as? [String: Any] ?? [:]))
    }
  }

  @Test("JSON: the summary counts the errors apart from the statuses; CSV marks them")
  func summary() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    try mixed.write(
      to: directory.appendingPathComponent("mixed.csv"), atomically: true, encoding: .utf8)
    let run = try CommandLineTool.run(
      ["measure", "abs.json", "mixed.csv", "--y", "absorbance", "--id", "id", "--sy", "u"],
      in: directory)
    #expect(run.status == 0, "\(run.error)")
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
    let summary = try #require(report["summary"] as? [String: Any])
    #expect(summary["observations"] as? Int == 7 && summary["errors"] as? Int == 4)
    #expect((summary["by_status"] as? [String: Int])?.values.reduce(0, +) == 3)
    let csv = try CommandLineTool.run(
      [
        "measure", "abs.json", "mixed.csv", "--y", "absorbance", "--id", "id", "--sy", "u",
        "--format", "csv",
      ], in: directory)
    let rows = csv.output.split(separator: "\n")
    #expect(rows.count == 8 && rows.filter { $0.contains(",error,") }.count == 4)
    #expect(!csv.output.lowercased().contains(",nan,") && !csv.output.contains(",inf,"))
  }

  @Test("replicates: a bad reading fails its group only")
  func groups() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let text = "sample,absorbance\nA,0.3\nA,0.31\nB,0.5\nB,oops\nC,0.7\nC,0.71\n"
    try text.write(
      to: directory.appendingPathComponent("groups.csv"), atomically: true, encoding: .utf8)
    let run = try CommandLineTool.run(
      [
        "measure", "abs.json", "groups.csv", "--y", "absorbance", "--group", "sample", "--format",
        "ndjson",
      ], in: directory)
    #expect(run.status == 0, "\(run.error)")
    let objects = try run.output.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    #expect(objects.map { $0["id"] as? String } == ["A", "B", "C"])
    #expect(objects.map { $0["error"] != nil } == [false, true, false])
    #expect((objects[2]["readings"] as? [Double]) == [0.7, 0.71])
  }
}
