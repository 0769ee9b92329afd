/// A figure of a measurement with several outputs that each unknown has: for one unknown the
/// figure itself, written as the single-output report writes it; for several, an object by
/// unknown name, as `quantities` holds the estimates (docs/report-file.md).
public enum PerUnknown<Value: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
  /// The figure of the only unknown.
  case one(Value)
  /// The figure of each unknown, by predictor name.
  case several([String: Value])

  /// The figure of the unknown `name`, where the report has it (for one unknown, its only
  /// figure whatever the name).
  public subscript(name: String) -> Value? {
    switch self {
    case .one(let value): value
    case .several(let values): values[name]
    }
  }

  /// Reads an object by unknown name, else the figure itself.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let values = try? container.decode([String: Value].self) {
      self = .several(values)
    } else {
      self = .one(try container.decode(Value.self))
    }
  }

  /// Writes the figure itself, or the object by unknown name.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .one(let value): try container.encode(value)
    case .several(let values): try container.encode(values)
    }
  }
}
