import Foundation

/// Writes `text` to standard error, as the command line's errors, warnings and progress go.
/// A standard error that cannot take it (closed, or a full device) loses the text: the exit
/// status still tells what happened, where `FileHandle.write(_:)` would stop the process with
/// a trap.
func writeToStandardError(_ text: String) {
  try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
}
