import Foundation

/// One figure of the benchmark: what ran, on how many readings and threads, how long it took,
/// and what it is held against. Fields that do not apply are left out of the JSON.
struct Figure: Codable {
  /// A short stable name (`line`, `4pl-samples`, `calibr8-line`, …).
  var name: String
  /// What was measured, in words.
  var description: String
  /// Readings measured (the triplicates count three each).
  var readings: Int
  /// Observations reported (equals `readings` but for replicates).
  var observations: Int?
  /// Threads of `calib measure` (1 for calibr8 and the in-engine figures).
  var threads: Int
  /// Wall-clock seconds of the whole run (process start to exit).
  var seconds: Double
  /// `seconds / readings`: start-up, reading, measuring and writing included.
  var perReadingSeconds: Double?
  /// Processor seconds (user and system, all threads) per reading.
  var cpuPerReadingSeconds: Double?
  /// Peak resident memory of the process, in bytes.
  var peakResidentBytes: Int?
  /// Seconds with one thread over seconds with `threads` (`threads`); for `machine-ceiling`,
  /// `threads` × the seconds of one one-thread process alone over those of `threads` of them
  /// at once.
  var speedup: Double?
  /// Each round's own speed-up, in the order run, where `speedup` is their median.
  var roundSpeedups: [Double]?
  /// Whether the reports with one thread and with `threads` are the same, byte for byte.
  var identical: Bool?
  /// Instructions per reading counted by callgrind.
  var instructionsPerReading: Double?
  /// calibr8's seconds per reading over calib's (the `line` figure).
  var ratio: Double?
  /// calibr8's seconds per reading over calib's on one thread (`line-threads-1`).
  var ratioOneThread: Double?
  /// calibr8's processor seconds per reading over calib's (`line`).
  var ratioCPU: Double?
  /// How far calibr8's posterior medians are from calib's.
  var agreement: Agreement?
  /// The target (issue 12, DESIGN §7), in words.
  var target: String?

  enum CodingKeys: String, CodingKey {
    case name, description, readings, observations, threads, seconds, speedup, identical
    case ratio, agreement, target
    case perReadingSeconds = "per_reading_seconds"
    case cpuPerReadingSeconds = "cpu_per_reading_seconds"
    case ratioCPU = "ratio_cpu"
    case peakResidentBytes = "peak_resident_bytes"
    case instructionsPerReading = "instructions_per_reading"
    case ratioOneThread = "ratio_one_thread"
    case roundSpeedups = "round_speedups"
  }

  /// A figure of `readings` readings (`observations` observations) measured in `seconds`
  /// (`cpuSeconds` of processor time).
  init(
    _ name: String, _ description: String, readings: Int, observations: Int? = nil,
    threads: Int, seconds: Double, cpuSeconds: Double? = nil, target: String? = nil
  ) {
    self.name = name
    self.description = description
    self.readings = readings
    self.observations = observations
    self.threads = threads
    self.seconds = seconds
    self.perReadingSeconds = readings > 0 ? seconds / Double(readings) : nil
    self.cpuPerReadingSeconds = readings > 0 ? cpuSeconds.map { $0 / Double(readings) } : nil
    self.target = target
  }
}

/// calibr8's posterior medians against calib's, reading by reading.
struct Agreement: Codable {
  /// The largest |median(calibr8) − median(calib)|, in units of x.
  var maxAbsolute: Double
  /// The largest of those differences over |median(calib)|.
  var maxRelative: Double
  /// The median of those relative differences.
  var medianRelative: Double
  /// Whether they agree: every difference within 1% of |x| plus 0.01 (0.1% of the span).
  var sane: Bool

  enum CodingKeys: String, CodingKey {
    case sane
    case maxAbsolute = "max_absolute"
    case maxRelative = "max_relative"
    case medianRelative = "median_relative"
  }

  /// The agreement of `other` with `reference`, reading by reading.
  init(_ other: [Double], _ reference: [Double]) {
    let pairs = zip(other, reference)
    let absolute = pairs.map { abs($0 - $1) }
    let relative = pairs.map { abs($0 - $1) / max(abs($1), .leastNormalMagnitude) }.sorted()
    maxAbsolute = absolute.max() ?? .nan
    maxRelative = relative.last ?? .nan
    medianRelative = relative.isEmpty ? .nan : relative[relative.count / 2]
    sane =
      !absolute.isEmpty && other.count == reference.count
      && pairs.allSatisfy { abs($0 - $1) <= 0.01 * abs($1) + 0.01 }
  }
}

/// The JSON `make bench` writes: when, where, which versions, the settings and every figure.
struct BenchReport: Encodable {
  /// When the benchmark ran (ISO 8601, UTC).
  var date: String
  /// The machine.
  var machine: Machine
  /// The versions of calib, GSL, Swift and calibr8.
  var versions: Versions
  /// The counts and threads in use.
  var settings: Options
  /// Every figure, in the order they ran.
  var figures: [Figure]
  /// Seconds the whole benchmark took.
  var seconds: Double
  /// The machine's load averages (1, 5, 15 minutes) when the benchmark started and ended.
  var loadAverage: [String: [Double]]

  enum CodingKeys: String, CodingKey {
    case date, machine, versions, settings, figures, seconds
    case loadAverage = "load_average"
  }

  /// The report as pretty-printed JSON with sorted keys.
  func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }
}
