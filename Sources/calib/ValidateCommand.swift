import ArgumentParser
import CalibCore
import Foundation

/// `calib validate`: statistical coverage of the intervals, by simulation.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check by simulation that the intervals hold the truth as often as their level says.",
    discussion: "Writes a calib-validation/1 JSON file. See docs/coverage.md."
  )

  @OptionGroup var instrument: InstrumentArgument

  @Option(parsing: .unconditional, help: "Simulated calibrations and readings.")
  var trials: Int = 1000

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Interval levels to check, comma-separated.", valueName: "p,p,..."))
  var levels: String = "0.5,0.9,0.95"

  @Option(help: "Method whose intervals are checked.")
  var method: MeasurementSettings.Method = .bayes

  @Option(
    help: """
      Where the true x is drawn from: the prior range of the measurement (exact rank check) or \
      the calibrated domain.
      """)
  var truth: CoverageValidation.TruthDistribution = .prior

  @Option(
    name: .customLong("fit-noise"),
    help: """
      The noise model each simulated calibration is refitted with: the instrument's own \
      (same), or a constant σ (constant; for an instrument whose noise varies, to see how a \
      constant-noise fit covers at each end of the range).
      """)
  var fitNoise: CoverageValidation.NoiseRefit = .same

  @OptionGroup var seed: SeedOptions

  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard trials >= 1, trials <= 10_000_000 else {
      throw ValidationError("--trials must be between 1 and 10000000")
    }
    _ = try parsedLevels()
  }

  /// The levels of `--levels`, each strictly between 0 and 1.
  private func parsedLevels() throws -> [Double] {
    let values = levels.split(separator: ",").compactMap { text -> Double? in
      guard let value = DecimalNumber.parse(String(text))?.doubleValue, value > 0, value < 1
      else { return nil }
      return value
    }
    guard !values.isEmpty, values.count == levels.split(separator: ",").count else {
      throw ValidationError(
        "--levels: expected numbers strictly between 0 and 1 separated by commas,"
          + " found '\(levels)'")
    }
    return values
  }

  func run() throws {
    try ExitStatus.reporting {
      let state: Instrument
      switch try instrument.readAny() {
      case .single(let single): state = single
      case .multiOutput(let multiOutput):
        guard method == .bayes, fitNoise == .same else {
          throw CommandFailure.usage(
            "--method and --fit-noise apply to an instrument with one output; one with several is validated with its posterior over x and its own noise covariance"
          )
        }
        let result: MultiOutputValidation
        do {
          result = try MultiOutputValidation.run(
            instrument: multiOutput, trials: trials, levels: try parsedLevels(), seed: seed.seed,
            truth: truth)
        } catch let error as MeasurementError {
          throw InputError(file: instrument.path, message: error.commandLineMessage)
        }
        try OutputFile.write(
          [UInt8](try JSONEncoder.calibFile.encode(result)) + [0x0A], to: output.output,
          inputs: [instrument.path])
        return
      }
      let result: CoverageValidation
      do {
        result = try CoverageValidation.run(
          instrument: state, trials: trials, levels: try parsedLevels(), method: method,
          seed: seed.seed, truth: truth, refit: fitNoise)
      } catch let error as MeasurementError {
        throw InputError(file: instrument.path, message: error.commandLineMessage)
      }
      try OutputFile.write(
        [UInt8](try JSONEncoder.calibFile.encode(result)) + [0x0A], to: output.output,
        inputs: [instrument.path])
    }
  }
}

/// `calib validate --fit-noise`.
extension CoverageValidation.NoiseRefit: ExpressibleByArgument {}
