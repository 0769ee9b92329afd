/// Did the calibration reach a measurement? The answer of the coverage check
/// (docs/coverage.md), from the most to the least severe; the raw values are the report's.
public enum CoverageStatus: String, Codable, CodingKeyRepresentable, CaseIterable, Sendable,
  CustomStringConvertible
{
  /// The prior range, not the data, stops the posterior: no x in the range produces the
  /// reading.
  case outOfRange = "out_of_range"
  /// The readings, or their scatter, are not what the instrument produces at any x.
  case inconsistent
  /// The posterior lies mostly outside the calibrated domain, inside the prior range.
  case extrapolated
  /// Too few distinct standards near the estimate to tell the curve's shape from noise.
  case sparse
  /// None of the above.
  case covered

  /// The raw value, as the files write it.
  public var description: String { rawValue }
}
