/// Fit statistics.
public struct FitStatistics: Codable, Equatable, Sendable {
  /// Number of standards.
  public var n: Int
  /// Residual degrees of freedom, n − p.
  public var dof: Int
  /// Residual sum of squares Σ wᵢ·rᵢ² (weights 1/u² when u(y) is known, else 1).
  public var rss: Double
  /// √(rss/dof): the estimated noise sd in units of y; with known u(y) it is the Birge ratio
  /// √(χ²/dof), dimensionless. Null when dof = 0.
  public var residualSD: Double?
  /// χ² = Σ rᵢ²/u(yᵢ)² when u(y) is known; null otherwise.
  public var chi2: Double?
  /// The p-value of χ² on dof degrees of freedom when u(y) is known; null otherwise.
  public var chi2PValue: Double?
  /// Coefficient of determination: centered when the model holds a constant term, else
  /// uncentered (1 − rss/Σwy²), as NIST computes it for models without intercept. Null when
  /// the readings do not vary (the total sum of squares is zero).
  public var rSquared: Double?
  /// The lack-of-fit F test from replicate standards, when σ is estimated and the
  /// replicates leave degrees of freedom for it; null otherwise.
  public var lackOfFit: LackOfFit?
  /// Whether the fit converged (always, for a linear fit that returns).
  public var converged: Bool
  /// How the fit was computed.
  public var method: String
  /// Condition number of the column-scaled weighted design.
  public var conditionNumber: Double
  /// Steps of iterative refinement the solution took (Gauss–Newton polishing steps for a
  /// nonlinear fit).
  public var refinementSteps: Int
  /// The nonlinear solver's record: starting values and every attempt; absent for a linear fit.
  public var solver: SolverRecord?
  /// The log-likelihood of the standards at the maximum-likelihood estimate, normal noise:
  /// with σ constant, −n/2·(log(2π·rss/n) + 1); with u(y) known, −χ²/2 − Σ log(√(2π)·uᵢ);
  /// with σ varying, −Σ [log(√(2π)·σᵢ) + rᵢ²/(2σᵢ²)]. Absent in older files.
  public var logLikelihood: Double?
  /// Akaike's information criterion 2k − 2·logLikelihood, k the parameters fitted (the
  /// model's, and σ or the noise parameters when estimated): smaller is better, for
  /// noise models compared on the same standards.
  public var aic: Double?
  /// The Bayesian (Schwarz) information criterion k·log n − 2·logLikelihood.
  public var bic: Double?
  /// The Breusch–Pagan test of a constant noise against one that varies with the response;
  /// absent for other noise models.
  public var heteroscedasticity: HeteroscedasticityTest?

  enum CodingKeys: String, CodingKey {
    case n, dof, rss, chi2, converged, method
    case residualSD = "residual_sd"
    case chi2PValue = "chi2_p_value"
    case rSquared = "r_squared"
    case lackOfFit = "lack_of_fit"
    case conditionNumber = "condition_number"
    case refinementSteps = "refinement_steps"
    case solver, aic, bic, heteroscedasticity
    case logLikelihood = "log_likelihood"
  }

  /// The log-likelihood `logLikelihood` of `n` standards with `k` parameters fitted, with
  /// its AIC and BIC.
  mutating func setLikelihood(_ logLikelihood: Double, parameters k: Int) {
    guard logLikelihood.isFinite else { return }
    self.logLikelihood = logLikelihood
    aic = 2 * Double(k) - 2 * logLikelihood
    bic = Double(k) * _log(Double(n)) - 2 * logLikelihood
  }

  /// Writes absent values as `null`, as the contract shows them (`"chi2": null`).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(n, forKey: .n)
    try container.encode(dof, forKey: .dof)
    try container.encode(rss, forKey: .rss)
    try container.encode(residualSD, forKey: .residualSD)
    try container.encode(chi2, forKey: .chi2)
    try container.encode(chi2PValue, forKey: .chi2PValue)
    try container.encode(rSquared, forKey: .rSquared)
    try container.encode(lackOfFit, forKey: .lackOfFit)
    try container.encode(converged, forKey: .converged)
    try container.encode(method, forKey: .method)
    try container.encode(conditionNumber, forKey: .conditionNumber)
    try container.encode(refinementSteps, forKey: .refinementSteps)
    try container.encodeIfPresent(solver, forKey: .solver)
    try container.encodeIfPresent(logLikelihood, forKey: .logLikelihood)
    try container.encodeIfPresent(aic, forKey: .aic)
    try container.encodeIfPresent(bic, forKey: .bic)
    try container.encodeIfPresent(heteroscedasticity, forKey: .heteroscedasticity)
  }
}
