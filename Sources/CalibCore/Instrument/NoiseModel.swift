/// How the noise of the readings is modelled (`noise.model` in the instrument file): the
/// scale σ of normal noise about the mean response μ (docs/noise-models.md).
public enum NoiseModel: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
  /// One unknown σ, the same for every reading, estimated from the residuals.
  case constant
  /// σᵢ = u(yᵢ), the standard uncertainties given with the readings (`--sy`).
  case known
  /// σ = s1·|μ|: a constant relative (coefficient of variation) noise.
  case proportional
  /// σ = s0 + s1·|μ|: a floor s0 and a part proportional to the response.
  case linear
  /// σ = s0·|μ|^k: a variance that is a power of the response (k = 0.5 is Poisson-like).
  case power
  /// Counts: each reading is Poisson with mean μ (so σ = √μ), no parameter of its own.
  case poisson
  /// σ = s0·|μ|^k estimated from the scatter of replicate standards alone (the variance
  /// function, or precision profile, of the groups' sample variances), the model then fitted
  /// by weighted least squares with weights 1/σ(μ̂)².
  case replicates

  /// The raw value, as the files write it.
  public var description: String { rawValue }

  /// The names of the noise parameters fitted with the model's, in the order the file
  /// writes them; empty for `constant` (σ is the conjugate scale) and `known`.
  public var parameterNames: [String] {
    switch self {
    case .constant, .known, .poisson: []
    case .proportional: ["s1"]
    case .linear: ["s0", "s1"]
    case .power, .replicates: ["s0", "k"]
    }
  }

  /// σ as a function of the mean response μ, as the fit's method records it.
  public var formula: String {
    switch self {
    case .constant: "σ"
    case .known: "u(y)"
    case .proportional: "s1·|μ|"
    case .linear: "s0 + s1·|μ|"
    case .power: "s0·|μ|^k"
    case .poisson: "√μ (Poisson counts)"
    case .replicates: "s0·|μ|^k (from the replicates)"
    }
  }

  /// Whether σ varies with the response, fitted by maximum likelihood with the model: the
  /// noise functions with parameters of their own, and Poisson counts.
  public var varies: Bool { self == .poisson || !parameterNames.isEmpty }
}
