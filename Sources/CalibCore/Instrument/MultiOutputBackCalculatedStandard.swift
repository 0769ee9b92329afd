/// A standard's reading vector measured back with the fitted instrument with several outputs
/// (docs/back-calculation.md, "Several outputs"): per unknown, x̂ against the nominal x.
///
/// Every list but `y` runs over the unknowns in the order of the predictors; `y` over the
/// outputs in the order of the responses.
public struct MultiOutputBackCalculatedStandard: Codable, Equatable, Sendable {
  /// The standard's nominal value of each unknown.
  public var x: [Double]
  /// Its reading vector, one reading per output.
  public var y: [Double]
  /// x̂ of each unknown: its marginal posterior median given the reading vector alone; null
  /// where the reading vector could not be measured.
  public var backCalculated: [Double?]
  /// 100·x̂/x of each unknown, in percent; null where that unknown's x is 0 (a blank for it)
  /// or without x̂.
  public var recovery: [Double?]
  /// Whether each unknown's recovery lies within its acceptance window (the wider one at that
  /// unknown's lowest positive x); null where that unknown's x is 0.
  public var pass: [Bool?]

  enum CodingKeys: String, CodingKey {
    case x, y, recovery, pass
    case backCalculated = "back_calculated"
  }
}

/// The acceptance windows of the back-calculated standards of an instrument with several
/// outputs, and the range of quantitation of each unknown they define.
public struct MultiOutputQuantitation: Codable, Equatable, Sendable {
  /// The window of the recovery in percent for every standard but an unknown's lowest
  /// positive one (`--recovery`, default 85:115), and for that one (`--recovery-lowest`,
  /// default 80:120).
  public var recovery: ClosedRangeRecord
  public var recoveryLowest: ClosedRangeRecord
  /// Per unknown, in the order of the predictors: the lowest and the highest x among the
  /// standards whose recovery of that unknown passes; null where none passes.
  public var lloq: [Double?]
  public var uloq: [Double?]

  enum CodingKeys: String, CodingKey {
    case recovery, lloq, uloq
    case recoveryLowest = "recovery_lowest"
  }

  /// The range of quantitation of unknown `index` (in the order of the predictors), as one
  /// output's instrument holds it.
  public func unknown(_ index: Int) -> Quantitation {
    Quantitation(
      recovery: recovery, recoveryLowest: recoveryLowest, lloq: lloq[index], uloq: uloq[index])
  }
}
