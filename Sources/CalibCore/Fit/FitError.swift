/// A calibration that cannot be fitted as asked: too few standards, a degenerate design, a
/// model undefined at a standard, or a kind of fit not available.
///
/// Each case carries the data of its problem; `description` says what is wrong in the words
/// of the domain, and a front end (the command line) may word the remedy in its own terms
/// (its flags) from the same data.
public enum FitError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Fewer standards than the fit needs.
  case tooFewStandards(have: Int, need: Int, reason: String)
  /// Fewer standards than a fit that estimates the noise needs: the model's `parameters`,
  /// and one more for the noise (none more when the readings' uncertainties are known).
  case tooFewStandardsForNoise(have: Int, parameters: Int)
  /// The regressors are linearly dependent at the standards; the named terms take part.
  case collinearTerms([String], conditionNumber: Double)
  /// The model is not a finite number at a standard (a log of a negative x, say).
  case undefinedAtStandard(line: Int, term: String)
  /// The model or its derivatives are not finite numbers at a standard for the starting
  /// values (a negative power of x at x = 0, say), and no other start the fit tried found a
  /// solution: the standard's line, its predictor values, and the starting values.
  case undefinedAtStart(line: Int, x: [Double], start: String)
  /// Iterative refinement did not settle: the design is too ill-conditioned for double
  /// precision even with refinement.
  case refinementFailed(conditionNumber: Double)
  /// Something the fit does not do (yet), or needs from the user, said plainly.
  case unsupported(String)
  /// A nonlinear model without starting values for the named `parameters` (in the model's
  /// order) and no family that starts them itself.
  case missingStartingValues(model: String, parameters: [String])
  /// Bounds were given for `name`, which is not one of the model's `parameters`.
  case boundOnUnknownParameter(name: String, parameters: [String])
  /// Bounds were given for a model linear in its parameters, whose posterior is exact (bounds
  /// apply to the posterior samples of a nonlinear model).
  case boundsOnLinearModel(model: String)
  /// The nonlinear solver found no solution from any start it tried.
  case notConverged(tried: String)
  /// The MCMC walkers ran off to where the parameters overflow (R̂ not computable): the
  /// posterior is improper under the flat prior.
  case improperPosterior
  /// The likelihood has no maximum: the noise's σ shrinks towards 0 at a standard the curve
  /// passes through (a noise model with too many parameters for the standards).
  case noiseCollapses(noise: String)
  /// The `replicates` noise model without enough replicates: `groups` groups of two
  /// standards or more at distinct responses, `dof` = Σ(mⱼ − 1) over them.
  case tooFewReplicates(groups: Int, dof: Int)
  /// Errors in variables without the readings' u(y), which generalized distance regression
  /// weighs each standard by.
  case errorsInVariablesNeedResponseUncertainties
  /// A result overflowed or lost all meaning in double precision (data scaled near the
  /// limits of a double).
  case notFinite(String)
  /// An instrument with several outputs that the standards cannot support: a singular noise
  /// covariance between the outputs, unknowns the outputs cannot tell apart, a noise scale
  /// that is not positive; the reason in words.
  case degenerateOutputs(String)

  /// Whether the problem is a matter of usage (what was asked of the fit: a kind of fit not
  /// available, missing starting values, misplaced bounds) rather than of the data.
  public var isUsageProblem: Bool {
    switch self {
    case .unsupported, .missingStartingValues, .boundOnUnknownParameter, .boundsOnLinearModel,
      .errorsInVariablesNeedResponseUncertainties:
      return true
    default: return false
    }
  }

  /// The line of the calibration file the problem is at, where it is at a standard.
  public var line: Int? {
    switch self {
    case .undefinedAtStandard(let line, _), .undefinedAtStart(let line, _, _): return line
    default: return nil
    }
  }

  /// The problem without its line (`description` is `line N: ` then this, where there is a
  /// line).
  public var problem: String {
    switch self {
    case .tooFewStandards(let have, let need, let reason):
      return "\(Self.standards(have)) given, at least \(need) needed: \(reason)"
    case .tooFewStandardsForNoise(let have, let p):
      return Self.tooFewForNoiseText(have: have, parameters: p)
        + " (or give the readings' standard uncertainties)"
    case .collinearTerms(let terms, let condition):
      let list = terms.map { "'\($0)'" }.joined(separator: ", ")
      return
        "the design is rank-deficient: the terms \(list) are linearly dependent at the standards"
        + " (condition number \(condition.isFinite ? "\(condition)" : "infinite")); drop one of them or add standards that tell them apart"
    case .undefinedAtStandard(_, let term):
      return "the model term '\(term)' is not a finite number at this standard"
    case .undefinedAtStart:
      return undefinedAtStartText + " give starting values for which the model is finite at"
        + " every standard"
    case .refinementFailed(let condition):
      return
        "the least-squares solution did not settle (condition number \(condition)); rescale or center the predictors"
    case .degenerateOutputs(let message):
      return message
    case .unsupported(let message):
      return message
    case .tooFewReplicates(let groups, let dof):
      return "the replicates noise model fits σ = s0·|μ|^k to the scatter of replicate standards"
        + " (standards at the same x): it needs two groups of replicates or more at different"
        + " responses and at least 3 degrees of freedom among them (Σ of the group sizes less"
        + " one); found \(groups) group\(groups == 1 ? "" : "s") of replicates with \(dof)"
        + " degree\(dof == 1 ? "" : "s") of freedom"
    case .noiseCollapses(let noise):
      return "the \(noise) noise's σ shrinks towards 0 at a standard the curve passes through, so"
        + " the likelihood has no maximum: these standards cannot fix this noise model (fit one"
        + " with fewer parameters, or add standards and replicates)"
    case .errorsInVariablesNeedResponseUncertainties:
      return "generalized distance regression (ISO/TS 28037 §7) weighs each standard by"
        + " u(y)² + b²·u(x)², so the readings' standard uncertainties are needed with the"
        + " standards' (a column of equal values where they share one)"
    case .missingStartingValues(let model, let missing):
      return "the model '\(model)' is nonlinear in its parameters; give starting values for"
        + " \(missing.joined(separator: ", "))"
    case .boundOnUnknownParameter(let name, let parameters):
      return "a bound names '\(name)', which is not a parameter of the model; its parameters"
        + " are \(parameters.joined(separator: ", "))"
    case .boundsOnLinearModel(let model):
      return "bounds apply to the posterior samples of a nonlinear model; the model '\(model)'"
        + " is linear, and its posterior is exact"
    case .notConverged(let tried):
      return "the nonlinear fit did not converge; tried: \(tried). Give better starting values"
    case .improperPosterior:
      return Self.improperPosteriorText
        + "; bound the parameters, or use the Laplace approximation of the posterior."
        + " Give better starting values"
    case .notFinite(let what):
      return
        "\(what) is not a finite number in double precision: the data are too close to the limits of a double; rescale them (different units)"
    }
  }

  /// The same problem as bad input of the calibration file `file` (at the standard's line,
  /// where there is one); nil for a matter of usage (`isUsageProblem`), not of data.
  public func inputError(in file: String) -> InputError? {
    isUsageProblem ? nil : InputError(file: file, line: line, message: problem)
  }

  public var description: String {
    (line.map { "line \($0): " } ?? "") + problem
  }

  /// "N standard(s)".
  static func standards(_ count: Int) -> String {
    "\(count) standard\(count == 1 ? "" : "s")"
  }

  /// The message of `tooFewStandardsForNoise` up to its remedy.
  public static func tooFewForNoiseText(have: Int, parameters p: Int) -> String {
    "\(standards(have)) given, at least \(p + 1) needed: the model has \(p)"
      + " parameter\(p == 1 ? "" : "s") and one more standard is needed to estimate the noise"
  }

  /// The message of `improperPosterior` up to its remedy.
  public static let improperPosteriorText =
    "the nonlinear fit did not converge; tried: MCMC sampling of the posterior: the walkers ran"
    + " off to where the parameters overflow (R̂ not computable), so the posterior is improper"
    + " under the flat prior"

  /// The message of `undefinedAtStart` up to its remedy (ends with a semicolon).
  public var undefinedAtStartText: String {
    guard case .undefinedAtStart(_, let x, let start) = self else { return problem }
    let at = x.map { Expression.format($0) }.joined(separator: ", ")
    return "the model or its derivatives are not finite numbers at this standard (x = \(at))"
      + " for the starting values \(start), and no other start the fit tried found a solution;"
  }
}
