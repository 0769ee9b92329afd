import CalibCore
import Foundation

extension MeasureCommand {
  /// `calib measure` with an instrument with several outputs: one reading column per output
  /// (`--y y1,y2`), the posterior over every unknown (docs/geometry.md).
  func measureSeveralOutputs(_ instrument: MultiOutputInstrument) throws {
    let outputs = instrument.state.model.responses
    let columns = try outputColumns(responseColumn, outputs: outputs)
    try reading.checkSeveralOutputs()
    if map == .on {
      throw CommandFailure.usage(
        "--map on: the measurement map answers instruments with one output; this one has \(outputs.count)"
      )
    }
    let settings = MeasurementSettings(
      level: level, method: method, range: try range.record,
      thresholds: thresholds.thresholds, marginalization: marginalize, threshold: threshold)
    // One measurer per thread: nothing shared between the workers, not even reference counts.
    let count = threads ?? max(ProcessInfo.processInfo.activeProcessorCount, 1)
    let measurers: [MultiOutputMeasurer]
    do {
      let ranges = try range.namedRecords ?? [:]
      measurers = try (0..<count).map { _ in
        try MultiOutputMeasurer(instrument: instrument, settings: settings, ranges: ranges)
      }
    } catch let error as MeasurementError {
      throw CommandFailure.usage(error.commandLineMessage)
    }
    let measurer = measurers[0]
    var encoder = MultiOutputReportEncoder(
      format: format, predictors: instrument.state.model.predictors)
    // Several outputs have no measurement map: nothing to wait for.
    let pool = MeasurerPool(
      measurers: measurers.map { measurer in
        let bodies = encoder
        let measure = { (observation: Observation, bytes: inout [UInt8]) in
          try EncodedObservation(observation, into: &bytes) { observation, bytes in
            let report = try measurer.measure(observation)
            bytes.append(contentsOf: try bodies.body(report))
            return report.coverage.status
          } failure: {
            try bodies.body($0)
          }
        }
        return MeasurerPool.Worker(measure: measure, measureUnlessWaiting: measure)
      })
    let source = try reading.reader(
      path: observations, response: columns.joined(separator: ","), shard: shard)
    let file = try OutputFile(
      path: output.output, inputs: [self.instrument.path, observations])
    if writesHeader {
      try file.write(
        try encoder.header(
          MultiOutputReportEncoder.Settings(
            measurer: measurer, instrumentFile: self.instrument.path)))
    }
    let failures = try stream(source: source, pool: pool, output: file) {
      encoder.place(measured: $0)
    }
    try file.write(try encoder.footer())
    try file.commit()
    try checkStrict(failures: failures)
  }
}
