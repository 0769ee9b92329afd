import Foundation

/// A reproducible uniform generator on [0, 1) (Knuth's MMIX constants), so that the benchmark
/// measures the same readings every run.
struct LinearCongruential {
  /// The generator's state, advanced by each draw.
  var state: UInt64
  /// A generator started from `seed`.
  init(seed: UInt64) { state = seed }
  /// The next uniform number on [0, 1).
  mutating func next() -> Double {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return Double(state >> 11) / Double(1 << 53)
  }
}

/// The input files of the scenarios, generated in the benchmark's folder: readings of the
/// absorbance line and of the ELISA 4PL, and the line's standards with a known u(y). The same
/// counts give the same files, byte for byte, on every run.
struct Workload {
  /// The folder the files are written to.
  let directory: String
  /// The bundled fixtures (`Fixtures`).
  let fixtures: String
  /// The standard uncertainty given to the line's standards and readings for `known u`.
  static let knownU = 0.003

  /// Single readings of the absorbance line (x uniform on the standards' span [0, 10]), in the
  /// column `absorbance`; with `uncertainty`, a column `u` of `knownU` beside them. The first
  /// `k` of `n` readings are the `k` readings; a file already written is reused.
  func lineReadings(_ count: Int, uncertainty: Bool = false) throws -> String {
    let path = directory + "/line-\(count)\(uncertainty ? "-u" : "").csv"
    if FileManager.default.fileExists(atPath: path) { return path }
    var generator = LinearCongruential(seed: 20_261_125)
    let suffix = uncertainty ? "," + Self.decimal(Self.knownU) : ""
    try write(path, header: uncertainty ? "absorbance,u" : "absorbance", rows: count) { _ in
      Self.decimal(Self.lineReading(&generator)) + suffix
    }
    return path
  }

  /// Triplicate readings of the absorbance line, `observations` groups of three consecutive
  /// rows sharing a `sample` label, each reading within ±0.003 of the group's level.
  func lineTriplicates(_ observations: Int) throws -> String {
    let path = directory + "/triplicates-\(observations).csv"
    var generator = LinearCongruential(seed: 20_261_126)
    var level = 0.0
    try write(path, header: "sample,absorbance", rows: 3 * observations) { row in
      if row % 3 == 0 { level = Self.lineReading(&generator) }
      return "s\(row / 3)," + Self.decimal(level + 0.006 * (generator.next() - 0.5))
    }
    return path
  }

  /// Single readings of the ELISA 4PL, optical densities uniform on [0.3, 1.8] (inside its
  /// asymptotes), in the column `od`.
  func elisaReadings(_ count: Int) throws -> String {
    let path = directory + "/elisa-\(count).csv"
    var generator = LinearCongruential(seed: 20_261_127)
    try write(path, header: "od", rows: count) { _ in
      Self.decimal(0.3 + 1.5 * generator.next())
    }
    return path
  }

  /// The absorbance line's standards (Fixtures/absorbance-line.csv) with a column `u` of
  /// `knownU`, for an instrument fitted with `--sy u`.
  func lineStandardsWithUncertainty() throws -> String {
    let source = try String(contentsOfFile: fixtures + "/absorbance-line.csv", encoding: .utf8)
    let lines = source.split(whereSeparator: \.isNewline)
    let rows = lines.dropFirst().map { $0 + "," + Self.decimal(Self.knownU) }
    let path = directory + "/absorbance-line-u.csv"
    try ([lines[0] + ",u"] + rows).joined(separator: "\n").appending("\n")
      .write(toFile: path, atomically: false, encoding: .utf8)
    return path
  }

  /// One reading of the absorbance line: the fitted line at x uniform on [0, 10], plus a
  /// uniform error of ±0.002.
  static func lineReading(_ generator: inout LinearCongruential) -> Double {
    0.0052 + 0.0987 * 10 * generator.next() + 0.004 * (generator.next() - 0.5)
  }

  /// Writes a CSV file: `header`, then `rows` lines made by `row` (given the row's index),
  /// flushed a megabyte at a time so that ten million rows take little memory.
  private func write(
    _ path: String, header: String, rows: Int, row: (Int) -> String
  ) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil),
      let handle = FileHandle(forWritingAtPath: path)
    else { throw ChildError(description: "cannot write \(path)") }
    defer { try? handle.close() }
    var buffer = header + "\n"
    for k in 0..<rows {
      buffer += row(k)
      buffer += "\n"
      if buffer.utf8.count > 1 << 20 {
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer = ""
      }
    }
    try handle.write(contentsOf: Data(buffer.utf8))
  }

  /// `value` with four decimals, as a CSV cell (`-0.0012`, `0.5253`); faster than
  /// `String(format:)` for millions of readings.
  static func decimal(_ value: Double) -> String {
    let scaled = Int((abs(value) * 10_000).rounded())
    let fraction = String(scaled % 10_000)
    let sign = value < 0 && scaled != 0 ? "-" : ""
    return sign + "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count)
      + fraction
  }
}
