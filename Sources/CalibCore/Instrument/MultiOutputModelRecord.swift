/// The response model of an instrument with several outputs: one model per output, on the
/// same predictors.
public struct MultiOutputModelRecord: Codable, Equatable, Sendable {
  /// The specification as given, one spec for all outputs or one per output separated by `;`.
  public var spec: String
  /// The predictors' names: the unknown quantities a reading vector measures.
  public var predictors: [String]
  /// The outputs' names (the response columns), in the order of the reading vectors.
  public var responses: [String]
}
