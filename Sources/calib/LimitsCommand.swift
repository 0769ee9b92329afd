import ArgumentParser
import CalibCore
import Foundation

/// `calib limits`: the decision limit, the limit of detection and the limit of quantification
/// of a linear instrument (DIN 32645, ISO 11843-2).
struct LimitsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "limits",
    abstract: "Critical value, limit of detection and limit of quantification (DIN 32645).",
    discussion: "Writes a calib-limits/1 JSON file. See docs/limits.md."
  )

  @OptionGroup var instrument: InstrumentArgument

  @Option(help: "False-positive risk of the critical value (one-sided).")
  var alpha: Double = 0.05

  @Option(help: "False-negative risk of the detection limit (one-sided).")
  var beta: Double = 0.05

  @Option(name: .customLong("k"), help: "Relative uncertainty 1/k at the quantification limit.")
  var k: Double = 3

  @Option(help: "Readings of a sample averaged.")
  var replicates: Int = 1

  @Option(
    help: ArgumentHelp(
      "iterative: the interval at the limit itself (ISO 11843-2); din: at the blank (DIN 32645).",
      valueName: "method"))
  var method: DetectionLimits.Method = .iterative

  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard alpha > 0, alpha <= 0.5, beta > 0, beta <= 0.5 else {
      throw ValidationError("--alpha and --beta must lie in (0, 0.5]")
    }
    guard k > 0, k.isFinite else { throw ValidationError("--k must be positive") }
    guard replicates >= 1 else { throw ValidationError("--replicates must be at least 1") }
  }

  func run() throws {
    try ExitStatus.reporting {
      let state: Instrument
      switch try instrument.readAny() {
      case .single(let single): state = single
      case .multiOutput:
        throw InputError(
          file: instrument.path,
          message:
            "limits per DIN 32645 are defined for an instrument with one output; this one has several"
        )
      }
      let limits: DetectionLimits
      do {
        limits = try DetectionLimits(
          instrument: state, alpha: alpha, beta: beta, k: k, replicates: replicates,
          method: method)
      } catch let error as MeasurementError {
        throw InputError(file: instrument.path, message: error.commandLineMessage)
      }
      let bytes = try JSONEncoder.calibFile.encode(limits)
      try OutputFile.write([UInt8](bytes) + [0x0A], to: output.output)
    }
  }
}
