/// A standard's own reading measured back with the fitted instrument (docs/back-calculation.md):
/// the check a bioanalytical lab runs on every calibration curve.
public struct BackCalculatedStandard: Codable, Equatable, Sendable {
  /// The standard's x, and its reading.
  public var x: Double
  public var y: Double
  /// x̂, the posterior median of x given the reading alone; null where the reading could not
  /// be measured.
  public var backCalculated: Double?
  /// 100·x̂/x, in percent; null for a blank (x = 0) or without x̂.
  public var recovery: Double?
  /// Whether the recovery lies within the acceptance window (the lowest standard's, wider, at
  /// the lowest positive x); null for a blank.
  public var pass: Bool?

  enum CodingKeys: String, CodingKey {
    case x, y, recovery, pass
    case backCalculated = "back_calculated"
  }

  /// Writes what is undefined as `null`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(x, forKey: .x)
    try container.encode(y, forKey: .y)
    try container.encode(backCalculated, forKey: .backCalculated)
    try container.encode(recovery, forKey: .recovery)
    try container.encode(pass, forKey: .pass)
  }
}

/// The acceptance windows of back-calculated standards, and the range of quantitation they
/// define: the lowest and the highest standard that pass (LLOQ, ULOQ).
public struct Quantitation: Codable, Equatable, Sendable {
  /// The window of the recovery in percent for every standard but the lowest positive one
  /// (`--recovery`, default 85:115, ±15% as in ICH M10), and for that one (`--recovery-lowest`,
  /// default 80:120, ±20%).
  public var recovery: ClosedRangeRecord
  public var recoveryLowest: ClosedRangeRecord
  /// The lowest and highest x among the standards that pass; null where none passes.
  public var lloq: Double?
  public var uloq: Double?

  enum CodingKeys: String, CodingKey {
    case recovery, lloq, uloq
    case recoveryLowest = "recovery_lowest"
  }

  /// Writes an undefined limit as `null`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(recovery, forKey: .recovery)
    try container.encode(recoveryLowest, forKey: .recoveryLowest)
    try container.encode(lloq, forKey: .lloq)
    try container.encode(uloq, forKey: .uloq)
  }

  /// Where an estimate `x` lies against the range of quantitation; nil without both limits.
  public func status(of x: Double) -> QuantitationStatus? {
    guard let lloq, let uloq else { return nil }
    return x < lloq ? .belowLLOQ : x > uloq ? .aboveULOQ : .within
  }
}

/// Where a measurement lies against the range of quantitation.
public enum QuantitationStatus: String, Codable, Equatable, Sendable {
  /// Below the lowest standard that passes.
  case belowLLOQ = "below_lloq"
  /// Between the lowest and the highest standard that pass.
  case within
  /// Above the highest standard that passes.
  case aboveULOQ = "above_uloq"
}
