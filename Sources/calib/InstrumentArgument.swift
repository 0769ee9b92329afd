import ArgumentParser
import CalibCore

/// The instrument file a command reads: the first argument of `measure`, `coverage`,
/// `validate` and `show`.
struct InstrumentArgument: ParsableArguments {
  /// The path of the instrument file; `-` is standard input.
  @Argument(
    help: ArgumentHelp(
      "The instrument file written by calib fit, or - for standard input.",
      valueName: "instrument"))
  var path: String

  /// The instrument in the file, checked completely.
  ///
  /// - Throws: `CommandFailure.cannotOpen` (exit 66); `InputError` naming the JSON path or
  ///   the line and column of what is wrong (exit 65).
  func read() throws -> Instrument {
    try InstrumentFile.decode(try FileByteSource(path: path).readAll(), name: path)
  }
}

extension InstrumentArgument {
  /// The instrument in the file, with one output or several, checked completely.
  ///
  /// - Throws: As `read()`.
  func readAny() throws -> LoadedInstrument {
    try InstrumentFile.decodeAny(try FileByteSource(path: path).readAll(), name: path)
  }
}
