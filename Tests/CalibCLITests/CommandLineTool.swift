import Foundation

/// Runs the built `calib` executable, as a user's script would.
enum CommandLineTool {
  /// The executable: `$CALIB_BINARY`, or `calib` beside the test bundle (SwiftPM builds the
  /// executables the tests depend on into the same folder).
  static var executable: URL {
    if let path = ProcessInfo.processInfo.environment["CALIB_BINARY"] {
      return URL(fileURLWithPath: path)
    }
    let bundle =
      Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL
      ?? URL(fileURLWithPath: CommandLine.arguments[0])
    return bundle.deletingLastPathComponent().appendingPathComponent("calib")
  }

  struct Outcome {
    var status: Int32
    var output: String
    var error: String
  }

  /// Runs `calib` with `arguments`, feeding `input` to standard input, in `directory`, with
  /// `environment` set over the test process's own.
  static func run(
    _ arguments: [String], input: String = "", in directory: URL? = nil,
    environment: [String: String] = [:]
  ) throws -> Outcome {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let directory { process.currentDirectoryURL = directory }
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    let error = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
      error: String(decoding: error, as: UTF8.self))
  }

  /// A fresh empty folder for one test.
  static func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "calib-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// The repository's Fixtures folder.
  static var fixtures: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures")
  }

  /// Fits the absorbance fixture (a line, σ estimated) into `directory`/abs.json.
  static func fitAbsorbance(in directory: URL) throws -> Outcome {
    try run(
      [
        "fit", fixtures.appendingPathComponent("absorbance-line.csv").path, "--x", "concentration",
        "--y", "absorbance", "-o", directory.appendingPathComponent("abs.json").path,
      ])
  }
}
