import ArgumentParser
import CalibCore
import Foundation

/// `calib coverage`: where the instrument can measure, and the coverage of observations.
struct CoverageCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "coverage",
    abstract: "Map where an instrument can measure; with observations, check each one's coverage.",
    discussion: "Writes a calib-coverage/1 JSON file. See docs/coverage.md."
  )

  @Argument(help: "The instrument file written by calib fit, or -.")
  var instrument: String

  @Argument(help: "An observations CSV file (optional), or -.")
  var observations: String?

  @Option(name: .customLong("y"), help: ArgumentHelp("Column of the readings (with observations).", valueName: "col"))
  var responseColumn: String?

  @OptionGroup var reading: ObservationOptions

  @Option(help: ArgumentHelp("Prior range of x; write --range=LO:HI when LO is negative.", valueName: "lo:hi"))
  var range: String?

  @Option(help: "Points of the map across the range.")
  var points: Int = 201

  @Option(name: .customLong("min-support"), help: "sparse where fewer distinct standards lie within reach (1.25 typical spacings).")
  var minimumSupport: Int = CoverageThresholds().minimumSupport

  @Option(name: .shortAndLong, help: ArgumentHelp("File to write, or - for standard output.", valueName: "file"))
  var output: String = "-"

  func validate() throws {
    if observations != nil && responseColumn == nil { throw ValidationError("with observations, give --y COL") }
    if instrument == "-" && observations == "-" { throw ValidationError("the instrument and the observations cannot both come from standard input") }
    guard points >= 2, points <= 100_000 else { throw ValidationError("--points must be between 2 and 100000") }
    _ = try RangeOption.parse(range)
  }

  func run() throws {
    try ExitStatus.reporting {
      let state = try InstrumentFile.decode(try FileByteSource(path: instrument).readAll(), name: instrument)
      var thresholds = CoverageThresholds()
      thresholds.minimumSupport = minimumSupport
      let measurer: Measurer
      do {
        measurer = try Measurer(instrument: state, settings: MeasurementSettings(range: try RangeOption.parse(range), thresholds: thresholds))
      } catch let error as MeasurementError {
        throw InputError(file: instrument, message: error.description)
      }
      var map = try InstrumentMap(measurer: measurer, points: points)
      if let observations, let responseColumn {
        let source = try reading.reader(path: observations, response: responseColumn)
        var blocks: [InstrumentMap.ObservationCoverage] = []
        while let observation = try source.next() {
          do {
            blocks.append(InstrumentMap.ObservationCoverage(try measurer.measure(observation)))
          } catch let error as MeasurementError {
            if case .missingUncertainty = error { throw CommandFailure.usage(error.description) }
            blocks.append(InstrumentMap.ObservationCoverage(ObservationFailure(observation, error: error)))
          } catch {
            blocks.append(InstrumentMap.ObservationCoverage(ObservationFailure(observation, error: error)))
          }
        }
        map.observations = blocks
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      try OutputFile.write([UInt8](try encoder.encode(map)) + [0x0A], to: output)
    }
  }
}

/// The `--range LO:HI` option of measure and coverage.
enum RangeOption {
  static func parse(_ text: String?) throws -> ClosedRangeRecord? {
    guard let text else { return nil }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let lower = DecimalNumber.parse(String(parts[0]))?.doubleValue,
      let upper = DecimalNumber.parse(String(parts[1]))?.doubleValue, lower < upper
    else {
      throw ValidationError("--range: expected LO:HI with LO < HI, e.g. --range=-2:12, found '\(text)'")
    }
    return ClosedRangeRecord(lower: lower, upper: upper)
  }
}
