import Foundation
import Testing

/// What the table and CSV show in the estimate column when the estimate is not a plain result:
/// a bound where the prior range cuts the posterior, `ambiguous` for two explanations,
/// `none` where no x gives the reading (classical). The JSON keeps the numbers.
@Suite("estimates shown as bounds, ambiguous or none")
struct EstimateDisplayTests {
  func rows(_ arguments: [String], in directory: URL) throws -> [String: [String]] {
    let run = try CommandLineTool.run(arguments + ["--format", "csv"], in: directory)
    #expect(run.status == 0, "\(run.error)")
    var rows: [String: [String]] = [:]
    for line in run.output.split(separator: "\n").dropFirst() {
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      rows[cells[0]] = cells
    }
    return rows
  }

  @Test("absorbance 'far': the upper bound of the range cuts it, shown as '> lower end'")
  func bound() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.run(
      [
        "fit", CommandLineTool.fixtures.appendingPathComponent("absorbance-line.csv").path,
        "--x", "concentration", "--y", "absorbance", "-o", "abs.json",
      ], in: directory)
    #expect(fit.status == 0)
    let observations = CommandLineTool.fixtures.appendingPathComponent(
      "absorbance-observations.csv"
    ).path
    let bayes = try rows(
      ["measure", "abs.json", observations, "--y", "absorbance", "--group", "sample"], in: directory
    )
    let far = try #require(bayes["far"])
    // Columns: estimate is 6th, lower 11th, status 15th.
    #expect(far[14] == "out_of_range")
    #expect(far[5] == "> " + far[10], "\(far)")
    let mid = try #require(bayes["mid"])
    #expect(Double(mid[5]) != nil)
    let table = try CommandLineTool.run(
      [
        "measure", "abs.json", observations, "--y", "absorbance", "--group", "sample", "--format",
        "table",
      ], in: directory)
    #expect(
      table.output.split(separator: "\n").contains { $0.hasPrefix("far") && $0.contains("> 17.") })
    // The classical estimate of a line is its closed form, beyond the prior range.
    let wald = try rows(
      [
        "measure", "abs.json", observations, "--y", "absorbance", "--group", "sample", "--method",
        "wald",
      ], in: directory)
    let farWald = try #require(wald["far"])
    #expect((Double(farWald[5]) ?? 0) > 39.9, "\(farWald)")
  }

  @Test("the quadratic fixture: 'ambiguous' in the table; 'none' where no x gives the reading")
  func ambiguousAndNone() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fit = try CommandLineTool.run(
      [
        "fit", CommandLineTool.fixtures.appendingPathComponent("quadratic-vertex.csv").path,
        "--x", "x", "--y", "reading", "--sy", "u_reading", "--model", "poly:2", "-o", "q.json",
      ], in: directory)
    #expect(fit.status == 0)
    try "id,reading,u\nq2,9.933,0.05\nhigh,14,0.05\n".write(
      to: directory.appendingPathComponent("obs.csv"), atomically: true, encoding: .utf8)
    let table = try CommandLineTool.run(
      [
        "measure", "q.json", "obs.csv", "--y", "reading", "--id", "id", "--sy", "u", "--format",
        "table",
      ], in: directory)
    #expect(
      table.output.split(separator: "\n").contains {
        $0.hasPrefix("q2") && $0.contains("ambiguous")
      }, "\(table.output)")
    let inversion = try rows(
      [
        "measure", "q.json", "obs.csv", "--y", "reading", "--id", "id", "--sy", "u", "--method",
        "inversion",
      ], in: directory)
    let high = try #require(inversion["high"])
    #expect(high[5] == "none", "\(high)")
  }
}
