import Foundation

/// The benchmark's settings: where things are, and how many readings each figure measures.
/// Given as `--name value` pairs (the Makefile's `bench` target passes its `BENCH_*`
/// variables); the defaults below are the Makefile's.
struct Options: Encodable {
  /// The bundled fixtures.
  var fixtures = "Fixtures"
  /// The release `calib` to measure.
  var calib = ".build/release/calib"
  /// The python of the virtual environment holding calibr8; empty: calibr8 is not measured.
  var python = ""
  /// The script that measures calibr8 (Tests/Bench/calibr8_bench.py).
  var script = "Tests/Bench/calibr8_bench.py"
  /// The swift whose version the JSON records.
  var swift = "swift"
  /// Where the JSON goes (its folder is created).
  var output = ".build/bench/bench.json"
  /// Threads of every `calib measure` run but the one-thread comparison.
  var threads = 2
  /// Single readings of the line, σ estimated (run twice: `threads` and one thread).
  var lineReadings = 200_000
  /// Triplicate observations of the line (three readings each).
  var triplicates = 20_000
  /// Single readings of the line with known u(y).
  var knownUReadings = 200_000
  /// Readings of the 4PL, linearized predictive.
  var linearizedReadings = 20_000
  /// Readings of the 4PL averaged over the MCMC samples by the exact path (`--map off`).
  var samplesReadings = 20
  /// Readings of the 4PL averaged over the MCMC samples with `--map auto` (the measurement
  /// map from 512 readings).
  var samplesMapReadings = 20_000
  /// Readings of the 4PL by quadrature over the parameters by the exact path (`--map off`).
  var integrationReadings = 4
  /// Readings of the 4PL by quadrature over the parameters with `--map auto` (likewise).
  var integrationMapReadings = 20_000
  /// Readings of the second, larger run of each 4PL map figure: the map is built once for
  /// either count (the readings cover the same range), so the two runs' difference is what the
  /// map costs a reading once built. 0: no second run.
  var mapScaleReadings = 200_000
  /// Readings of the large file whose peak memory is measured.
  var memoryReadings = 10_000_000
  /// Readings calibr8 measures (the first of the line's).
  var calibr8Readings = 20
  /// Readings of the larger callgrind run (the other has one); 0: no callgrind.
  var callgrindReadings = 1_001
  /// Readings of the larger callgrind run with the measurement map on; 0: none.
  var callgrindMapReadings = 10_001

  enum CodingKeys: String, CodingKey {
    case threads, triplicates
    case lineReadings = "line_readings"
    case knownUReadings = "known_u_readings"
    case linearizedReadings = "linearized_readings"
    case samplesReadings = "samples_readings"
    case samplesMapReadings = "samples_map_readings"
    case integrationReadings = "integration_readings"
    case integrationMapReadings = "integration_map_readings"
    case mapScaleReadings = "map_scale_readings"
    case memoryReadings = "memory_readings"
    case calibr8Readings = "calibr8_readings"
    case callgrindReadings = "callgrind_readings"
    case callgrindMapReadings = "callgrind_map_readings"
  }

  /// The options given as `--name value` pairs in `arguments`.
  static func parse(_ arguments: [String]) throws -> Options {
    var options = Options()
    guard arguments.count % 2 == 0 else { throw usage("every --name needs a value") }
    for k in stride(from: 0, to: arguments.count, by: 2) {
      try options.set(arguments[k], arguments[k + 1])
    }
    return options
  }

  /// Sets the option named `name` (`--line-readings`) to `value`.
  private mutating func set(_ name: String, _ value: String) throws {
    let paths: [String: WritableKeyPath<Options, String>] = [
      "--fixtures": \.fixtures, "--calib": \.calib, "--python": \.python,
      "--script": \.script, "--swift": \.swift, "--output": \.output,
    ]
    let counts: [String: WritableKeyPath<Options, Int>] = [
      "--threads": \.threads, "--line-readings": \.lineReadings,
      "--triplicates": \.triplicates, "--known-u-readings": \.knownUReadings,
      "--linearized-readings": \.linearizedReadings, "--samples-readings": \.samplesReadings,
      "--samples-map-readings": \.samplesMapReadings,
      "--integration-readings": \.integrationReadings,
      "--integration-map-readings": \.integrationMapReadings,
      "--map-scale-readings": \.mapScaleReadings, "--memory-readings": \.memoryReadings,
      "--calibr8-readings": \.calibr8Readings, "--callgrind-readings": \.callgrindReadings,
      "--callgrind-map-readings": \.callgrindMapReadings,
    ]
    if let path = paths[name] {
      self[keyPath: path] = value
    } else if let count = counts[name], let number = Int(value), number >= 0 {
      self[keyPath: count] = number
    } else {
      throw Self.usage("unknown option or bad value: \(name) \(value)")
    }
  }

  /// An error explaining the command line.
  private static func usage(_ problem: String) -> ChildError {
    ChildError(
      description: "\(problem)\nusage: calib-bench [--fixtures DIR] [--calib PATH] "
        + "[--python PATH] [--script PATH] [--swift PATH] [--output FILE] [--threads N] "
        + "[--line-readings N] [--triplicates N] [--known-u-readings N] "
        + "[--linearized-readings N] [--samples-readings N] [--samples-map-readings N] "
        + "[--integration-readings N] [--integration-map-readings N] [--map-scale-readings N] "
        + "[--memory-readings N] [--calibr8-readings N] [--callgrind-readings N] "
        + "[--callgrind-map-readings N]")
  }
}
