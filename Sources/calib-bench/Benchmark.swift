import CalibCore
import CalibSystem
import Foundation

/// `make bench`: speed and memory of fitting and measuring, on the bundled fixtures and on
/// readings generated from them, in a release build. Prints one line per figure.
@main
struct Benchmark {
  static func main() throws {
    let fixtures = URL(
      fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Fixtures")
    let calib = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : ".build/release/calib"
    print(
      "calib \(CalibVersion.current) benchmark, release build; in-engine figures on one thread, the command on all processors"
    )

    // Fitting: the Pontius quadratic (40 standards) from parsed data.
    let pontius = try calibration(fixtures, "pontius-load-cell.csv", x: "load", y: "deflection")
    let quadratic = try ResponseModel(spec: "poly:2", predictors: ["load"])
    let fits = 2000
    let fitTime = try time {
      for _ in 0..<fits { _ = try quadratic.fit(to: pontius, provenance: provenance) }
    }
    report("fit poly:2 to 40 standards", perItem: fitTime / Double(fits), unit: "fits")

    // Measuring with the absorbance line (σ estimated) and the quadratic (u known).
    let absorbance = try ResponseModel(spec: "line", predictors: ["concentration"])
      .fit(
        to: try calibration(fixtures, "absorbance-line.csv", x: "concentration", y: "absorbance"),
        provenance: provenance)
    let vertex = try ResponseModel(spec: "poly:2", predictors: ["x"])
      .fit(
        to: try calibration(
          fixtures, "quadratic-vertex.csv", x: "x", y: "reading", sy: "u_reading"),
        provenance: provenance)
    var generator = LinearCongruential(seed: 20261125)
    let readings = (0..<20_000).map { _ in
      0.0052 + 0.0987 * 10 * generator.next() + 0.004 * (generator.next() - 0.5)
    }
    for method in MeasurementSettings.Method.allCases {
      let measurer = try Measurer(
        instrument: absorbance, settings: MeasurementSettings(method: method))
      let seconds = try time {
        for (k, y) in readings.enumerated() {
          _ = try measurer.measure(Observation(id: "\(k)", readings: [y], line: k + 2))
        }
      }
      report(
        "measure one reading, line, σ estimated, \(method.rawValue)",
        perItem: seconds / Double(readings.count), unit: "readings")
    }
    let triplicates = try Measurer(instrument: absorbance, settings: MeasurementSettings())
    let tripleTime = try time {
      for k in 0..<5000 {
        _ = try triplicates.measure(
          Observation(id: "\(k)", readings: Array(readings[(3 * k)..<(3 * k + 3)]), line: k + 2))
      }
    }
    report(
      "measure triplicate readings, line, bayes", perItem: tripleTime / 5000, unit: "observations")
    let twoModes = try Measurer(instrument: vertex, settings: MeasurementSettings())
    let twoModeTime = try time {
      for k in 0..<5000 {
        _ = try twoModes.measure(
          Observation(
            id: "\(k)", readings: [6 + 5 * generator.next()], uncertainties: [0.05], line: k + 2))
      }
    }
    report(
      "measure one reading, quadratic with two modes, u known, bayes", perItem: twoModeTime / 5000,
      unit: "readings")
    // A 4PL instrument with posterior samples, measured by averaging over them.
    let elisa = try ResponseModel(spec: "4pl", predictors: ["conc"])
      .fit(
        to: try calibration(fixtures, "elisa-4pl.csv", x: "conc_ng_mL", y: "od"), posterior: .mcmc,
        seed: 1, provenance: provenance)
    for marginalization in MeasurementSettings.Marginalization.allCases {
      let measurer = try Measurer(
        instrument: elisa, settings: MeasurementSettings(marginalization: marginalization))
      let count = marginalization == .linearized ? 2000 : marginalization == .samples ? 30 : 3
      let seconds = try time {
        for k in 0..<count {
          _ = try measurer.measure(
            Observation(id: "\(k)", readings: [0.3 + 1.5 * generator.next()], line: k + 2))
        }
      }
      report(
        "measure one reading, 4PL, bayes, \(marginalization.rawValue)",
        perItem: seconds / Double(count), unit: "readings")
    }
    print(
      String(format: "peak resident memory of the benchmark: %.1f MB", peakMegabytes(RUSAGE_SELF)))

    // Streaming: calib measure on 200 000 readings to NDJSON, as a user runs it.
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "calib-bench-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let instrumentFile = directory.appendingPathComponent("absorbance.json")
    try Data(try InstrumentFile.encode(absorbance)).write(to: instrumentFile)
    var rows = "absorbance\n"
    for k in 0..<200_000 { rows += String(format: "%.4f\n", readings[k % readings.count]) }
    let observations = directory.appendingPathComponent("observations.csv")
    try rows.write(to: observations, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: calib)
    process.arguments = [
      "measure", instrumentFile.path, observations.path, "--y", "absorbance", "--format", "ndjson",
      "-o", directory.appendingPathComponent("report.ndjson").path,
    ]
    let streaming = try time {
      try process.run()
      process.waitUntilExit()
    }
    guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    report(
      "calib measure, 200 000 readings to NDJSON (whole command, \(ProcessInfo.processInfo.activeProcessorCount) threads)",
      perItem: streaming / 200_000, unit: "readings")
    print(
      String(
        format: "peak resident memory of calib measure on 200 000 readings: %.1f MB",
        peakMegabytes(RUSAGE_CHILDREN)))
  }

  static let provenance = Provenance(
    input: "bench", inputSHA256: "", calibVersion: CalibVersion.current, command: [])

  static func calibration(
    _ fixtures: URL, _ file: String, x: String, y: String, sy: String? = nil
  ) throws -> CalibrationData {
    let bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(file)))
    return try CalibrationData(
      reading: try CSVReader(source: MemoryByteSource(bytes), name: file), predictors: [x],
      response: y, uncertainty: sy)
  }

  static func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  static func report(_ what: String, perItem seconds: Double, unit: String) {
    print(String(format: "%@: %.1f µs each, %.3g %@/s", what, seconds * 1e6, 1 / seconds, unit))
  }

  static func peakMegabytes(_ who: __rusage_who) -> Double {
    var usage = rusage()
    getrusage(who.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
  }
}

/// A reproducible uniform generator on [0, 1) (Knuth's MMIX constants), so that the benchmark
/// measures the same readings every run.
struct LinearCongruential {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> Double {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return Double(state >> 11) / Double(1 << 53)
  }
}
