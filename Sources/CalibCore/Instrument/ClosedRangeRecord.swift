/// A closed interval [lower, upper].
public struct ClosedRangeRecord: Codable, Equatable, Sendable {
  /// The lower end.
  public var lower: Double
  /// The upper end.
  public var upper: Double

  /// The interval [lower, upper].
  public init(lower: Double, upper: Double) {
    self.lower = lower
    self.upper = upper
  }
}
