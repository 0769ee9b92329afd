import ArgumentParser
import CalibCore
import Foundation

/// `calib report`: one self-contained HTML page a lab files (docs/report.md).
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write the instrument, its limits, plot and measured samples as one HTML page.",
    discussion: "See docs/report.md."
  )

  @OptionGroup var instrument: InstrumentArgument

  @OptionGroup var observed: ObservationsArgument

  /// The observations file, if any, and its reading columns.
  var observations: String? { observed.path }
  var responseColumn: String? { observed.responseColumn }

  @OptionGroup var reading: ObservationOptions

  @OptionGroup var range: RangeOptions

  @Option(parsing: .unconditional, help: "Level of the credible intervals.")
  var level: Double = 0.95

  @OptionGroup var limits: LimitsOptions

  @Flag(
    help:
      "Exit 65 when any observation could not be measured (the page is written, with its error)."
  )
  var strict = false

  @OptionGroup var output: OutputOptions

  func validate() throws {
    try observed.check(instrument: instrument)
    guard level > 0, level < 1 else { throw ValidationError("--level must lie in (0, 1)") }
  }

  func run() throws {
    try ExitStatus.reporting {
      let bytes = try FileByteSource(path: instrument.path).readAll()
      let input = LabReport.Input(
        role: "instrument", path: instrument.path, sha256: SHA256Digest.hex(of: bytes))
      let page: LabReport
      switch try InstrumentFile.decodeAny(bytes, name: instrument.path) {
      case .single(let state): page = try report(state, input: input)
      case .multiOutput(let state): page = try report(state, input: input)
      }
      try OutputFile.write(
        Array(page.html.utf8), to: output.output,
        inputs: [instrument.path] + (observations.map { [$0] } ?? []))
      if strict, page.failures > 0, let observations {
        throw InputError(
          file: observations,
          message:
            "\(page.failures) observation\(page.failures == 1 ? "" : "s") could not be measured (--strict); the page was written"
        )
      }
    }
  }

  /// The page of an instrument with one output.
  private func report(_ state: Instrument, input: LabReport.Input) throws -> LabReport {
    var inputs = [input]
    var reports: [ObservationReport] = []
    var failures: [ObservationFailure] = []
    if let observations, let responseColumn {
      if columnList(responseColumn).count > 1 {
        throw CommandFailure.usage("--y: the instrument has one output; give one column")
      }
      let measurer = try usage {
        try Measurer(
          instrument: state, settings: MeasurementSettings(level: level, range: try range.record))
      }
      let source = try reading.reader(path: observations, response: responseColumn)
      try measureAll(source, measure: measurer.measure, reports: &reports, failures: &failures)
      inputs.append(
        LabReport.Input(role: "observations", path: observations, sha256: source.sha256))
    }
    let plot: CalibrationPlot
    do {
      plot = try CalibrationPlot(instrument: state, observations: reports)
    } catch let error as MeasurementError {
      throw InputError(file: instrument.path, message: error.commandLineMessage)
    }
    let limitsResult: Result<DetectionLimits, MeasurementError>
    do throws(MeasurementError) {
      limitsResult = .success(try limits.limits(of: state))
    } catch {
      limitsResult = .failure(error)
    }
    return LabReport(
      instrument: state, observations: reports, failures: failures, limits: limitsResult,
      plot: plot, inputs: inputs, version: CalibVersion.current, command: commandLine)
  }

  /// The page of an instrument with several outputs.
  private func report(_ state: MultiOutputInstrument, input: LabReport.Input) throws -> LabReport {
    try reading.checkSeveralOutputs()
    var inputs = [input]
    var reports: [MultiOutputObservationReport] = []
    var failures: [ObservationFailure] = []
    if let observations, let responseColumn {
      let columns = try outputColumns(responseColumn, outputs: state.state.model.responses)
      let measurer = try usage {
        try MultiOutputMeasurer(
          instrument: state, settings: MeasurementSettings(level: level, range: try range.record),
          ranges: try range.namedRecords ?? [:])
      }
      let source = try reading.reader(
        path: observations, response: columns.joined(separator: ","))
      try measureAll(source, measure: measurer.measure, reports: &reports, failures: &failures)
      inputs.append(
        LabReport.Input(role: "observations", path: observations, sha256: source.sha256))
    }
    let plot =
      state.state.model.predictors.count == 1
      ? try CalibrationPlot(instrument: state, observations: reports) : nil
    return LabReport(
      instrument: state, observations: reports, failures: failures, plot: plot, inputs: inputs,
      version: CalibVersion.current, command: commandLine)
  }

  /// The command line as the page records it.
  private var commandLine: [String] { ["calib"] + CommandLine.arguments.dropFirst() }

  /// A measurer made by `make`; a setting it refuses is a usage error.
  private func usage<Made>(_ make: () throws -> Made) throws -> Made {
    do {
      return try make()
    } catch let error as MeasurementError {
      throw CommandFailure.usage(error.commandLineMessage)
    }
  }

  /// Measures every observation of `source`: each report, or its failure (one observation
  /// that cannot be measured never sinks the page).
  private func measureAll<Report>(
    _ source: ObservationReader, measure: (Observation) throws -> Report,
    reports: inout [Report], failures: inout [ObservationFailure]
  ) throws {
    while let observation = try source.next() {
      do {
        reports.append(try measure(observation))
      } catch {
        failures.append(try ObservationFailure(measuring: observation, error: error))
      }
    }
  }
}
