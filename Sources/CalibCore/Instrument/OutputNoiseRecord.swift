/// The noise of an instrument with several outputs: a reading vector y ∈ Rᵐ about the
/// responses f(x) is normal with a covariance Σ(x) = D(x)·Σ̃·D(x) between the outputs,
/// D(x) = diag σⱼ(μⱼ(x)) each output's noise scale at its response (`scale`; the noise
/// parameters are in each output's file), and Σ̃ the covariance of the standardized noise,
/// estimated from the residuals (docs/geometry.md). With a constant scale, D = I: Σ = Σ̃.
///
/// Σ(x) is the metric of the measurement space at x: distances between reading vectors are
/// taken in g = Σ⁻¹ (Mahalanobis). The posterior of Σ̃, under the prior p(Σ̃) ∝ |Σ̃|^−(m+1)/2,
/// is inverse-Wishart with `scatter` S and ν = `dof` degrees of freedom (for a diagonal Σ̃,
/// one scaled-inverse-χ² per output); `covariance` is its usual estimate S/ν.
public struct OutputNoiseRecord: Codable, Equatable, Sendable {
  /// `full` or `diagonal`.
  public var structure: OutputCovarianceStructure
  /// How each output's noise scale σⱼ varies with its response: `constant`, `proportional`,
  /// `linear` or `power`.
  public var scale: NoiseModel
  /// Σ̃ = S/ν (m×m, in the units of the outputs squared), diagonal for `diagonal`.
  public var covariance: [[Double]]
  /// The correlation between the outputs' noises, Σ̂ᵢⱼ/√(Σ̂ᵢᵢΣ̂ⱼⱼ).
  public var correlation: [[Double]]
  /// S: the standardized residuals' sums of squares and cross products at the fitted
  /// responses (residual / σⱼ at the standard).
  public var scatter: [[Double]]
  /// ν per output: the standards less the parameters of the output's model and noise (for a
  /// full Σ̃, all equal to n − max(pⱼ + qⱼ), the degrees of freedom of the inverse-Wishart).
  public var dof: [Int]

  enum CodingKeys: String, CodingKey {
    case structure, scale, covariance, correlation, scatter, dof
  }
}
