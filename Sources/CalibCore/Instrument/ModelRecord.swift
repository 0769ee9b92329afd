/// The response model as written in the instrument file.
public struct ModelRecord: Codable, Equatable, Sendable {
  /// The `--model` specification as given.
  public var spec: String
  /// The response formula written out.
  public var formula: String
  /// The predictor columns' names.
  public var predictors: [String]
  /// The response column's name.
  public var response: String
  /// Whether the response is linear in the parameters.
  public var linear: Bool
  /// The regressors φⱼ(x), one per parameter, when linear.
  public var basis: [String]?
  /// The parameter-free part φ₀(x) of a linear response, when not zero.
  public var offset: String?
}
