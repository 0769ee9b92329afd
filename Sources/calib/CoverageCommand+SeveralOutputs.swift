import CalibCore
import Foundation

extension CoverageCommand {
  /// `calib coverage` with an instrument with several outputs: the map along each unknown
  /// and the design suggestion (`calib-multi-output-coverage/1`); with observations, one
  /// reading column per output (`--y y1,y2`) and the coverage block of each.
  func coverSeveralOutputs(_ instrument: MultiOutputInstrument) throws {
    let predictors = instrument.state.model.predictors
    let measurer: MultiOutputMeasurer
    do {
      let settings = MeasurementSettings(
        range: try range.record, thresholds: thresholds.thresholds)
      measurer = try MultiOutputMeasurer(
        instrument: instrument, settings: settings, ranges: try range.namedRecords ?? [:])
    } catch let error as MeasurementError {
      throw CommandFailure.usage(error.commandLineMessage)
    }
    var map = MultiOutputInstrumentMap(measurer: measurer, points: points)
    if let observations, let responseColumn {
      try reading.checkSeveralOutputs()
      let columns = try outputColumns(responseColumn, outputs: instrument.state.model.responses)
      let source = try reading.reader(path: observations, response: columns.joined(separator: ","))
      var blocks: [MultiOutputInstrumentMap.ObservationCoverage] = []
      while let observation = try source.next() {
        do {
          blocks.append(
            MultiOutputInstrumentMap.ObservationCoverage(
              try measurer.measure(observation), predictors: predictors))
        } catch {
          blocks.append(
            MultiOutputInstrumentMap.ObservationCoverage(
              ObservationFailure(commandLine: observation, error: error),
              outputs: columns.count))
        }
      }
      map.observations = blocks
    }
    try write(map)
  }
}
