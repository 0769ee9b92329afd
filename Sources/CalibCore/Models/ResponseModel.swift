/// The response of an instrument, `y = f(x; a)`: a formula in the predictors x and the
/// parameters a of the instrument state, with its exact derivatives.
///
/// Example:
///
///     let model = try ResponseModel(spec: "b1*(1-exp(-b2*x))", predictors: ["conc"])
///     model.parameters            // ["b1", "b2"]
///     model.linearStructure       // nil: nonlinear in b2
///
/// In a formula, a name is a predictor when it is one of `predictors`, or `x` when there is
/// exactly one predictor; every other name is a parameter. Parameters named by one prefix
/// and a number (`b1`, `b2`, …, `b10`) are listed by their number; others in order of first
/// appearance.
public struct ResponseModel: Sendable {
  /// The specification as given: a family (`poly:2`, `4pl`) or a formula.
  public let spec: String
  /// The response formula. With one predictor it may say `x` for it.
  package let expression: Expression
  /// The predictor names (the columns given to `--x`).
  public let predictors: [String]
  /// The parameter names, in the order estimates are listed.
  public let parameters: [String]
  /// The named family, when the spec names one.
  public let family: ModelFamily?
  /// The decomposition into regressors when the response is linear in the parameters.
  package let linearStructure: LinearStructure?

  /// Where each name lives in the slots of a compiled formula: predictors (and `x` for a
  /// lone predictor), then parameters.
  let slots: [String: Int]
  let compiledResponse: CompiledExpression
  let compiledParameterDerivatives: [CompiledExpression]
  let compiledPredictorDerivatives: [CompiledExpression]

  /// The formula as text.
  public var formula: String { expression.description }

  /// Whether the fit is a linear least-squares problem.
  public var isLinear: Bool { linearStructure != nil }

  /// Reads a model specification.
  ///
  /// - Parameters:
  ///   - spec: A family name or a formula (see docs/formula-language.md).
  ///   - predictors: The predictor names, at least one.
  /// - Throws: `ModelError` for bad syntax, unknown families, a formula without parameters,
  ///   a predictor the formula does not use, or no predictor at all.
  public init(spec: String, predictors: [String]) throws(ModelError) {
    guard !predictors.isEmpty else {
      throw .invalid("a model needs at least one predictor (the standards' x), none was given")
    }
    self.spec = spec
    self.predictors = predictors
    let family = try ModelFamily.named(spec)
    self.family = family

    let expression: Expression
    do {
      expression = try FormulaParser.parse(family?.formula ?? spec)
    } catch {
      throw .syntax(error)
    }
    if family != nil, predictors.count != 1 {
      throw .familyNeedsOnePredictor(family: spec.trimmingSpaces, predictors: predictors)
    }
    // A predictor named like one of the family's parameters would share its slot, and the
    // slope ∂f/∂x would silently take in ∂f/∂(that parameter): refused.
    if let family, let clash = predictors.first(where: { family.parameterNames.contains($0) }) {
      throw .invalid(
        "the predictor column '\(clash)' has the name of a parameter of \(spec.trimmingSpaces) (\(family.parameterNames.joined(separator: ", "))); rename the column"
      )
    }
    let symbols = expression.symbols
    // With one predictor, `x` stands for it whatever its column is called.
    let aliases = predictors.count == 1 && predictors[0] != "x" ? ["x": 0] : [:]
    let predictorSet = Set(predictors).union(aliases.keys)
    let parameters =
      family?.parameterNames ?? ResponseModel.ordered(symbols.filter { !predictorSet.contains($0) })
    guard !parameters.isEmpty else { throw .noParameters(formula: spec) }
    if family == nil, predictors.count > 1,
      let unused = predictors.first(where: { !symbols.contains($0) })
    {
      throw .unusedPredictor(unused, formula: spec)
    }
    self.expression = expression
    self.parameters = parameters

    var slots = aliases
    for (k, name) in predictors.enumerated() { slots[name] = k }
    for (k, name) in parameters.enumerated() { slots[name] = predictors.count + k }
    self.slots = slots
    // Cannot trap: every symbol of the formula (and of its derivatives) is a predictor, the lone
    // predictor's alias x, or a parameter (the other symbols, or a family's names), all in slots.
    let slot = { (name: String) -> Int in slots[name]! }
    self.compiledResponse = CompiledExpression(expression, slot: slot)
    self.compiledParameterDerivatives = parameters.map {
      CompiledExpression(expression.derivative(withRespectTo: $0), slot: slot)
    }
    self.compiledPredictorDerivatives = predictors.map { name in
      let derivative = aliases.keys.reduce(expression.derivative(withRespectTo: name)) {
        Expression.sum($0, expression.derivative(withRespectTo: $1))
      }
      return CompiledExpression(derivative, slot: slot)
    }
    self.linearStructure = LinearStructure(expression, parameters: parameters, slot: slot)
  }

  /// f(x; a).
  ///
  /// - Parameters:
  ///   - x: The predictor values, one per predictor.
  ///   - a: The parameter values, one per parameter.
  package func response<Scalar: ModelScalar>(at x: [Scalar], parameters a: [Scalar]) -> Scalar {
    compiledResponse.evaluate(x + a)
  }

  /// ∂f/∂aⱼ for every parameter, exactly (symbolic differentiation).
  public func parameterGradient(at x: [Double], parameters a: [Double]) -> [Double] {
    let slots = x + a
    return compiledParameterDerivatives.map { $0.evaluate(slots) }
  }

  /// ∂f/∂xₖ for every predictor, exactly (symbolic differentiation): the sensitivity of the
  /// instrument, the slope of the calibration curve.
  public func predictorGradient(at x: [Double], parameters a: [Double]) -> [Double] {
    let slots = x + a
    return compiledPredictorDerivatives.map { $0.evaluate(slots) }
  }

  /// Names sharing one prefix followed by numbers, by number; any others, as given.
  static func ordered(_ names: [String]) -> [String] {
    func split(_ name: String) -> (String, Int)? {
      let digits = name.reversed().prefix { $0.isASCII && $0.isNumber }
      guard !digits.isEmpty, digits.count < name.count, let number = Int(String(digits.reversed()))
      else { return nil }
      return (String(name.dropLast(digits.count)), number)
    }
    let parts = names.compactMap(split)
    guard parts.count == names.count, Set(parts.map(\.0)).count == 1 else { return names }
    return zip(names, parts).sorted { $0.1.1 < $1.1.1 }.map(\.0)
  }

  /// Σ wᵢ·(yᵢ − f(xᵢ; a))² for standards x (a row of predictor values each), readings y and
  /// weights w (1/u², or 1); +∞ where the model is not finite. No allocation per standard: it
  /// runs in the inner loop of posterior sampling and quadrature.
  func residualSumOfSquares(at a: [Double], x: [[Double]], y: [Double], weights: [Double]) -> Double
  {
    let q = predictors.count, p = a.count
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: q + p) { slots in
      for j in 0..<p { slots[q + j] = a[j] }
      let view = UnsafeBufferPointer(slots)
      var total = 0.0
      for i in x.indices {
        for k in 0..<q { slots[k] = x[i][k] }
        let r = y[i] - (compiledResponse.evaluate(view) as Double)
        total += weights[i] * r * r
      }
      return total.isFinite ? total : .infinity
    }
  }
}
