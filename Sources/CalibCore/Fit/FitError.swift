/// A calibration that cannot be fitted as asked: too few standards, a degenerate design, a
/// model undefined at a standard, or a kind of fit not available.
public enum FitError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Fewer standards than the fit needs.
  case tooFewStandards(have: Int, need: Int, reason: String)
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
  /// The nonlinear solver found no solution from any start it tried.
  case notConverged(tried: String)
  /// A result overflowed or lost all meaning in double precision (data scaled near the
  /// limits of a double).
  case notFinite(String)

  /// The same problem as bad input of the calibration file `file` (at the standard's line,
  /// where there is one); nil for `unsupported`, which is a matter of usage, not of data.
  public func inputError(in file: String) -> InputError? {
    switch self {
    case .unsupported: return nil
    case .undefinedAtStandard(let line, let term):
      return InputError(
        file: file, line: line,
        message: "the model term '\(term)' is not a finite number at this standard")
    case .undefinedAtStart(let line, _, _):
      return InputError(file: file, line: line, message: Self.undefinedAtStartText(self))
    default: return InputError(file: file, message: description)
    }
  }

  public var description: String {
    switch self {
    case .tooFewStandards(let have, let need, let reason):
      return "\(have) standard\(have == 1 ? "" : "s") given, at least \(need) needed: \(reason)"
    case .collinearTerms(let terms, let condition):
      let list = terms.map { "'\($0)'" }.joined(separator: ", ")
      return
        "the design is rank-deficient: the terms \(list) are linearly dependent at the standards"
        + " (condition number \(condition.isFinite ? "\(condition)" : "infinite")); drop one of them or add standards that tell them apart"
    case .undefinedAtStandard(let line, let term):
      return "line \(line): the model term '\(term)' is not a finite number at this standard"
    case .undefinedAtStart(let line, _, _):
      return "line \(line): " + Self.undefinedAtStartText(self)
    case .refinementFailed(let condition):
      return
        "the least-squares solution did not settle (condition number \(condition)); rescale or center the predictors"
    case .unsupported(let message):
      return message
    case .notConverged(let tried):
      return
        "the nonlinear fit did not converge; tried: \(tried). Give better starting values with --start"
    case .notFinite(let what):
      return
        "\(what) is not a finite number in double precision: the data are too close to the limits of a double; rescale them (different units)"
    }
  }

  /// The message of `undefinedAtStart`, without the line.
  private static func undefinedAtStartText(_ error: FitError) -> String {
    guard case .undefinedAtStart(_, let x, let start) = error else { return error.description }
    let at = x.map { Expression.format($0) }.joined(separator: ", ")
    return "the model or its derivatives are not finite numbers at this standard (x = \(at))"
      + " for the starting values \(start), and no other start the fit tried found a solution;"
      + " give starting values with --start for which the model is finite at every standard"
  }
}
