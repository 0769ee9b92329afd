import Foundation

/// The 4PL's three ways of integrating out the curve, calibr8 on the line, and callgrind's
/// instruction count.
extension Bench {
  /// The ELISA 4PL (fitted with MCMC samples) measured with each `--marginalize`.
  mutating func fourPL() throws {
    // The throughput of each way is measured on 20 000 readings with `--map auto`, what a
    // user's run of that size takes (the map for those averaged over samples or by
    // quadrature); a handful of readings averaged so take the exact path, whose time a reading
    // is a small batch's, start-up included, with no target.
    let ways: [(String, String, Int, String, String?)] = [
      (
        "linearized", "auto", options.linearizedReadings, "through the curve's local slope",
        "≤ 30 µs"
      ),
      (
        "samples", "off", options.samplesReadings,
        "averaged over the MCMC samples, the exact path: a small batch (no map under 512 "
          + "readings), start-up included", nil
      ),
      (
        "samples", "auto", options.samplesMapReadings,
        "averaged over the MCMC samples, from the measurement map (`--map auto` builds it from "
          + "512 readings; its building included)", "≤ 1 ms"
      ),
      (
        "integration", "off", options.integrationReadings,
        "by quadrature over the parameters, the exact path: a small batch (no map under 512 "
          + "readings), start-up included", nil
      ),
      (
        "integration", "auto", options.integrationMapReadings,
        "by quadrature over the parameters, from the measurement map (`--map auto` builds it "
          + "from 512 readings; its building included)", "≤ 1 ms"
      ),
    ]
    for (way, map, n, words, target) in ways where n > 0 {
      let observations = try workload.elisaReadings(n)
      let name = "4pl-" + way + (map == "auto" && way != "linearized" ? "-map" : "")
      let report = work + "/\(name).ndjson"
      let run = try measure(
        "4pl-mcmc", observations, column: "od", threads: options.threads, report: report,
        extra: ["--marginalize", way, "--map", map])
      try? FileManager.default.removeItem(atPath: report)
      record(
        Figure(
          name, "calib measure, ELISA 4PL, --marginalize \(way): " + words,
          readings: n, threads: options.threads, seconds: run.seconds, cpuSeconds: run.cpuSeconds,
          target: target))
      if name.hasSuffix("-map") {
        try mapAtScale(way, name: name, words: words, smaller: (n, run))
      }
    }
  }

  /// The map of `way` again on `mapScaleReadings` readings (when more than the `smaller` run's,
  /// the same instrument and generator, so the same range of ȳ and the same pieces built): a
  /// figure of its own, and the difference of the two runs over the difference of their
  /// readings, what a reading costs once the map is built (`-marginal`).
  private mutating func mapAtScale(
    _ way: String, name: String, words: String, smaller: (readings: Int, run: ChildRun)
  ) throws {
    let n = options.mapScaleReadings
    guard n > smaller.readings else { return }
    let report = work + "/\(name)-scale.ndjson"
    defer { try? FileManager.default.removeItem(atPath: report) }
    let run = try measure(
      "4pl-mcmc", try workload.elisaReadings(n), column: "od", threads: options.threads,
      report: report, extra: ["--marginalize", way, "--map", "auto"])
    record(
      Figure(
        name + "-scale", "calib measure, ELISA 4PL, --marginalize \(way): " + words,
        readings: n, threads: options.threads, seconds: run.seconds, cpuSeconds: run.cpuSeconds,
        target: "≤ 1 ms"))
    let more = n - smaller.readings
    var marginal = Figure(
      name + "-marginal",
      "the same, a reading once the map is built: the \(n)-reading run less the "
        + "\(smaller.readings)-reading one, over the \(more) readings between",
      readings: more, threads: options.threads, seconds: run.seconds - smaller.run.seconds,
      cpuSeconds: run.cpuSeconds - smaller.run.cpuSeconds)
    // Two noisy runs whose difference is small: where it is not positive, it says only that
    // the readings cost less than the noise.
    if marginal.seconds <= 0 {
      marginal.perReadingSeconds = nil
      marginal.description += " (not positive: within the runs' noise)"
    }
    if (marginal.cpuPerReadingSeconds ?? 0) <= 0 { marginal.cpuPerReadingSeconds = nil }
    record(marginal)
  }

  /// calib's prior range of x for the line (its default, the calibrated domain widened by its
  /// width on each side), from the settings of a JSON report.
  func lineRange() throws -> (Double, Double) {
    let report = work + "/range.json"
    _ = try calib(
      [
        "measure", instruments["line"] ?? "", try workload.lineReadings(1), "--y", "absorbance",
        "--format", "json", "-o", report,
      ],
      output: .file(work + "/stdout.txt"))
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: fileURL(report)))
    guard let settings = (object as? [String: Any])?["settings"] as? [String: Any],
      let range = settings["range"] as? [String: Any],
      let lower = (range["lower"] as? NSNumber)?.doubleValue,
      let upper = (range["upper"] as? NSNumber)?.doubleValue
    else { throw ChildError(description: "no settings.range in \(report)") }
    return (lower, upper)
  }

  /// calibr8 (Tests/Bench/calibr8_bench.py with the venv's python) on the line's standards and
  /// its first `calibr8Readings` readings (the same generator, so the first of `line`'s),
  /// with calib's prior range; its seconds per reading
  /// over calib's, and its medians against `calibMedians`. Returns calibr8's version.
  mutating func calibr8(calibMedians: [Double]) throws -> String {
    let (lower, upper) = try lineRange()
    let output = work + "/calibr8.json"
    let count = min(options.calibr8Readings, options.lineReadings)
    let run = try children.run(
      options.python,
      [
        options.script, "--standards", options.fixtures + "/absorbance-line.csv",
        "--x", "concentration", "--y", "absorbance",
        "--readings", try workload.lineReadings(count), "--count", "\(count)",
        "--lower", "\(lower)", "--upper", "\(upper)", "--output", output,
      ],
      output: .file(work + "/stdout.txt"))
    let result = try JSONDecoder().decode(
      Calibr8Result.self, from: Data(contentsOf: fileURL(output)))
    var figure = Figure(
      "calibr8-line",
      "calibr8 \(result.version) infer_independent, line with Student-t noise "
        + String(format: "(BasePolynomialModelT, fit_scipy), prior [%g, %g]; ", lower, upper)
        + String(format: "process %.1f s in all", run.seconds),
      readings: result.readings, threads: 1, seconds: result.seconds,
      cpuSeconds: result.cpuSeconds, target: "ratio ≥ 10 000")
    figure.ratio = result.perReadingSeconds / (self.figure("line")?.perReadingSeconds ?? .nan)
    figure.ratioOneThread =
      result.perReadingSeconds / (self.figure("line-threads-1")?.perReadingSeconds ?? .nan)
    figure.ratioCPU =
      result.cpuSeconds / Double(result.readings)
      / (self.figure("line")?.cpuPerReadingSeconds ?? .nan)
    figure.agreement = Agreement(result.medians, Array(calibMedians.prefix(result.readings)))
    record(figure)
    return result.version
  }

  /// Instructions per reading of `calib measure --threads 1` on the line under callgrind:
  /// (I(n) − I(1)) / (n − 1), on a stripped copy of the release binary (valgrind cannot read
  /// the toolchain's debug information): by the exact path (`--map off`, n =
  /// `--callgrind-readings`), and from the measurement map (`--map on`, n =
  /// `--callgrind-map-readings`, the map's building spread over the n readings). Skipped when
  /// valgrind or strip is missing.
  mutating func callgrind() throws {
    guard options.callgrindReadings > 1, let valgrind = onPath("valgrind"),
      let strip = onPath("strip")
    else {
      say("callgrind: skipped (valgrind or strip not found, or --callgrind-readings < 2)")
      return
    }
    let stripped = work + "/calib-stripped"
    _ = try children.run(strip, ["-o", stripped, options.calib], output: .file(work + "/strip"))
    for (name, map, n) in [
      ("line-callgrind", "off", options.callgrindReadings),
      ("line-callgrind-map", "on", options.callgrindMapReadings),
    ] where n > 1 {
      var counts: [Int] = []
      var seconds = 0.0
      for readings in [1, n] {
        let profile = work + "/callgrind-\(readings).out"
        let run = try children.run(
          valgrind,
          [
            "--tool=callgrind", "--callgrind-out-file=" + profile, stripped, "measure",
            instruments["line"] ?? "", try workload.lineReadings(readings), "--y", "absorbance",
            "--format", "ndjson", "--threads", "1", "--map", map, "-o",
            work + "/callgrind.ndjson",
          ],
          output: .file(work + "/stdout.txt"))
        counts.append(try instructions(in: profile))
        seconds = run.seconds
      }
      var figure = Figure(
        name,
        "instructions per reading, calib measure --threads 1 --map \(map), line: "
          + "(I(\(n)) − I(1)) / \(n - 1)",
        readings: n - 1, threads: 1, seconds: seconds)
      figure.perReadingSeconds = nil
      figure.instructionsPerReading = Double(counts[1] - counts[0]) / Double(n - 1)
      record(figure)
    }
  }

  /// The total instruction count (`summary:` or `totals:`) of a callgrind output file.
  func instructions(in profile: String) throws -> Int {
    let text = try String(contentsOfFile: profile, encoding: .utf8)
    for line in text.split(separator: "\n")
    where line.hasPrefix("summary:") || line.hasPrefix("totals:") {
      if let count = line.split(separator: " ").last.flatMap({ Int($0) }) { return count }
    }
    throw ChildError(description: "no instruction count in \(profile)")
  }

  /// The path of the executable `name` on the PATH, if any.
  func onPath(_ name: String) -> String? {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    return folders.map { "\($0)/\(name)" }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  /// A file URL for `path`.
  func fileURL(_ path: String) -> URL { URL(fileURLWithPath: path) }
}

/// What Tests/Bench/calibr8_bench.py writes.
struct Calibr8Result: Decodable {
  /// calibr8's `__version__`.
  var version: String
  /// Readings measured.
  var readings: Int
  /// Seconds for all of them (`infer_independent` calls only).
  var seconds: Double
  /// Processor seconds for all of them (`time.process_time`).
  var cpuSeconds: Double
  /// Seconds per reading.
  var perReadingSeconds: Double
  /// The posterior median of each reading.
  var medians: [Double]

  enum CodingKeys: String, CodingKey {
    case readings, seconds, medians
    case version = "calibr8_version"
    case cpuSeconds = "cpu_seconds"
    case perReadingSeconds = "per_reading_seconds"
  }
}
