/// How the noise of an instrument with several outputs is correlated between its outputs
/// (`--covariance`).
public enum OutputCovarianceStructure: String, Codable, CaseIterable, Sendable,
  CustomStringConvertible
{
  /// A full covariance Σ: the outputs' noises may be correlated (one reading vector's
  /// errors move together), estimated from the residuals' cross products.
  case full
  /// A diagonal Σ: each output's noise on its own, the outputs independent given x.
  case diagonal

  public var description: String { rawValue }
}
