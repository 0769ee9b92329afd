/// The noise of an instrument with several outputs: a reading vector y ∈ Rᵐ about the
/// responses f(x) is normal with a covariance Σ between the outputs, constant across the
/// calibration, estimated from the residuals (docs/geometry.md).
///
/// Σ is the metric of the measurement space: distances between reading vectors are taken in
/// g = Σ⁻¹ (Mahalanobis). Its posterior, under the prior p(Σ) ∝ |Σ|^−(m+1)/2, is
/// inverse-Wishart with `scatter` S and ν = `dof` degrees of freedom (for a diagonal Σ, one
/// scaled-inverse-χ² per output); `covariance` is its usual estimate S/ν.
public struct OutputNoiseRecord: Codable, Equatable, Sendable {
  /// `full` or `diagonal`.
  public var structure: OutputCovarianceStructure
  /// Σ̂ = S/ν (m×m, in the units of the outputs squared), diagonal for `diagonal`.
  public var covariance: [[Double]]
  /// The correlation between the outputs' noises, Σ̂ᵢⱼ/√(Σ̂ᵢᵢΣ̂ⱼⱼ).
  public var correlation: [[Double]]
  /// S: the residuals' sums of squares and cross products at the fitted responses.
  public var scatter: [[Double]]
  /// ν per output: the standards less the parameters of the output's model (for a full Σ,
  /// all equal to n − max pⱼ, the degrees of freedom of the inverse-Wishart).
  public var dof: [Int]

  enum CodingKeys: String, CodingKey {
    case structure, covariance, correlation, scatter, dof
  }
}
