import ArgumentParser
import CalibCore

/// The settings of the detection and quantification limits (DIN 32645, ISO 11843-2):
/// `calib limits` and the limits section of `calib report`.
struct LimitsOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: "False-positive risk of the critical value (one-sided).")
  var alpha: Double = 0.05

  @Option(parsing: .unconditional, help: "False-negative risk of the detection limit (one-sided).")
  var beta: Double = 0.05

  @Option(
    name: .customLong("k"), parsing: .unconditional,
    help: "Relative uncertainty 1/k at the quantification limit.")
  var k: Double = 3

  @Option(parsing: .unconditional, help: "Readings of a sample averaged.")
  var replicates: Int = 1

  @Option(
    help: ArgumentHelp(
      "iterative: the interval at the limit itself (ISO 11843-2); din: at the blank (DIN 32645).",
      valueName: "method"))
  var method: DetectionLimits.Method = .iterative

  func validate() throws {
    guard alpha > 0, alpha <= 0.5, beta > 0, beta <= 0.5 else {
      throw ValidationError("--alpha and --beta must lie in (0, 0.5]")
    }
    guard k > 0, k.isFinite else { throw ValidationError("--k must be positive") }
    guard replicates >= 1 else { throw ValidationError("--replicates must be at least 1") }
  }

  /// The limits of `instrument` with these settings.
  ///
  /// - Throws: `MeasurementError` for an instrument the limits are not defined for.
  func limits(of instrument: Instrument) throws(MeasurementError) -> DetectionLimits {
    do {
      return try DetectionLimits(
        instrument: instrument, alpha: alpha, beta: beta, k: k, replicates: replicates,
        method: method)
    } catch let error as MeasurementError {
      throw error
    } catch {
      throw MeasurementError.unsupportedInstrument("\(error)")
    }
  }
}
