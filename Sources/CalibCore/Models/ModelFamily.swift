/// The named response families, each a formula in one predictor `x` with documented
/// parameter names. See docs/formula-language.md for their meaning and conventions.
public enum ModelFamily: Equatable, Sendable {
  /// `poly:N`: b0 + b1·x + … + bN·x^N (N ≥ 0); `line` is `poly:1`.
  case polynomial(degree: Int)
  /// `exp`: b0 + b1·exp(b2·x), an offset exponential.
  case exponential
  /// `power`: b0 + b1·x^b2, an offset power law (x > 0).
  case power
  /// `log`: b0 + b1·log(x), natural logarithm (x > 0).
  case logarithmic
  /// `4pl`: d + (a − d)/(1 + (x/c)^b): a the response at x = 0, d at x → ∞, c the inflection
  /// point (EC50), b the slope (Hill coefficient).
  case fourParameterLogistic
  /// `5pl`: d + (a − d)/(1 + (x/c)^b)^g: the 4PL with asymmetry g (g = 1 is the 4PL).
  case fiveParameterLogistic
  /// `mm`: vmax·x/(km + x), Michaelis–Menten saturation.
  case michaelisMenten

  /// The family names as written in `--model`.
  public static let names = ["poly:N", "line", "exp", "power", "log", "4pl", "5pl", "mm"]

  /// Reads a family name. Returns nil when `spec` is not of the form of a family name (so it
  /// is a formula); throws when it looks like one but is not.
  ///
  /// - Throws: `ModelError.unknownFamily` for `poly:x`, `quadratic` and the like.
  static func named(_ spec: String) throws(ModelError) -> ModelFamily? {
    let trimmed = spec.trimmingSpaces
    switch trimmed.lowercased() {
    case "line": return .polynomial(degree: 1)
    case "exp": return .exponential
    case "power": return .power
    case "log": return .logarithmic
    case "4pl": return .fourParameterLogistic
    case "5pl": return .fiveParameterLogistic
    case "mm": return .michaelisMenten
    default: break
    }
    if trimmed.lowercased().hasPrefix("poly:") {
      guard let degree = Int(trimmed.dropFirst(5)), degree >= 0, degree <= 20 else {
        throw .unknownFamily(trimmed)
      }
      return .polynomial(degree: degree)
    }
    // A lone name (or name:something) that is no family would otherwise be read as a formula
    // with one parameter and no predictor: a constant. That is never what was meant.
    let isLoneName = trimmed.unicodeScalars.allSatisfy {
      $0 == "_" || $0 == ":" || $0.properties.isAlphabetic || ("0"..."9").contains($0)
    }
    if isLoneName, trimmed.contains(":") || trimmed.first.map({ !$0.isNumber }) == true {
      throw .unknownFamily(trimmed)
    }
    return nil
  }

  /// The family's formula in the predictor `x`.
  var formula: String {
    switch self {
    case .polynomial(let degree):
      return (0...degree).map { k in
        switch k {
        case 0: return "b0"
        case 1: return "b1*x"
        default: return "b\(k)*x^\(k)"
        }
      }.joined(separator: " + ")
    case .exponential: return "b0 + b1*exp(b2*x)"
    case .power: return "b0 + b1*x^b2"
    case .logarithmic: return "b0 + b1*log(x)"
    case .fourParameterLogistic: return "d + (a - d)/(1 + (x/c)^b)"
    case .fiveParameterLogistic: return "d + (a - d)/(1 + (x/c)^b)^g"
    case .michaelisMenten: return "vmax*x/(km + x)"
    }
  }

  /// Where the family is defined in x, as the smallest x it takes: 0 for the families with
  /// powers or ratios of x (4pl, 5pl, power, mm), a positive x for log; nil when it is defined
  /// for every x. Measurement clips the prior range of x to it.
  func lowestX(domain: ClosedRange<Double>) -> Double? {
    switch self {
    case .polynomial, .exponential: return nil
    case .fourParameterLogistic, .fiveParameterLogistic, .power, .michaelisMenten: return 0
    case .logarithmic: return domain.lowerBound > 0 ? domain.lowerBound / 1000 : nil
    }
  }

  /// The parameters, in the order the instrument file lists them.
  var parameterNames: [String] {
    switch self {
    case .polynomial(let degree): return (0...degree).map { "b\($0)" }
    case .exponential, .power: return ["b0", "b1", "b2"]
    case .logarithmic: return ["b0", "b1"]
    case .fourParameterLogistic: return ["a", "b", "c", "d"]
    case .fiveParameterLogistic: return ["a", "b", "c", "d", "g"]
    case .michaelisMenten: return ["vmax", "km"]
    }
  }
}

extension StringProtocol {
  /// The text without ASCII spaces and tabs at either end.
  var trimmingSpaces: String {
    var scalars = Substring(self).unicodeScalars[...]
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return String(String.UnicodeScalarView(scalars))
  }
}
