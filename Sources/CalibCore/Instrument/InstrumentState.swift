internal import CalibGSL

/// The instrument state p(a | calibration) and everything needed to measure with it: the
/// content of an instrument file (format `calib-instrument/1`, see docs/instrument-file.md).
///
/// `fit` makes one; `InstrumentFile` writes and reads it. The value is immutable in use:
/// measuring with an instrument never changes it.
public struct InstrumentState: Codable, Equatable, Sendable {
  /// The file format and its version, `calib-instrument/1`.
  public var format: String
  /// The response model.
  public var model: ModelRecord
  /// The parameter estimates with their classical standard errors.
  public var parameters: [ParameterEstimate]
  /// The classical covariance of the estimates, s²·(ΦᵀWΦ)⁻¹ (or (ΦᵀWΦ)⁻¹ when u(y) is known),
  /// in the order of `parameters`.
  public var covariance: [[Double]]
  /// Fit statistics.
  public var fit: FitStatistics
  /// The noise model and its estimate.
  public var noise: NoiseRecord
  /// The posterior over the instrument state.
  public var posterior: PosteriorRecord
  /// The calibrated domain: the standards themselves and their ranges.
  public var domain: DomainRecord
  /// Where the instrument came from.
  public var provenance: Provenance

  /// The format this version of calib writes and reads.
  public static let currentFormat = "calib-instrument/1"
}

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

/// One parameter's estimate.
public struct ParameterEstimate: Codable, Equatable, Sendable {
  /// The parameter's name in the formula.
  public var name: String
  /// The least-squares estimate.
  public var estimate: Double
  /// The classical standard error s·√((ΦᵀWΦ)⁻¹)ⱼⱼ, as NIST certifies it: the scale of the
  /// estimate's distribution, not the sd of a Student-t.
  public var stdError: Double

  enum CodingKeys: String, CodingKey {
    case name, estimate
    case stdError = "std_error"
  }
}

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

  enum CodingKeys: String, CodingKey {
    case n, dof, rss, chi2, converged, method
    case residualSD = "residual_sd"
    case chi2PValue = "chi2_p_value"
    case rSquared = "r_squared"
    case lackOfFit = "lack_of_fit"
    case conditionNumber = "condition_number"
    case refinementSteps = "refinement_steps"
    case solver
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
  }
}

/// How a nonlinear fit was found: where it started and what was tried.
public struct SolverRecord: Codable, Equatable, Sendable {
  /// The starting values by parameter, and where they came from (`given`, `self-start`).
  public var start: [String: Double]
  /// `given`, `self-start`, or `given, completed by self-start`.
  public var startSource: String
  /// Every run of the trust-region solver, in order; the fit is the best converged one.
  public var attempts: [SolverAttempt]

  enum CodingKeys: String, CodingKey {
    case start, attempts
    case startSource = "start_source"
  }
}

/// One run of the trust-region solver.
public struct SolverAttempt: Codable, Equatable, Sendable {
  /// The trust-region method.
  public var method: TrustRegionMethod
  /// What the start was (`start`, or how it was perturbed).
  public var from: String
  /// Iterations GSL's driver took.
  public var iterations: Int
  /// Whether GSL's convergence tests passed (step size or gradient).
  public var converged: Bool
  /// The residual sum of squares reached, null when the model was not finite.
  public var rss: Double?
  /// GSL's reason when it did not converge.
  public var failure: String?
}

/// The noise model.
public struct NoiseRecord: Codable, Equatable, Sendable {
  /// `constant` (one unknown σ, estimated) or `known` (σᵢ = u(yᵢ) given).
  public var model: NoiseModel
  /// The estimate s of σ, in units of y, for `constant`; null for `known`.
  public var sigma: Double?
  /// Degrees of freedom behind `sigma` (n − p).
  public var dof: Int
}

/// The posterior over the instrument state a, with a flat prior on the coefficients.
///
/// `normal-scaled-inverse-chi2` (σ estimated, p(σ) ∝ 1/σ): a | σ² ~ N(location, σ²·scale),
/// σ² ~ Scaled-Inv-χ²(dof, s2), so a ~ t_dof(location, s2·scale), Student-t marginals.
/// `normal` (u(y) known): a ~ N(location, scale). See docs/linear-posterior.md.
/// `laplace` (nonlinear): the Gaussian at the optimum; `mcmc` (nonlinear, sampled): the
/// `samples`, which measurements average over (docs/nonlinear-fit.md).
public struct PosteriorRecord: Codable, Equatable, Sendable {
  /// What measurements use: `normal-scaled-inverse-chi2` or `normal` (linear), `laplace` or
  /// `mcmc` (nonlinear; `mcmc` when the file holds samples).
  public var kind: PosteriorKind
  /// The posterior location (the least-squares estimate).
  public var location: [Double]
  /// (ΦᵀWΦ)⁻¹, the unscaled covariance of the coefficients.
  public var scale: [[Double]]
  /// s², the scale of σ²'s scaled inverse-χ²; null for `normal`.
  public var s2: Double?
  /// The degrees of freedom ν = n − p of the Student-t; null for `normal`.
  public var dof: Int?
  /// Draws of the parameters from the exact posterior (nonlinear models, by MCMC), each in
  /// the order of `parameters`; absent when the Laplace approximation is used.
  public var samples: [[Double]]?
  /// With σ estimated, a draw of σ for each sample, from p(σ² | a, D) = RSS(a)/χ²ₙ.
  public var sigmaSamples: [Double]?
  /// How the samples were drawn, and their diagnostics.
  public var sampler: SamplerRecord?
  /// Which representation was asked for and used, and why (nonlinear models).
  public var choice: PosteriorChoiceRecord?
  /// Bounds on parameters (`--bounds`): a uniform prior within them, applied to the samples
  /// and to the quadrature over the parameters. A null end is open.
  public var bounds: [String: RangeRecord]?
  /// What is wrong with the posterior, in sentences a measurement report can carry as
  /// reasons: an MCMC run whose R̂ exceeds 1.1 or whose effective sample size is below 100.
  /// Absent when there is nothing to say (and in files written before it existed).
  public var warnings: [String]?

  enum CodingKeys: String, CodingKey {
    case kind, location, scale, s2, dof, samples, sampler, choice, bounds, warnings
    case sigmaSamples = "sigma_samples"
  }
}

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

/// The posterior representation asked for (`--posterior`) and the one used, with the reason.
public struct PosteriorChoiceRecord: Codable, Equatable, Sendable {
  /// `laplace`, `mcmc` or `auto`, as asked.
  public var requested: PosteriorChoice
  /// `laplace` or `mcmc`, as used.
  public var used: PosteriorChoice
  /// The figure behind the choice, in a sentence.
  public var reason: String
}

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

  enum CodingKeys: String, CodingKey {
    case x, y, groups, leverage
    case uY = "u_y"
    case maxLeverage = "max_leverage"
    case xRange = "x_range"
    case responseRange = "response_range"
  }
}

/// A closed interval [lower, upper].
public struct ClosedRangeRecord: Codable, Equatable, Sendable {
  /// The lower end.
  public var lower: Double
  /// The upper end.
  public var upper: Double

  /// The interval [lower, upper].
  public init(lower: Double, upper: Double) {
    self.lower = lower
    self.upper = upper
  }
}

/// Where an instrument file came from.
public struct Provenance: Codable, Equatable, Sendable {
  /// The calibration file's name as given.
  public var input: String
  /// SHA-256 of the calibration file's bytes.
  public var inputSHA256: String
  /// The calib version that wrote the file.
  public var calibVersion: String
  /// The GSL version calib was built with.
  public var gslVersion: String
  /// The command line that made the file.
  public var command: [String]

  /// The provenance of a file made now from `input`, with the GSL version of this build.
  public init(input: String, inputSHA256: String, calibVersion: String, command: [String]) {
    self.input = input
    self.inputSHA256 = inputSHA256
    self.calibVersion = calibVersion
    self.gslVersion = GSL.version
    self.command = command
  }

  enum CodingKeys: String, CodingKey {
    case input, command
    case inputSHA256 = "input_sha256"
    case calibVersion = "calib_version"
    case gslVersion = "gsl_version"
  }
}
