import ArgumentParser
import CalibCore
import Foundation

/// `calib plot`: the calibration curve with its bands, the standards, the calibrated domain,
/// the residuals, and the measured observations, as SVG.
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Draw the calibration and the measured observations as SVG.",
    discussion: "See docs/plot.md."
  )

  @OptionGroup var instrument: InstrumentArgument

  @Argument(help: "An observations CSV file (optional), or - for standard input.")
  var observations: String?

  @Option(
    name: .customLong("y"),
    help: ArgumentHelp("Column of the readings (with observations).", valueName: "col"))
  var responseColumn: String?

  @OptionGroup var reading: ObservationOptions

  @OptionGroup var range: RangeOptions

  @Flag(
    inversion: .prefixedNo,
    help: "A log x axis (default: when the standards are a geometric design, a dilution series).")
  var logX: Bool?

  @OptionGroup var output: OutputOptions

  func validate() throws {
    if observations != nil && responseColumn == nil {
      throw ValidationError("with observations, give --y COL")
    }
    if observations == nil && responseColumn != nil {
      throw ValidationError(
        "--y names the readings of observations; give an observations file after the instrument")
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
      case .multiOutput:
        throw InputError(
          file: instrument.path,
          message:
            "calib plot draws an instrument with one output for now; this one has several (docs/plot.md)"
        )
      }
      var reports: [ObservationReport] = []
      if let observations, let responseColumn {
        if columnList(responseColumn).count > 1 {
          throw CommandFailure.usage("--y: the instrument has one output; give one column")
        }
        let measurer: Measurer
        do {
          measurer = try Measurer(
            instrument: state, settings: MeasurementSettings(range: try range.record))
        } catch let error as MeasurementError {
          throw InputError(file: instrument.path, message: error.commandLineMessage)
        }
        let source = try reading.reader(path: observations, response: responseColumn)
        while let observation = try source.next() {
          // An observation that cannot be measured has no interval to draw.
          if let report = try? measurer.measure(observation) { reports.append(report) }
        }
      }
      let plot: CalibrationPlot
      do {
        plot = try CalibrationPlot(instrument: state, observations: reports, logarithmicX: logX)
      } catch let error as MeasurementError {
        throw InputError(file: instrument.path, message: error.commandLineMessage)
      }
      try OutputFile.write(Array(plot.svg.utf8), to: output.output)
    }
  }
}
