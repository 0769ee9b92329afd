/// The MCMC run behind posterior samples.
public struct SamplerRecord: Codable, Equatable, Sendable {
  /// `affine-invariant ensemble (Goodman & Weare 2010), stretch move a = 2`.
  public var method: String
  /// Walkers of the ensemble.
  public var walkers: Int
  /// Steps discarded before keeping any.
  public var burnIn: Int
  /// Steps after the burn-in.
  public var steps: Int
  /// Every `thin`-th step of each walker is kept.
  public var thin: Int
  /// The seed of GSL's Mersenne Twister.
  public var seed: UInt64
  /// Fraction of proposals accepted.
  public var acceptance: Double
  /// Gelman–Rubin R̂ per parameter (near 1 when the walkers agree).
  public var rHat: [Double]
  /// Effective sample size per parameter.
  public var effectiveSampleSize: [Double]

  enum CodingKeys: String, CodingKey {
    case method, walkers, steps, thin, seed, acceptance
    case burnIn = "burn_in"
    case rHat = "r_hat"
    case effectiveSampleSize = "effective_sample_size"
  }
}
