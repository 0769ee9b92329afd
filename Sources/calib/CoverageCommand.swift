import ArgumentParser
import CalibCore
import Foundation

/// `calib coverage`: where the instrument can measure, and the coverage of observations.
struct CoverageCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "coverage",
    abstract: "Map where an instrument can measure; with observations, check each one's coverage.",
    discussion:
      "Writes a calib-coverage/1 JSON file (calib-multi-output-coverage/1 for an instrument with several outputs). See docs/coverage.md."
  )

  @OptionGroup var instrument: InstrumentArgument

  @OptionGroup var observed: ObservationsArgument

  /// The observations file, if any, and its reading columns.
  var observations: String? { observed.path }
  var responseColumn: String? { observed.responseColumn }

  @OptionGroup var reading: ObservationOptions

  @OptionGroup var range: RangeOptions

  @Option(parsing: .unconditional, help: "Points of the map across the range.")
  var points: Int = 201

  @OptionGroup var thresholds: CoverageThresholdOptions

  @OptionGroup var output: OutputOptions

  func validate() throws {
    try observed.check(instrument: instrument)
    guard points >= 2, points <= 100_000 else {
      throw ValidationError("--points must be between 2 and 100000")
    }
  }

  func run() throws {
    try ExitStatus.reporting {
      let state: Instrument
      switch try instrument.readAny() {
      case .single(let single): state = single
      case .multiOutput(let multiOutput): return try coverSeveralOutputs(multiOutput)
      }
      if let responseColumn, columnList(responseColumn).count > 1 {
        throw CommandFailure.usage(
          "--y: the instrument has one output; give one column of readings (several columns are for an instrument fitted with --y y1,y2,...)"
        )
      }
      if try range.namedRecords != nil {
        throw CommandFailure.usage(
          "--range: the instrument has one unknown; give its range as --range LO:HI")
      }
      let measurer: Measurer
      do {
        let settings = MeasurementSettings(
          range: try range.record, thresholds: thresholds.thresholds)
        measurer = try Measurer(instrument: state, settings: settings)
      } catch let error as MeasurementError {
        throw InputError(file: instrument.path, message: error.commandLineMessage)
      }
      var map = try InstrumentMap(measurer: measurer, points: points)
      if let observations, let responseColumn {
        map.observations = try coverage(of: observations, readings: responseColumn, by: measurer)
      }
      try write(map)
    }
  }

  /// Writes `map` to the output, refusing a figure that is not finite.
  func write<Map: Encodable>(_ map: Map) throws {
    let bytes: Data
    do {
      bytes = try JSONEncoder.calibFile.encode(map)
    } catch EncodingError.invalidValue(_, let context) {
      // Extreme values in the instrument file (a variance of 1e308) overflow a figure.
      let path = context.codingPath.map(\.stringValue).joined(separator: ".")
      throw InputError(
        file: instrument.path,
        message:
          "the coverage map's figure \(path) overflows (not finite) with this instrument's values"
      )
    }
    try OutputFile.write(
      [UInt8](bytes) + [0x0A], to: output.output,
      inputs: [instrument.path] + (observations.map { [$0] } ?? []))
  }

  /// The coverage block of each observation in `path`, or its error.
  private func coverage(
    of path: String, readings: String, by measurer: Measurer
  ) throws -> [InstrumentMap.ObservationCoverage] {
    let source = try reading.reader(path: path, response: readings)
    var blocks: [InstrumentMap.ObservationCoverage] = []
    while let observation = try source.next() {
      do {
        blocks.append(InstrumentMap.ObservationCoverage(try measurer.measure(observation)))
      } catch let error as MeasurementError {
        if case .missingUncertainty = error { throw CommandFailure.usage(error.commandLineMessage) }
        blocks.append(
          InstrumentMap.ObservationCoverage(
            ObservationFailure(commandLine: observation, error: error)))
      } catch {
        blocks.append(
          InstrumentMap.ObservationCoverage(
            ObservationFailure(commandLine: observation, error: error)))
      }
    }
    return blocks
  }
}
