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

  @Argument(help: "The instrument file written by calib fit, or -.")
  var instrument: String

  @Argument(help: "The observations CSV file, or -.")
  var observations: String

  @Option(name: .customLong("y"), help: ArgumentHelp("Column of the readings.", valueName: "col"))
  var responseColumn: String

  @OptionGroup var reading: ObservationOptions

  @Option(help: "Level of the intervals, in (0, 1).")
  var level: Double = 0.95

  @Option(help: "Inference method.")
  var method: MethodOption = .bayes

  @Option(help: ArgumentHelp("Prior range of x (default: the calibrated domain widened by its width on each side). Write --range=LO:HI when LO is negative.", valueName: "lo:hi"))
  var range: String?

  @Option(help: "Accepted for scripts; no measurement method draws random numbers (posterior samples come from the fit), so the report does not depend on it.")
  var seed: UInt64 = 1

  @Option(help: "Nonlinear instruments only (a linear instrument is integrated exactly; giving it is an error): integrate the instrument state out through the linearized response, over its posterior samples, or by quadrature over the parameters (default: samples when the instrument has them, else linearized).")
  var marginalize: MarginalizeOption?

  @Option(help: "Output format.")
  var format: FormatOption = .json

  @Option(name: .customLong("bound-density"), help: "out_of_range when the posterior density at a prior bound is at least this fraction of its peak.")
  var boundDensity: Double = CoverageThresholds().boundDensity

  @Option(name: .customLong("inconsistency-p"), help: "inconsistent when the consistency p-value is below this.")
  var inconsistencyP: Double = CoverageThresholds().inconsistencyP

  @Option(name: .customLong("extrapolation-mass"), help: "extrapolated when P(x outside the domain) exceeds this.")
  var extrapolationMass: Double = CoverageThresholds().extrapolationMass

  @Option(name: .customLong("min-support"), help: "sparse when fewer distinct standards lie near the estimate.")
  var minimumSupport: Int = CoverageThresholds().minimumSupport

  @Option(help: "Threads measuring at once (default: the processors available). The report is the same, bit for bit, for any number.")
  var threads: Int?

  @Flag(help: "Report progress on standard error every two seconds (observations done, rate).")
  var progress = false

  @Flag(help: "Exit 65 when any observation could not be measured (the report still lists it with its error).")
  var strict = false

  @Option(name: .shortAndLong, help: ArgumentHelp("Report file to write, or - for standard output.", valueName: "file"))
  var output: String = "-"

  enum MethodOption: String, ExpressibleByArgument, CaseIterable {
    case bayes, inversion, wald
  }

  enum MarginalizeOption: String, ExpressibleByArgument, CaseIterable {
    case linearized, samples, integration
  }

  enum FormatOption: String, ExpressibleByArgument, CaseIterable {
    case json, ndjson, csv, table
  }

  func validate() throws {
    guard level > 0, level < 1 else { throw ValidationError("--level must lie strictly between 0 and 1") }
    if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    if instrument == "-" && observations == "-" {
      throw ValidationError("the instrument and the observations cannot both come from standard input")
    }
    _ = try RangeOption.parse(range)
    guard boundDensity > 0, boundDensity <= 1, inconsistencyP > 0, inconsistencyP < 1,
      extrapolationMass > 0, extrapolationMass < 1, minimumSupport >= 0
    else {
      throw ValidationError("coverage thresholds: --bound-density in (0, 1], --inconsistency-p and --extrapolation-mass in (0, 1), --min-support ≥ 0")
    }
  }

  func run() throws {
    try ExitStatus.reporting {
      let state = try InstrumentFile.decode(try FileByteSource(path: instrument).readAll(), name: instrument)
      var thresholds = CoverageThresholds()
      thresholds.boundDensity = boundDensity
      thresholds.inconsistencyP = inconsistencyP
      thresholds.extrapolationMass = extrapolationMass
      thresholds.minimumSupport = minimumSupport
      let settings = MeasurementSettings(
        // Cannot trap: the options' cases mirror the engine's, raw value for raw value.
        level: level, method: MeasurementSettings.Method(rawValue: method.rawValue)!, range: try RangeOption.parse(range),
        thresholds: thresholds, marginalization: marginalize.map { MeasurementSettings.Marginalization(rawValue: $0.rawValue)! })
      let measurers: [Measurer]
      do {
        let count = threads ?? max(ProcessInfo.processInfo.activeProcessorCount, 1)
        measurers = try (0..<count).map { _ in try Measurer(instrument: state, settings: settings) }
      } catch MeasurementError.invalidSetting(let message) {
        throw CommandFailure.usage(message)
      } catch let error as MeasurementError {
        throw InputError(file: instrument, message: error.description)
      }
      let pool = MeasurerPool(measurers: measurers)
      let source = try reading.reader(path: observations, response: responseColumn)
      // Cannot trap: the option's cases are the encoder's, raw value for raw value.
      var encoder = ReportEncoder(format: ReportEncoder.Format(rawValue: format.rawValue)!)
      let output = try OutputFile(path: output)
      try output.write(try encoder.header(ReportEncoder.Settings(measurer: measurers[0], instrumentFile: instrument)))
      let meter = progress ? ProgressMeter(noun: "observations") : nil
      // Observations are measured in batches, in parallel; reports are written in input order.
      var batch: [Observation] = []
      var failures = 0
      // One observation that cannot be measured is reported with its error; the rest go on.
      func flush() throws {
        for (observation, result) in zip(batch, pool.measure(batch)) {
          do {
            try output.write(try encoder.observation(try result.get()))
          } catch let error as MeasurementError {
            if case .missingUncertainty = error { throw CommandFailure.usage(error.description) }
            failures += 1
            try output.write(try encoder.failure(ObservationFailure(observation, error: error)))
          } catch let error as CommandFailure {
            throw error
          } catch {
            failures += 1
            try output.write(try encoder.failure(ObservationFailure(observation, error: error)))
          }
          meter?.advance()
        }
        batch.removeAll(keepingCapacity: true)
      }
      while let observation = try source.next() {
        batch.append(observation)
        if batch.count == 256 { try flush() }
      }
      try flush()
      try output.write(try encoder.footer())
      try output.commit()
      meter?.finish()
      if strict && failures > 0 {
        throw InputError(
          file: observations,
          message: "\(failures) observation\(failures == 1 ? "" : "s") could not be measured (--strict); the report was written")
      }
    }
  }
}
