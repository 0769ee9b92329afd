/// Whether the scatter of a constant-noise fit's residuals grows or shrinks with the response:
/// Koenker's studentized Breusch–Pagan test (Koenker, J. Econometrics 17, 1981), the squared
/// residuals regressed on (1, |μ̂|), LM = n·R² against χ² on 1 degree of freedom. A small
/// p-value says the noise varies with the response: fit a noise model that lets it
/// (docs/noise-models.md).
public struct HeteroscedasticityTest: Codable, Equatable, Sendable {
  /// The LM statistic n·R².
  public var statistic: Double
  /// Its degrees of freedom (1).
  public var dof: Int
  /// P(χ²₁ ≥ LM).
  public var pValue: Double
  /// The slope of the squared residuals on |μ̂|, in units of y: positive where the scatter
  /// grows with the response.
  public var slope: Double

  enum CodingKeys: String, CodingKey {
    case statistic, dof, slope
    case pValue = "p_value"
  }
}
