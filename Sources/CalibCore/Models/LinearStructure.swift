/// A response that is linear in its parameters: `f(x; a) = φ₀(x) + Σⱼ aⱼ·φⱼ(x)`.
///
/// `offset` is φ₀, the part free of parameters (0 for most models); `basis[j]` is φⱼ, the
/// regressor that multiplies parameter j. The design matrix of a calibration has entries
/// Φᵢⱼ = φⱼ(xᵢ), and the fit is linear least squares on `y − φ₀(x)`.
package struct LinearStructure: Sendable {
  /// φ₀: the part of the response free of parameters.
  package let offset: Expression
  /// φⱼ, one per parameter, in the model's parameter order.
  package let basis: [Expression]

  let compiledOffset: CompiledExpression
  let compiledBasis: [CompiledExpression]

  /// Decomposes `expression` as offset plus parameters times regressors, or returns nil when
  /// it is not linear in `parameters` (a product of parameters, a parameter inside a
  /// function or an exponent or a denominator).
  ///
  /// - Parameters:
  ///   - expression: The response formula.
  ///   - parameters: The parameter names, in order.
  ///   - slot: Where each predictor lives in the slots given to the compiled regressors.
  init?(_ expression: Expression, parameters: [String], slot: (String) -> Int) {
    let parameterSet = Set(parameters)
    guard let form = LinearForm(expression, parameters: parameterSet) else { return nil }
    self.offset = form.offset
    self.basis = parameters.map { form.terms[$0] ?? .number(0) }
    self.compiledOffset = CompiledExpression(offset, slot: slot)
    self.compiledBasis = basis.map { CompiledExpression($0, slot: slot) }
  }
}

/// The working form of the decomposition: an offset and a coefficient per parameter.
private struct LinearForm {
  var offset: Expression = .number(0)
  var terms: [String: Expression] = [:]

  init?(_ e: Expression, parameters: Set<String>) {
    func isFree(_ e: Expression) -> Bool { !parameters.contains(where: { e.contains(symbol: $0) }) }
    switch e {
    case .symbol(let s) where parameters.contains(s):
      terms[s] = .number(1)
    case .number, .symbol:
      offset = e
    case .negate(let a):
      guard let inner = LinearForm(a, parameters: parameters) else { return nil }
      self = inner.mapped { Expression.negated($0) }
    case .add(let a, let b), .subtract(let a, let b):
      guard let left = LinearForm(a, parameters: parameters),
        var right = LinearForm(b, parameters: parameters)
      else { return nil }
      if case .subtract = e { right = right.mapped { Expression.negated($0) } }
      self = left
      offset = Expression.sum(left.offset, right.offset)
      for (name, term) in right.terms {
        terms[name] = terms[name].map { Expression.sum($0, term) } ?? term
      }
    case .multiply(let a, let b):
      if isFree(a), let right = LinearForm(b, parameters: parameters) {
        self = right.mapped { Expression.product(a, $0) }
      } else if isFree(b), let left = LinearForm(a, parameters: parameters) {
        self = left.mapped { Expression.product($0, b) }
      } else {
        return nil
      }
    case .divide(let a, let b):
      guard isFree(b), let left = LinearForm(a, parameters: parameters) else { return nil }
      self = left.mapped { Expression.quotient($0, b) }
    case .power, .call, .powerLog, .powerSlope, .vanishingProduct:
      guard isFree(e) else { return nil }
      offset = e
    }
  }

  private init(offset: Expression, terms: [String: Expression]) {
    self.offset = offset
    self.terms = terms
  }

  func mapped(_ transform: (Expression) -> Expression) -> LinearForm {
    LinearForm(offset: transform(offset), terms: terms.mapValues(transform))
  }
}
