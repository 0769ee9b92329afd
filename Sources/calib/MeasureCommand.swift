import ArgumentParser
import CalibCore
import Foundation

/// `calib measure`: the unknown quantity behind each observation, with the coverage check.
struct MeasureCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "measure",
    abstract: "Infer the unknown quantity x behind each observation, and check its coverage.",
    discussion: """
      An observation is one row, or all (consecutive) rows sharing a --group value. The \
      default method gives the posterior over x with the instrument state integrated out; \
      inversion and wald give the classical intervals. See docs/cli-measure.md.
      """
  )

  @OptionGroup var instrument: InstrumentArgument

  @Argument(help: "The observations CSV file, or - for standard input.")
  var observations: String

  @Option(
    name: .customLong("y"),
    help: ArgumentHelp(
      "Column of the readings; one per output, comma-separated, for several outputs.",
      valueName: "col[,col...]"))
  var responseColumn: String

  @OptionGroup var reading: ObservationOptions

  @Option(parsing: .unconditional, help: "Level of the intervals, in (0, 1).")
  var level: Double = 0.95

  @Option(
    help: """
      bayes: the posterior over x given the readings and the calibration; inversion and wald: \
      the classical intervals (inverting the prediction band; delta method).
      """)
  var method: MeasurementSettings.Method = .bayes

  @OptionGroup var range: RangeOptions

  @OptionGroup var seed: SeedOptions

  @Option(
    help: """
      How the uncertainty of a nonlinear calibration curve enters x: through the curve's \
      local slope (linearized), by averaging over the fit's posterior samples (samples), or by \
      quadrature over the parameters (integration); default: samples when the instrument has \
      them, else linearized. A linear instrument is integrated exactly; giving it is an error.
      """)
  var marginalize: MeasurementSettings.Marginalization?

  // Unconditional, as every option that takes a number: `--threshold -0.5` is a threshold,
  // and `--threads -1` is told it is out of range, rather than the parser taking the value for
  // an option and reporting it missing.
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Report the posterior probability that x exceeds T (p_above); default 0 where 0 lies in the prior range.",
      valueName: "T"))
  var threshold: Double?

  @Option(help: "Report format: json, ndjson (one observation a line), csv, or table for people.")
  var format: ReportEncoder.Format = .json

  @OptionGroup var thresholds: CoverageThresholdOptions

  @Option(
    parsing: .unconditional,
    help: """
      Threads measuring at once (default: the processors available); with 1, one thread in \
      all. The report is the same, bit for bit, for any number.
      """)
  var threads: Int?

  // Unconditional: `--shard -1/3` reaches ShardSpec, which says what is wrong with it, rather
  // than the parser taking -1/3 for an option and reporting a missing value.
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Measure only the K-th of N contiguous slices of the observations (ndjson or csv): the outputs of 1…N concatenated are the whole run's.",
      valueName: "K/N"))
  var shard: ShardSpec?

  @Option(
    help: """
      Summaries from a measurement map, interpolated in the mean reading and certified against \
      the exact path to 1e-9 posterior sd: on, off, or auto (on for an observations file of \
      16 KiB or more, where the map pays for itself, or 512 rows where readings are averaged \
      over samples or by quadrature; replicates with scatter from 512 KiB; for readings with \
      --sy, only where the column holds at most 16 distinct u).
      """)
  var map: MapChoice = .auto

  @Flag(help: "Report progress on standard error every two seconds (observations done, rate).")
  var progress = false

  @Flag(
    help: """
      Exit 65 when any observation could not be measured (the report still lists it with its \
      error).
      """)
  var strict = false

  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard level > 0, level < 1 else {
      throw ValidationError("--level must lie strictly between 0 and 1")
    }
    if let threshold, !threshold.isFinite {
      throw ValidationError("--threshold must be a finite number")
    }
    if let threads, threads < 1 || threads > 256 {
      throw ValidationError("--threads must be between 1 and 256")
    }
    if let problem = shard?.problem { throw ValidationError(problem) }
    if shard != nil, format != .ndjson, format != .csv {
      throw ValidationError(
        "--shard writes ndjson or csv, whose parts concatenate into the whole run's; not \(format.rawValue)"
      )
    }
    if instrument.path == "-" && observations == "-" {
      throw ValidationError(
        "the instrument and the observations cannot both come from standard input")
    }
  }

  func run() throws {
    try ExitStatus.reporting {
      let state: Instrument
      switch try instrument.readAny() {
      case .single(let single): state = single
      case .multiOutput(let multiOutput): return try measureSeveralOutputs(multiOutput)
      }
      if columnList(responseColumn).count > 1 {
        throw CommandFailure.usage(
          "--y: the instrument has one output; give one column of readings, found '\(responseColumn)'"
        )
      }
      if try range.namedRecords != nil {
        throw CommandFailure.usage(
          "--range: the instrument has one unknown; give its range as --range LO:HI")
      }
      var settings = MeasurementSettings(
        level: level, method: method, range: try range.record,
        thresholds: thresholds.thresholds, marginalization: marginalize, threshold: threshold)
      let measurers: [Measurer]
      do {
        // Under `auto`, a first measurer, without a map, tells how costly a reading is; the
        // map's scope follows from that and the file (`on` and `off` need neither).
        let averaging =
          try map == .auto
          && Measurer(instrument: state, settings: settings).averagesOverParameters
        let mapScope = map.scope(
          forObservations: observations, uncertaintyColumn: reading.uncertaintyColumn,
          format: reading.csv.format, averaging: averaging)
        (settings.measurementMap, settings.scatterMap) = (mapScope.scope, mapScope.scatter)
        let count = threads ?? max(ProcessInfo.processInfo.activeProcessorCount, 1)
        let maps = SharedMeasurementMaps()
        measurers = try (0..<count).map { _ in
          try Measurer(instrument: state, settings: settings, sharedMaps: maps)
        }
      } catch let error as MeasurementError where error.isSettingProblem {
        throw CommandFailure.usage(error.commandLineMessage)
      } catch let error as MeasurementError {
        throw InputError(file: instrument.path, message: error.commandLineMessage)
      }
      var encoder = ReportEncoder(format: format)
      // Each worker measures and encodes (JSON encoding costs as much as measuring) into a
      // buffer of its own, keeping the spellings of the numbers it wrote; the main thread reads
      // the file and writes the bytes in order, and measures as worker 0 (MeasurerPool).
      let pool = MeasurerPool(
        measurers: measurers.map { measurer in
          let bodies = encoder
          let spellings = JSONNumberSpellings()
          let encoded = { (report: ObservationReport, bytes: inout [UInt8]) in
            try bodies.body(report, spellings: spellings, into: &bytes)
            return report.coverage.status
          }
          return MeasurerPool.Worker(
            measure: { observation, bytes in
              try EncodedObservation(observation, into: &bytes) { observation, bytes in
                try encoded(try measurer.measure(observation), &bytes)
              } failure: {
                try bodies.body($0)
              }
            },
            measureUnlessWaiting: { observation, bytes in
              try EncodedObservation.unlessWaiting(observation, into: &bytes) {
                observation, bytes in
                try measurer.measureUnlessWaiting(observation).map { try encoded($0, &bytes) }
              } failure: {
                try bodies.body($0)
              }
            })
        })
      let source = try reading.reader(
        path: observations, response: responseColumn, shard: shard)
      let output = try OutputFile(path: output.output, inputs: [instrument.path, observations])
      if writesHeader {
        try output.write(
          try encoder.header(
            ReportEncoder.Settings(measurer: measurers[0], instrumentFile: instrument.path)))
      }
      let failures = try stream(source: source, pool: pool, output: output) {
        encoder.place(measured: $0)
      }
      try output.write(try encoder.footer())
      try output.commit()
      try checkStrict(failures: failures)
    }
  }

  /// Whether the report's header is written: not by a shard after the first, whose output
  /// continues the first's.
  var writesHeader: Bool { (shard?.index ?? 1) == 1 }

  /// With `--strict`, exit 65 when any observation could not be measured (the report has
  /// been written).
  func checkStrict(failures: Int) throws {
    if strict && failures > 0 {
      throw InputError(
        file: observations,
        message:
          "\(failures) observation\(failures == 1 ? "" : "s") could not be measured (--strict); the report was written"
      )
    }
  }

  /// Measures every observation of `source` in batches on `pool`, writing each one's bytes
  /// to `output` in input order, after those `place` gives for it (from its coverage status,
  /// nil where it could not be measured); the number that could not be measured.
  func stream(
    source: ObservationReader, pool: MeasurerPool, output: OutputFile,
    place: (CoverageStatus?) -> StaticString
  ) throws -> Int {
    let meter = progress ? ProgressMeter(noun: "observations") : nil
    // Observations are measured in batches, in parallel; reports are written in input order.
    // While the pool's other threads measure one batch, this thread writes the last and reads
    // the next, then measures what is left of the batch (a pool of one measures on this
    // thread alone, in turn).
    // Batches of 4096 keep two threads 1.7 times as fast as one where 256 gave 1.2 (starting
    // and joining the workers costs); two batches of reports are about 13 MB.
    var batch: [Observation] = []
    var running: MeasuredBatch?
    var written: MeasuredBatch?
    var failures = 0
    func flush() throws {
      let finished = running
      running = batch.isEmpty ? nil : pool.start(batch, reusing: written)
      batch.removeAll(keepingCapacity: true)
      try finished?.forEach { bytes, status in
        if status == nil { failures += 1 }
        try output.write(place(status))
        try output.write(bytes)
        meter?.advance()
      }
      written = finished
    }
    while let observation = try source.next() {
      batch.append(observation)
      if batch.count == 4096 { try flush() }
    }
    // The last batch, then its results.
    try flush()
    try flush()
    meter?.finish()
    return failures
  }
}

/// An observation's report bytes, made on a worker thread and appended to its buffer (their
/// range there), and its coverage status (nil for an observation that could not be measured:
/// the bytes then hold its error).
struct EncodedObservation {
  var bytes: Range<Int>
  var status: CoverageStatus?

  /// Measures `observation` with `measure`, which appends its encoded report to `buffer`;
  /// an observation that cannot be measured (or whose report has a figure that is not
  /// finite) is encoded by `failure` with its error instead, in place of what `measure` may
  /// have appended: one such observation never stops the batch.
  ///
  /// - Throws: `CommandFailure.usage` where every observation would fail alike (see
  ///   `ObservationFailure(measuring:error:)`).
  init(
    _ observation: Observation, into buffer: inout [UInt8],
    measure: (Observation, inout [UInt8]) throws -> CoverageStatus,
    failure: (ObservationFailure) throws -> [UInt8]
  ) throws {
    // Cannot trap: a `measure` that always gives a status leaves nothing for later.
    self = try Self.unlessWaiting(observation, into: &buffer, measure: measure, failure: failure)!
  }

  /// `init(_:into:measure:failure:)` with a `measure` that may leave the observation for
  /// later (nil, having appended nothing: `Measurer.measureUnlessWaiting(_:)`); nil then.
  static func unlessWaiting(
    _ observation: Observation, into buffer: inout [UInt8],
    measure: (Observation, inout [UInt8]) throws -> CoverageStatus?,
    failure: (ObservationFailure) throws -> [UInt8]
  ) throws -> EncodedObservation? {
    let start = buffer.count
    do {
      guard let status = try measure(observation, &buffer) else { return nil }
      return EncodedObservation(bytes: start..<buffer.count, status: status)
    } catch {
      buffer.removeSubrange(start...)
      buffer.append(
        contentsOf: try failure(try ObservationFailure(measuring: observation, error: error)))
      return EncodedObservation(bytes: start..<buffer.count, status: nil)
    }
  }

  private init(bytes: Range<Int>, status: CoverageStatus?) {
    self.bytes = bytes
    self.status = status
  }
}
