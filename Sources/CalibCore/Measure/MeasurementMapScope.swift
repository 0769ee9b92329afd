/// The observations a measurement map may answer (`MeasurementSettings.measurementMap`).
public enum MeasurementMapScope: String, Codable, Sendable, CaseIterable {
  /// Every kind of observation a map can answer: a map per number of readings, and per total
  /// weight Σuᵢ⁻² of readings that carry their u.
  case all
  /// Only observations whose readings carry no u: where the readings' u vary, each total
  /// weight would need a map of its own.
  case withoutUncertainties = "without_uncertainties"
}
