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

  @OptionGroup var settings: LimitsOptions

  @OptionGroup var output: OutputOptions

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
      do throws(MeasurementError) {
        limits = try settings.limits(of: state)
      } catch {
        throw InputError(file: instrument.path, message: error.commandLineMessage)
      }
      let bytes = try JSONEncoder.calibFile.encode(limits)
      try OutputFile.write(
        [UInt8](bytes) + [0x0A], to: output.output, inputs: [instrument.path])
      // The file holds them too; said here so that they are not missed.
      for warning in limits.warnings {
        writeToStandardError("calib: warning: \(warning)\n")
      }
    }
  }
}
