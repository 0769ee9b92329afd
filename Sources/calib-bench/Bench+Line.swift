import Foundation

/// The straight line: start-up, single readings on one and on `threads` threads, triplicates,
/// known u(y), and the peak memory on a large file.
extension Bench {
  /// The line's single readings, the target of DESIGN §7 (10 000× calibr8).
  static let lineTarget = "≤ 8 µs"

  /// One reading, five times: the time of a whole process that measures almost nothing
  /// (loading, reading the instrument, writing), the median of the five.
  mutating func lineStartUp() throws {
    let observations = try workload.lineReadings(1)
    var runs: [ChildRun] = []
    for _ in 0..<5 {
      runs.append(
        try measure(
          "line", observations, column: "absorbance", threads: options.threads,
          report: work + "/start-up.ndjson"))
    }
    let median = runs.sorted { $0.seconds < $1.seconds }[2]
    record(
      Figure(
        "line-start-up", "calib measure, line, one reading: the start-up (median of 5 runs)",
        readings: 1, threads: options.threads, seconds: median.seconds,
        cpuSeconds: median.cpuSeconds))
  }

  /// The rounds of the line on one thread and on `threads` (and of the machine's ceiling):
  /// an odd number, whose median is the middle one.
  static let rounds = 5

  /// Single readings of the line, σ estimated, with `threads` threads and with one, five
  /// runs of each in turn, the median of each five (the machine is shared: one run can be
  /// slowed by others' work, or by memory the machine hands over for the first time); the
  /// speed-up is the median of the five rounds' own (each round's two runs side by side, so
  /// that a slow minute of the machine slows both); whether the reports are the same byte
  /// for byte. Returns calib's posterior medians of the first `count` readings, for
  /// calibr8's.
  mutating func lineSingles(medians count: Int) throws -> [Double] {
    let n = options.lineReadings
    let observations = try workload.lineReadings(n)
    let many = work + "/line-threads-\(options.threads).ndjson"
    let one = work + "/line-threads-1.ndjson"
    defer { [many, one].forEach { try? FileManager.default.removeItem(atPath: $0) } }
    var manyRuns: [ChildRun] = [], oneRuns: [ChildRun] = []
    for _ in 0..<Self.rounds {
      // Each run writes a new file, as a user's run does: the last round's report is removed
      // first, untimed (replacing a 300 MB file costs the kernel some 40 ms at the end of the
      // run, freeing its pages, on one thread while the other waits).
      [many, one].forEach { try? FileManager.default.removeItem(atPath: $0) }
      manyRuns.append(
        try measure(
          "line", observations, column: "absorbance", threads: options.threads, report: many))
      oneRuns.append(
        try measure("line", observations, column: "absorbance", threads: 1, report: one))
    }
    let manyRun = manyRuns.sorted { $0.seconds < $1.seconds }[Self.rounds / 2]
    let oneRun = oneRuns.sorted { $0.seconds < $1.seconds }[Self.rounds / 2]
    let speedups = zip(oneRuns, manyRuns).map { $0.seconds / $1.seconds }
    record(
      Figure(
        "line",
        "calib measure, line, σ estimated, single readings (median of \(Self.rounds) runs)",
        readings: n,
        threads: options.threads, seconds: manyRun.seconds, cpuSeconds: manyRun.cpuSeconds,
        target: Self.lineTarget))
    record(
      Figure(
        "line-threads-1",
        "the same on one thread (--threads 1; median of \(Self.rounds) runs)",
        readings: n, threads: 1,
        seconds: oneRun.seconds, cpuSeconds: oneRun.cpuSeconds))
    var threads = Figure(
      "threads",
      "speed-up of --threads \(options.threads) over --threads 1 on the line (the median "
        + "of \(Self.rounds) rounds' own), and whether the reports are the same byte for byte",
      readings: n, threads: options.threads, seconds: manyRun.seconds + oneRun.seconds,
      target: "speed-up ≥ 1.8, identical")
    threads.perReadingSeconds = nil
    threads.speedup = speedups.sorted()[Self.rounds / 2]
    threads.roundSpeedups = speedups
    threads.identical = try sameBytes(many, one)
    record(threads)
    return try medians(of: many, count: count)
  }

  /// What the machine gives n = max(`threads`, 2) busy processes: n copies of the one-thread
  /// run of the line started at once, against one alone, five rounds in turn. The ceiling,
  /// n × alone / together (the median of the rounds' own, as for `threads`), bounds the
  /// speed-up of `--threads n` on this machine (the processes share nothing but the machine:
  /// no lock, no memory, no output).
  mutating func machineCeiling() throws {
    let n = options.lineReadings
    let observations = try workload.lineReadings(n)
    let count = max(options.threads, 2)
    let outputs = (0..<count).map { work + "/ceiling-\($0).ndjson" }
    defer { outputs.forEach { try? FileManager.default.removeItem(atPath: $0) } }
    let lists = outputs.map {
      measureArguments("line", observations, column: "absorbance", threads: 1, report: $0)
    }
    let standardOutputs = (0..<count).map { work + "/stdout-\($0).txt" }
    var alone: [Double] = [], together: [Double] = []
    for _ in 0..<Self.rounds {
      // New files for each run, as in `lineSingles(medians:)`.
      outputs.forEach { try? FileManager.default.removeItem(atPath: $0) }
      alone.append(
        try measure("line", observations, column: "absorbance", threads: 1, report: outputs[0])
          .seconds)
      outputs.forEach { try? FileManager.default.removeItem(atPath: $0) }
      together.append(try children.runTogether(options.calib, lists, outputs: standardOutputs))
    }
    let speedups = zip(alone, together).map { Double(count) * $0 / $1 }
    var ceiling = Figure(
      "machine-ceiling",
      "\(count) one-thread runs of the line at once against one alone (median of "
        + "\(Self.rounds) rounds): "
        + "the speed-up this machine allows \(count) threads",
      readings: n, threads: count, seconds: together.sorted()[Self.rounds / 2])
    ceiling.perReadingSeconds = nil
    ceiling.speedup = speedups.sorted()[Self.rounds / 2]
    ceiling.roundSpeedups = speedups
    record(ceiling)
  }

  /// Triplicates of the line (`--group sample`), three readings an observation.
  mutating func lineTriplicates() throws {
    let n = options.triplicates
    let observations = try workload.lineTriplicates(n)
    let run = try measure(
      "line", observations, column: "absorbance", threads: options.threads,
      report: work + "/triplicates.ndjson", extra: ["--group", "sample"])
    try? FileManager.default.removeItem(atPath: work + "/triplicates.ndjson")
    record(
      Figure(
        "line-triplicates", "calib measure, line, σ estimated, triplicates (--group)",
        readings: 3 * n, observations: n, threads: options.threads, seconds: run.seconds,
        cpuSeconds: run.cpuSeconds))
  }

  /// Single readings of the line fitted with known u(y), each with its u (`--sy`).
  mutating func lineKnownU() throws {
    let n = options.knownUReadings
    let observations = try workload.lineReadings(n, uncertainty: true)
    let run = try measure(
      "line-known-u", observations, column: "absorbance", threads: options.threads,
      report: work + "/known-u.ndjson", extra: ["--sy", "u"])
    try? FileManager.default.removeItem(atPath: work + "/known-u.ndjson")
    record(
      Figure(
        "line-known-u", "calib measure, line, u(y) known (fit and readings with --sy)",
        readings: n, threads: options.threads, seconds: run.seconds, cpuSeconds: run.cpuSeconds))
  }

  /// The peak resident memory of `calib measure` on `memoryReadings` single readings of the
  /// line, the report read from a pipe and dropped (ten million reports would fill 16 GB).
  mutating func lineMemory() throws {
    let n = options.memoryReadings
    let observations = try workload.lineReadings(n)
    let run = try measure("line", observations, column: "absorbance", threads: options.threads)
    try? FileManager.default.removeItem(atPath: observations)
    var figure = Figure(
      "line-memory",
      "calib measure, line, a large file: peak resident memory (NDJSON "
        + String(format: "%.2f GB)", Double(run.outputBytes) / 1e9),
      readings: n, threads: options.threads, seconds: run.seconds, cpuSeconds: run.cpuSeconds,
      target: "< 100 MB at 10⁷ readings")
    figure.peakResidentBytes = run.peakResidentBytes
    record(figure)
  }

  /// The posterior medians (`x.median`) of the first `count` reports of an NDJSON file.
  func medians(of path: String, count: Int) throws -> [Double] {
    guard let file = fopen(path, "r") else { throw ChildError(description: "cannot read \(path)") }
    defer { fclose(file) }
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(line) }
    var medians: [Double] = []
    while medians.count < count, getline(&line, &capacity, file) > 0, let line {
      let report = try JSONSerialization.jsonObject(with: Data(String(cString: line).utf8))
      guard let x = (report as? [String: Any])?["x"] as? [String: Any],
        let median = (x["median"] as? NSNumber)?.doubleValue
      else { throw ChildError(description: "no x.median in a report of \(path)") }
      medians.append(median)
    }
    return medians
  }

  /// Whether the files at `a` and `b` hold the same bytes (as `cmp` says).
  func sameBytes(_ a: String, _ b: String) throws -> Bool {
    guard let first = FileHandle(forReadingAtPath: a), let second = FileHandle(forReadingAtPath: b)
    else { throw ChildError(description: "cannot read \(a) or \(b)") }
    defer { [first, second].forEach { try? $0.close() } }
    while true {
      let left = try first.read(upToCount: 1 << 22) ?? Data()
      let right = try second.read(upToCount: 1 << 22) ?? Data()
      if left != right { return false }
      if left.isEmpty { return true }
    }
  }
}
