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

  @Argument(help: "The instrument file written by calib fit, or -.")
  var instrument: String

  @Option(help: "Simulated calibrations and readings.")
  var trials: Int = 1000

  @Option(help: ArgumentHelp("Interval levels to check, comma-separated.", valueName: "p,p,..."))
  var levels: String = "0.5,0.9,0.95"

  @Option(help: "Method whose intervals are checked.")
  var method: MeasureCommand.MethodOption = .bayes

  @Option(help: "Where the true x is drawn from: the prior range of the measurement (exact rank check) or the calibrated domain.")
  var truth: TruthOption = .prior

  enum TruthOption: String, ExpressibleByArgument, CaseIterable {
    case prior, domain
  }

  @Option(help: "Seed of the simulation's random numbers.")
  var seed: UInt64 = 1

  @Option(name: .shortAndLong, help: ArgumentHelp("File to write, or - for standard output.", valueName: "file"))
  var output: String = "-"

  func validate() throws {
    guard trials >= 1, trials <= 10_000_000 else { throw ValidationError("--trials must be between 1 and 10000000") }
    _ = try parsedLevels()
  }

  private func parsedLevels() throws -> [Double] {
    let values = levels.split(separator: ",").map { DecimalNumber.parse(String($0))?.doubleValue }
    // Cannot trap: each $0! follows its own $0 != nil; the map below runs only when all are.
    guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! > 0 && $0! < 1 }) else {
      throw ValidationError("--levels: expected numbers strictly between 0 and 1 separated by commas, found '\(levels)'")
    }
    return values.map { $0! }
  }

  func run() throws {
    try ExitStatus.reporting {
      let state = try InstrumentFile.decode(try FileByteSource(path: instrument).readAll(), name: instrument)
      let result: CoverageValidation
      do {
        result = try CoverageValidation.run(
          instrument: state, trials: trials, levels: try parsedLevels(),
          // Cannot trap: the options' cases mirror the engine's, raw value for raw value.
          method: MeasurementSettings.Method(rawValue: method.rawValue)!, seed: seed,
          truth: CoverageValidation.TruthDistribution(rawValue: truth.rawValue)!)
      } catch let error as MeasurementError {
        throw InputError(file: instrument, message: error.description)
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      try OutputFile.write([UInt8](try encoder.encode(result)) + [0x0A], to: output)
    }
  }
}
