import CalibCore
import Foundation

/// Two cheap figures inside the engine, on one thread, without start-up, parsing or writing:
/// fitting the Pontius quadratic, and measuring the line (`Measurer.measure` alone). Beside the
/// whole-process figures they show what reading and writing cost.
extension Bench {
  /// Fits `poly:2` to the 40 Pontius standards 2 000 times, then measures 5 000 readings of
  /// the line with the default settings.
  mutating func inEngine() throws {
    let provenance = Provenance(
      input: "bench", inputSHA256: "", calibVersion: CalibVersion.current, command: [])
    let pontius = try calibration("pontius-load-cell.csv", x: "load", y: "deflection")
    let quadratic = try ResponseModel(spec: "poly:2", predictors: ["load"])
    let fits = 2000
    let fitTime = try time {
      for _ in 0..<fits { _ = try quadratic.fit(to: pontius, provenance: provenance) }
    }
    record(
      Figure(
        "engine-fit-poly2", "in the engine: fit poly:2 to the 40 Pontius standards (per fit)",
        readings: fits, threads: 1, seconds: fitTime))

    let line = try ResponseModel(spec: "line", predictors: ["concentration"])
      .fit(
        to: try calibration("absorbance-line.csv", x: "concentration", y: "absorbance"),
        provenance: provenance)
    let measurer = try Measurer(instrument: line, settings: MeasurementSettings())
    var generator = LinearCongruential(seed: 20_261_125)
    let readings = (0..<5000).map { _ in Workload.lineReading(&generator) }
    let measureTime = try time {
      for (k, y) in readings.enumerated() {
        _ = try measurer.measure(Observation(id: "\(k)", readings: [y], line: k + 2))
      }
    }
    record(
      Figure(
        "engine-line", "in the engine: Measurer.measure, line, σ estimated, one reading",
        readings: readings.count, threads: 1, seconds: measureTime))
  }

  /// The standards of the fixture `file`, `x` and `y` its columns.
  private func calibration(_ file: String, x: String, y: String) throws -> CalibrationData {
    let bytes = [UInt8](try Data(contentsOf: fileURL(options.fixtures + "/" + file)))
    return try CalibrationData(
      reading: try CSVReader(source: MemoryByteSource(bytes), name: file), predictors: [x],
      response: y, uncertainty: nil)
  }

  /// The seconds `body` takes.
  private func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }
}
