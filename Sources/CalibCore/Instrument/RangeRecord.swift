/// A range [lower, upper]; null ends are unbounded.
public struct RangeRecord: Codable, Equatable, Sendable {
  /// The lower end; null when open.
  public var lower: Double?
  /// The upper end; null when open.
  public var upper: Double?

  enum CodingKeys: String, CodingKey { case lower, upper }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(lower, forKey: .lower)
    try container.encode(upper, forKey: .upper)
  }

  /// A range with open (nil) ends allowed.
  public init(lower: Double?, upper: Double?) {
    self.lower = lower
    self.upper = upper
  }

  /// Whether `value` lies in the range, ends included; a NaN lies in none.
  func contains(_ value: Double) -> Bool {
    value >= (lower ?? -.infinity) && value <= (upper ?? .infinity)
  }

  init(_ range: ClosedRange<Double>) {
    lower = range.lowerBound.isFinite ? range.lowerBound : nil
    upper = range.upperBound.isFinite ? range.upperBound : nil
  }
}
