/// The calibrated domain: the standards themselves and their ranges.
public struct DomainRecord: Codable, Equatable, Sendable {
  /// The standards, one entry per predictor: `x[k][i]` is predictor k of standard i.
  public var x: [[Double]]
  /// The readings of the standards.
  public var y: [Double]
  /// The standard uncertainties of the readings, when known.
  public var uY: [Double]?
  /// The replicate group of each standard, when given.
  public var groups: [String]?
  /// The leverage hᵢᵢ of each standard (diagonal of the weighted hat matrix).
  public var leverage: [Double]
  /// The largest leverage among the standards: beyond it, a measurement extrapolates.
  public var maxLeverage: Double
  /// The smallest and largest value of each predictor.
  public var xRange: [ClosedRangeRecord]
  /// The smallest and largest reading.
  public var responseRange: ClosedRangeRecord
  /// The standard uncertainties of the standards' values (`--sx`: a straight line fitted by
  /// generalized distance regression), when the standards are not exact; absent otherwise.
  public var uX: [Double]? = nil

  enum CodingKeys: String, CodingKey {
    case x, y, groups, leverage
    case uY = "u_y"
    case uX = "u_x"
    case maxLeverage = "max_leverage"
    case xRange = "x_range"
    case responseRange = "response_range"
  }
}
