/// A measurement that cannot be made as asked.
public enum MeasurementError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The instrument is of a kind this version does not measure with.
  case unsupportedInstrument(String)
  /// Readings without the uncertainty a known-noise instrument needs.
  case missingUncertainty(observation: String)
  /// A setting out of its domain (a level outside (0, 1), an empty range).
  case invalidSetting(String)

  public var description: String {
    switch self {
    case .unsupportedInstrument(let message):
      return message
    case .missingUncertainty(let id):
      return
        "observation '\(id)': the instrument's noise is known per reading (it was fitted with --sy) and its standards' u(y) differ, so each reading needs its own: give --sy"
    case .invalidSetting(let message):
      return message
    }
  }
}
