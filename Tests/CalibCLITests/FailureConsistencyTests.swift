import Foundation
import Testing

/// Failures that do not depend on how the output is written: a reader that closes its pipe
/// early is exit 73 (not a SIGPIPE death), and a result with a non-finite figure is withheld
/// alike in every format.
@Suite("failures alike in every format")
struct FailureConsistencyTests {
  func instrument(in directory: URL) throws {
    let fit = try CommandLineTool.fitAbsorbance(in: directory)
    #expect(fit.status == 0, "\(fit.error)")
  }

  @Test("a closed pipe on standard output is exit 73 with a message")
  func closedPipe() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let process = Process()
    process.executableURL = CommandLineTool.executable
    process.arguments = ["show", "abs.json"]
    process.currentDirectoryURL = directory
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try output.fileHandleForReading.close()
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 73, "\(message)")
    #expect(message.contains("calib: error: cannot write"), "\(message)")
  }

  /// An instrument whose slope's variance is 1e308 (valid JSON, accepted by the reader) makes
  /// the posterior's figures overflow: every format withholds the result the same way.
  @Test("a non-finite figure is an error record in json, ndjson, csv and table alike")
  func nonFiniteEverywhere() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instrument(in: directory)
    let url = directory.appendingPathComponent("abs.json")
    var json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    var posterior = try #require(json["posterior"] as? [String: Any])
    var scale = try #require(posterior["scale"] as? [[Double]])
    scale[1][1] = 1e308
    posterior["scale"] = scale
    json["posterior"] = posterior
    var covariance = try #require(json["covariance"] as? [[Double]])
    covariance[1][1] = 1e308
    json["covariance"] = covariance
    try JSONSerialization.data(withJSONObject: json).write(
      to: directory.appendingPathComponent("wide.json"))
    try "absorbance\n0.5\n".write(
      to: directory.appendingPathComponent("obs.csv"), atomically: true, encoding: .utf8)
    var failed: [String: Bool] = [:]
    for format in ["json", "ndjson", "csv", "table"] {
      let run = try CommandLineTool.run(
        ["measure", "wide.json", "obs.csv", "--y", "absorbance", "--format", format], in: directory)
      guard run.status == 0 else {
        // The reader may refuse such a file outright; then it must do so in every format.
        failed[format] = run.status == 65
        continue
      }
      failed[format] = run.output.contains("error")
      #expect(
        !run.output.contains("nan") && !run.output.contains("inf"), "\(format): \(run.output)")
    }
    #expect(Set(failed.values).count == 1, "\(failed)")
    // The coverage map of the same instrument: a clear refusal (65), never an internal error.
    let coverage = try CommandLineTool.run(["coverage", "wide.json"], in: directory)
    #expect(coverage.status == 0 || coverage.status == 65, "\(coverage.error)")
    #expect(!coverage.output.contains("1.7976931348623157e+308"))
  }
}
