import CalibSystem
import Foundation

/// `make bench`: the speed and memory of whole `calib measure` processes (release build,
/// NDJSON out) on readings generated from the bundled fixtures, calibr8 on the same
/// instrument and readings, and a JSON of every figure (docs/benchmarks.md).
@main
struct Benchmark {
  /// Runs the benchmark with the options on the command line; exits 1 on any failure.
  static func main() {
    do {
      try run(Options.parse(Array(CommandLine.arguments.dropFirst())))
    } catch {
      FileHandle.standardError.write(Data("calib-bench: \(error)\n".utf8))
      exit(1)
    }
  }

  /// Every scenario in turn, in a folder of its own removed at the end; then the JSON.
  static func run(_ options: Options) throws {
    let start = DispatchTime.now().uptimeNanoseconds
    let work = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: work) }
    let machine = Machine.current()
    let loadAtStart = Machine.loadAverage()
    var bench = Bench(options: options, work: work)
    let calibVersion = try bench.version(of: options.calib, marker: "")
    say("calib \(calibVersion) (\(options.calib)) on \(machine.summary)\n")
    say(Table.header)
    try bench.fitInstruments()
    try bench.lineStartUp()
    let medians = try bench.lineSingles(medians: options.calibr8Readings)
    try bench.machineCeiling()
    let calibr8 = options.python.isEmpty ? nil : try bench.calibr8(calibMedians: medians)
    try bench.lineTriplicates()
    try bench.lineKnownU()
    try bench.fourPL()
    try bench.lineMemory()
    try bench.callgrind()
    try bench.inEngine()
    let versions = Versions(
      calib: calibVersion, gsl: try bench.gslVersion(),
      swift: (try? bench.version(of: options.swift, marker: "Swift version")) ?? "unknown",
      calibr8: calibr8)
    let report = BenchReport(
      date: ISO8601DateFormatter().string(from: Date()), machine: machine, versions: versions,
      settings: options, figures: bench.figures,
      seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
      loadAverage: ["start": loadAtStart, "end": Machine.loadAverage()])
    try write(report, to: options.output)
  }

  /// Writes `report` as JSON to `path`, making its folder.
  static func write(_ report: BenchReport, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try report.json().write(to: url)
    let load = report.loadAverage.mapValues { $0.first ?? .nan }
    say(
      String(
        format: "\n%.0f s in all; load average %.2f at the start, %.2f at the end; the figures "
          + "are in %@", report.seconds, load["start"] ?? .nan, load["end"] ?? .nan, path))
  }

  /// A new folder under the temporary directory (`mkdtemp`).
  static func temporaryFolder() throws -> String {
    var template = Array((NSTemporaryDirectory() + "/calib-bench.XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
      throw ChildError(description: "cannot make a temporary folder")
    }
    return String(cString: made)
  }
}

extension Bench {
  /// The first line of `program --version` (standard output, then standard error) that
  /// contains `marker`.
  func version(of program: String, marker: String) throws -> String {
    let output = work + "/version.txt"
    _ = try children.run(program, ["--version"], output: .file(output))
    let text = [output, work + "/stderr.txt"]
      .compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined(separator: "\n")
    let line = text.split(separator: "\n").first { marker.isEmpty || $0.contains(marker) }
    return line.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
  }

  /// GSL's version at run time, as calib records it in the line's instrument file.
  func gslVersion() throws -> String {
    let data = try Data(contentsOf: fileURL(instruments["line"] ?? ""))
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    let provenance = object?["provenance"] as? [String: Any]
    return provenance?["gsl_version"] as? String ?? "unknown"
  }
}
