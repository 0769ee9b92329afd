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

  @Argument(help: "An observations CSV file (optional), or - for standard input.")
  var observations: String?

  @Option(
    name: .customLong("y"),
    help: ArgumentHelp("Column of the readings (with observations).", valueName: "col"))
  var responseColumn: String?

  @OptionGroup var reading: ObservationOptions

  @OptionGroup var range: RangeOptions

  @Option(help: "Level of the credible intervals.")
  var level: Double = 0.95

  @OptionGroup var limits: LimitsOptions

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
    guard level > 0, level < 1 else { throw ValidationError("--level must lie in (0, 1)") }
  }

  func run() throws {
    try ExitStatus.reporting {
      let bytes = try FileByteSource(path: instrument.path).readAll()
      let state: Instrument
      switch try InstrumentFile.decodeAny(bytes, name: instrument.path) {
      case .single(let single): state = single
      case .multiOutput:
        throw InputError(
          file: instrument.path,
          message:
            "calib report writes the page of an instrument with one output for now; this one has several (docs/report.md)"
        )
      }
      var inputs = [
        LabReport.Input(
          role: "instrument", path: instrument.path, sha256: SHA256Digest.hex(of: bytes))
      ]
      var reports: [ObservationReport] = []
      var failures: [ObservationFailure] = []
      if let observations, let responseColumn {
        if columnList(responseColumn).count > 1 {
          throw CommandFailure.usage("--y: the instrument has one output; give one column")
        }
        let measurer: Measurer
        do {
          measurer = try Measurer(
            instrument: state,
            settings: MeasurementSettings(level: level, range: try range.record))
        } catch let error as MeasurementError {
          throw CommandFailure.usage(error.commandLineMessage)
        }
        let source = try reading.reader(path: observations, response: responseColumn)
        while let observation = try source.next() {
          do {
            reports.append(try measurer.measure(observation))
          } catch let error as MeasurementError {
            if case .missingUncertainty = error {
              throw CommandFailure.usage(error.commandLineMessage)
            }
            failures.append(ObservationFailure(commandLine: observation, error: error))
          } catch {
            failures.append(ObservationFailure(commandLine: observation, error: error))
          }
        }
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
      let page = LabReport(
        instrument: state, observations: reports, failures: failures, limits: limitsResult,
        plot: plot, inputs: inputs, version: CalibVersion.current,
        command: ["calib"] + CommandLine.arguments.dropFirst())
      try OutputFile.write(Array(page.html.utf8), to: output.output)
    }
  }
}
