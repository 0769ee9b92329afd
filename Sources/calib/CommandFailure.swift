import ArgumentParser
import CalibCore
import CalibGSL
import Foundation

/// Failures of the command line itself, beside the engine's errors.
enum CommandFailure: Error, CustomStringConvertible {
  /// An input file cannot be opened (exit 66).
  case cannotOpen(path: String, reason: String)
  /// The output cannot be written (exit 73).
  case cannotWrite(path: String, reason: String)
  /// A flag's value is not usable (exit 64).
  case usage(String)

  var description: String {
    switch self {
    case .cannotOpen(let path, let reason): return "cannot open '\(path)': \(reason)"
    case .cannotWrite(let path, let reason):
      return "cannot write \(path == "-" ? "standard output" : "'\(path)'"): \(reason)"
    case .usage(let message): return message
    }
  }
}

/// The exit codes of the contract (sysexits.h).
enum ExitStatus {
  static let usage: Int32 = 64
  static let dataError: Int32 = 65
  static let noInput: Int32 = 66
  static let software: Int32 = 70
  static let cannotCreate: Int32 = 73

  /// Runs `body`; reports any error on standard error as `calib: error: …` and turns it into
  /// the contract's exit code.
  static func reporting(_ body: () throws -> Void) throws {
    do {
      try body()
    } catch {
      let (code, message) = classify(error)
      writeToStandardError("calib: error: \(message)\n")
      throw ExitCode(code)
    }
  }

  static func classify(_ error: any Error) -> (Int32, String) {
    switch error {
    case let failure as CommandFailure:
      switch failure {
      case .cannotOpen: return (noInput, failure.description)
      case .cannotWrite: return (cannotCreate, failure.description)
      case .usage: return (usage, failure.description)
      }
    case let error as InputError: return (dataError, error.commandLineMessage)
    case let error as FitError:
      return (error.isUsageProblem ? usage : dataError, error.commandLineMessage)
    case let error as ModelError: return (usage, "--model: \(error)")
    case let error as GSLError:
      return (software, "\(error) (this is a bug in calib: please report it)")
    default: return (software, "\(error) (this is a bug in calib: please report it)")
    }
  }
}
