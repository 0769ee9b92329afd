import ArgumentParser
import CalibCore
import Foundation

/// `calib plot`: the calibration curve with its bands, the standards, the calibrated domain,
/// the residuals, and the measured observations, as SVG; or one observation's posterior.
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Draw the calibration and the measured observations as SVG.",
    discussion: "See docs/plot.md."
  )

  @OptionGroup var instrument: InstrumentArgument

  @OptionGroup var observed: ObservationsArgument

  /// The observations file, if any, and its reading columns.
  var observations: String? { observed.path }
  var responseColumn: String? { observed.responseColumn }

  @OptionGroup var reading: ObservationOptions

  @OptionGroup var range: RangeOptions

  @Option(
    help: ArgumentHelp(
      "Draw the posterior density of the observation with this id instead of the calibration.",
      valueName: "id"))
  var posterior: String?

  @Flag(
    inversion: .prefixedNo,
    help: "A log x axis (default: when the standards are a geometric design, a dilution series).")
  var logX: Bool?

  @OptionGroup var output: OutputOptions

  func validate() throws {
    if posterior != nil && observations == nil {
      throw ValidationError(
        "--posterior draws a measured observation: give an observations file and --y COL")
    }
    if posterior != nil && logX != nil {
      throw ValidationError(
        "--log-x and --no-log-x apply to the calibration plot, not to --posterior")
    }
    try observed.check(instrument: instrument)
  }

  func run() throws {
    try ExitStatus.reporting {
      let svg: String
      do {
        switch try instrument.readAny() {
        case .single(let state): svg = try plot(state)
        case .multiOutput(let state): svg = try plot(state)
        }
      } catch let error as MeasurementError {
        throw InputError(file: instrument.path, message: error.commandLineMessage)
      }
      try OutputFile.write(
        Array(svg.utf8), to: output.output,
        inputs: [instrument.path] + (observations.map { [$0] } ?? []))
    }
  }

  /// The picture of an instrument with one output.
  private func plot(_ state: Instrument) throws -> String {
    guard let observations, let responseColumn else {
      return try CalibrationPlot(instrument: state, logarithmicX: logX).svg
    }
    if columnList(responseColumn).count > 1 {
      throw CommandFailure.usage("--y: the instrument has one output; give one column")
    }
    let measurer = try Measurer(
      instrument: state, settings: MeasurementSettings(range: try range.record))
    let source = try reading.reader(path: observations, response: responseColumn)
    if let posterior {
      let observation = try named(posterior, in: source, path: observations)
      let (report, density) = try measured(observation) {
        try measurer.measureWithDensity($0)
      }
      let panel = PosteriorPlot.Panel(
        density: density, estimate: report.x,
        domain: state.state.domain.xRange[0].lower...state.state.domain.xRange[0].upper)
      return PosteriorPlot(
        id: report.id, reading: Self.number(report.coverage.reading.mean),
        status: report.coverage.status, panels: [panel]
      ).svg
    }
    var reports: [ObservationReport] = []
    while let observation = try source.next() {
      // An observation that cannot be measured has no interval to draw.
      if let report = try? measurer.measure(observation) { reports.append(report) }
    }
    return try CalibrationPlot(instrument: state, observations: reports, logarithmicX: logX).svg
  }

  /// The picture of an instrument with several outputs.
  private func plot(_ state: MultiOutputInstrument) throws -> String {
    guard let observations, let responseColumn else {
      return try CalibrationPlot(instrument: state, logarithmicX: logX).svg
    }
    let columns = try outputColumns(responseColumn, outputs: state.state.model.responses)
    try reading.checkSeveralOutputs()
    let measurer = try MultiOutputMeasurer(
      instrument: state, settings: MeasurementSettings(range: try range.record),
      ranges: try range.namedRecords ?? [:])
    let source = try reading.reader(
      path: observations, response: columns.joined(separator: ","))
    if let posterior {
      let observation = try named(posterior, in: source, path: observations)
      let (report, densities) = try measured(observation) {
        try measurer.measureWithDensities($0)
      }
      let predictors = state.state.model.predictors
      let panels = densities.indices.compactMap { a -> PosteriorPlot.Panel? in
        guard let estimate = report.x ?? report.quantities?[predictors[a]] else { return nil }
        let domain = state.state.domain.xRange[a]
        return PosteriorPlot.Panel(
          density: densities[a], estimate: estimate, domain: domain.lower...domain.upper)
      }
      return PosteriorPlot(
        id: report.id, reading: Self.readingText(report.readings),
        status: report.coverage.status, panels: panels
      ).svg
    }
    var reports: [MultiOutputObservationReport] = []
    while let observation = try source.next() {
      if let report = try? measurer.measure(observation) { reports.append(report) }
    }
    return try CalibrationPlot(instrument: state, observations: reports, logarithmicX: logX).svg
  }

  /// The mean reading vector of several outputs, as a title shows it: (y₁, y₂, …).
  private static func readingText(_ readings: [[Double]]) -> String {
    guard let first = readings.first else { return "()" }
    let means = first.indices.map { j in
      readings.reduce(0.0) { $0 + $1[j] } / Double(readings.count)
    }
    return "(" + means.map(number).joined(separator: ", ") + ")"
  }

  /// A reading as a title shows it: six significant digits.
  private static func number(_ value: Double) -> String { String(format: "%.6g", value) }

  /// The measurement of the observation `--posterior` names; an observation that cannot be
  /// measured is an error naming its line.
  private func measured<Result>(
    _ observation: Observation, _ measure: (Observation) throws -> Result
  ) throws -> Result {
    do {
      return try measure(observation)
    } catch let error as MeasurementError {
      throw InputError(
        file: observations ?? "-", line: observation.line,
        message: "observation '\(observation.id)' cannot be measured: \(error.commandLineMessage)")
    }
  }

  /// The one observation of `source` (read from `path`) named `id`.
  ///
  /// - Throws: `InputError` when none has the id, or more than one has it (an id given twice
  ///   in a file without `--group`: which one to draw would be a guess).
  private func named(
    _ id: String, in source: ObservationReader, path: String
  ) throws -> Observation {
    var found: Observation?
    while let observation = try source.next() {
      guard observation.id == id else { continue }
      if let found {
        throw InputError(
          file: path, line: observation.line,
          message:
            "--posterior \(id): observations at lines \(found.line) and \(observation.line) both have this id; give --id a column whose values are unique, or --group"
        )
      }
      found = observation
    }
    guard let found else {
      throw InputError(
        file: path,
        message:
          "--posterior \(id): no observation has this id (the --id or --group column, or the line number)"
      )
    }
    return found
  }
}
