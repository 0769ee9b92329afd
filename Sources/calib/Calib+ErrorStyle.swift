import ArgumentParser
import Foundation

extension Calib {
  /// Ends the process for `error` in calib's one error style.
  ///
  /// Help and `--version` are argument-parser's, on standard output with exit 0. A parse or
  /// validation error is `calib: error: MESSAGE` followed by argument-parser's usage lines,
  /// exit 64; a run error has been reported by `ExitStatus.reporting` already and arrives
  /// here as a bare `ExitCode` (65, 66, 70, 73), so nothing more is printed.
  static func exit(reporting error: any Error) -> Never {
    let code = exitCode(for: error)
    guard code != .success else { exit(withError: error) }
    let text = errorText(for: error)
    if !text.isEmpty {
      writeToStandardError(text.hasSuffix("\n") ? text : text + "\n")
    }
    Foundation.exit(code.rawValue)
  }

  /// What argument-parser would print for `error`, with its `Error: ` label replaced by
  /// `calib: error: `: the message, then any help and usage lines as they were.
  static func errorText(for error: any Error) -> String {
    let message = message(for: error)
    let full = fullMessage(for: error)
    guard !message.isEmpty else { return full }
    guard let range = full.range(of: message) else { return "calib: error: \(message)" }
    return "calib: error: \(message)" + full[range.upperBound...]
  }
}
