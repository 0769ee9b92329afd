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

  @Option(help: "Level of the intervals, in (0, 1).")
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

  @Option(
    help: ArgumentHelp(
      "Report the posterior probability that x exceeds T (p_above); default 0 where 0 lies in the prior range.",
      valueName: "T"))
  var threshold: Double?

  @Option(help: "Report format: json, ndjson (one observation a line), csv, or table for people.")
  var format: ReportEncoder.Format = .json

  @OptionGroup var thresholds: CoverageThresholdOptions

  @Option(
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
      16 KiB or more, where the map pays for itself; replicates with scatter from 512 KiB; for \
      readings with --sy, only where the column holds at most 16 distinct u).
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
      let mapScope = map.scope(
        forObservations: observations, uncertaintyColumn: reading.uncertaintyColumn,
        format: reading.csv.format)
      let settings = MeasurementSettings(
        level: level, method: method, range: try range.record,
        thresholds: thresholds.thresholds, marginalization: marginalize, threshold: threshold,
        measurementMap: mapScope.scope, scatterMap: mapScope.scatter)
      let measurers: [Measurer]
      do {
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
      // Each worker measures and encodes (JSON encoding costs as much as measuring), keeping
      // the spellings of the numbers it wrote; the main thread reads the file and writes the
      // bytes in order.
      let pool = MeasurerPool(
        measurers: measurers.map { measurer in
          let bodies = encoder
          let spellings = JSONNumberSpellings()
          let encoded = { (report: ObservationReport) in
            (try bodies.body(report, spellings: spellings), report.coverage.status)
          }
          return MeasurerPool.Worker(
            measure: { observation in
              try EncodedObservation(observation) {
                try encoded(try measurer.measure($0))
              } failure: {
                try bodies.body($0)
              }
            },
            measureUnlessWaiting: { observation in
              try EncodedObservation.unlessWaiting(observation) {
                try measurer.measureUnlessWaiting($0).map(encoded)
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
        encoder.place($0.bytes, measured: $0.status)
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
  /// (`place` puts them in the report) to `output` in input order; the number that could not
  /// be measured.
  func stream(
    source: ObservationReader, pool: MeasurerPool<EncodedObservation>, output: OutputFile,
    place: (EncodedObservation) -> [UInt8]
  ) throws -> Int {
    let meter = progress ? ProgressMeter(noun: "observations") : nil
    // Observations are measured in batches, in parallel; reports are written in input order.
    // While the workers measure one batch, this thread reads the next and writes the last (a
    // pool of one measures on this thread, in turn).
    // Batches of 4096 keep two threads 1.7 times as fast as one where 256 gave 1.2 (starting
    // and joining the workers costs); two batches of reports are about 13 MB.
    var batch: [Observation] = []
    var running: MeasuredBatch<EncodedObservation>?
    var failures = 0
    func write(_ results: [Result<EncodedObservation, any Error>]) throws {
      for result in results {
        let encoded = try result.get()
        if encoded.status == nil { failures += 1 }
        try output.write(place(encoded))
        meter?.advance()
      }
    }
    func flush() throws {
      let finished = running?.results()
      running = batch.isEmpty ? nil : pool.start(batch)
      batch.removeAll(keepingCapacity: true)
      if let finished { try write(finished) }
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

/// One observation's report bytes, made on a worker thread, and its coverage status (nil for
/// an observation that could not be measured: the bytes then hold its error).
struct EncodedObservation {
  var bytes: [UInt8]
  var status: CoverageStatus?

  /// Measures and encodes `observation` with `measure`; an observation that cannot be
  /// measured (or whose report has a figure that is not finite) is encoded by `failure` with
  /// its error instead: one such observation never stops the batch.
  ///
  /// - Throws: `CommandFailure.usage` where every observation would fail alike (see
  ///   `ObservationFailure(measuring:error:)`).
  init(
    _ observation: Observation,
    measure: (Observation) throws -> (bytes: [UInt8], status: CoverageStatus),
    failure: (ObservationFailure) throws -> [UInt8]
  ) throws {
    do {
      (bytes, status) = try measure(observation)
    } catch {
      bytes = try failure(try ObservationFailure(measuring: observation, error: error))
      status = nil
    }
  }

  /// `init(_:measure:failure:)` with a `measure` that may leave the observation for later
  /// (nil: `Measurer.measureUnlessWaiting(_:)`); nil then.
  static func unlessWaiting(
    _ observation: Observation,
    measure: (Observation) throws -> (bytes: [UInt8], status: CoverageStatus)?,
    failure: (ObservationFailure) throws -> [UInt8]
  ) throws -> EncodedObservation? {
    do {
      guard let (bytes, status) = try measure(observation) else { return nil }
      return EncodedObservation(bytes: bytes, status: status)
    } catch {
      return EncodedObservation(
        bytes: try failure(try ObservationFailure(measuring: observation, error: error)),
        status: nil)
    }
  }

  private init(bytes: [UInt8], status: CoverageStatus?) {
    self.bytes = bytes
    self.status = status
  }
}
