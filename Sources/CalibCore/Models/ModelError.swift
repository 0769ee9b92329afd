/// A model specification that cannot be used: bad syntax, an unknown family, or names that
/// do not fit the predictors.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The formula does not parse.
  case syntax(FormulaSyntaxError)
  /// A name that looks like a family but is none.
  case unknownFamily(String)
  /// A family that needs exactly one predictor was given several.
  case familyNeedsOnePredictor(family: String, predictors: [String])
  /// The formula has no parameter: nothing to calibrate.
  case noParameters(formula: String)
  /// A predictor given to `--x` that the formula never uses.
  case unusedPredictor(String, formula: String)
  /// A name that is both a predictor and used as something else.
  case invalid(String)

  public var description: String {
    switch self {
    case .syntax(let error):
      return "the model formula does not parse: \(error)"
    case .unknownFamily(let name):
      return
        "unknown model family '\(name)'; the families are \(ModelFamily.names.joined(separator: ", ")),"
        + " or write a formula such as \"b0 + b1*x\""
    case .familyNeedsOnePredictor(let family, let predictors):
      return "the family '\(family)' takes one predictor, but \(predictors.count) were given"
        + " (\(predictors.joined(separator: ", "))); write a formula in their names instead"
    case .noParameters(let formula):
      return "the formula '\(formula)' has no parameters to calibrate"
    case .unusedPredictor(let name, let formula):
      return "the predictor '\(name)' does not appear in the formula '\(formula)'"
    case .invalid(let message):
      return message
    }
  }
}
