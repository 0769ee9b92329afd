/// A formula turned into a short stack program, for evaluation hundreds of times per reading
/// without walking the tree or allocating.
///
/// Variables are read by slot from a buffer the caller fills (predictors first, then
/// parameters, in the order `ResponseModel` gives). Integer powers are evaluated as such; a
/// power of a variable or of a ratio of two, (x/c)^b, through their logarithms
/// (`ModelScalar.variablePower`).
///
/// A power at a zero base takes its limit as the base goes to 0⁺ (see
/// `Expression.derivative(withRespectTo:)`): `u^v*log(u)`, written so in a formula or made by
/// a derivative, is one instruction whose value is 0 wherever u^v is 0, where the two factors
/// apart would give 0·(−∞) = NaN; `powerSlope` is 0 where the base's derivative is 0; and
/// `vanishingProduct` (exp(u)·u′) is 0 where its first factor is.
package struct CompiledExpression: Sendable {
  enum Instruction: Sendable {
    case constant(Double)
    case variable(Int)
    case negate, add, subtract, multiply, divide, power
    /// u^v·log(u), 0 where u^v is 0: pops v, u.
    case powerLog
    /// v·u^(v−1)·w, 0 where w or v is 0: pops w, v, u.
    case powerSlope
    /// a·b, 0 where a is 0: pops b, a.
    case vanishingProduct
    case integerPower(Int)
    /// (slot u / slot v)^w, or slot u^w without v: pops w (`ModelScalar.variablePower`).
    case variablePower(Int, Int?)
    case call(ElementaryFunction)
  }

  let program: [Instruction]
  let stackDepth: Int

  /// Compiles `expression`, resolving each symbol by `slot`.
  ///
  /// - Precondition: `slot` knows every symbol of the expression.
  init(_ expression: Expression, slot: (String) -> Int) {
    var program: [Instruction] = []
    var depth = 0
    var deepest = 0
    func emit(_ instruction: Instruction, popping: Int, pushing: Int = 1) {
      program.append(instruction)
      depth += pushing - popping
      deepest = max(deepest, depth)
    }
    func walk(_ e: Expression) {
      switch e {
      case .number(let v): emit(.constant(v), popping: 0)
      case .symbol(let s): emit(.variable(slot(s)), popping: 0)
      case .negate(let a): walk(a); emit(.negate, popping: 1)
      case .add(let a, let b): walk(a); walk(b); emit(.add, popping: 2)
      case .subtract(let a, let b): walk(a); walk(b); emit(.subtract, popping: 2)
      case .multiply(let a, let b):
        if let fused = CompiledExpression.powerTimesLog(a, b) {
          walk(fused)
        } else {
          walk(a); walk(b); emit(.multiply, popping: 2)
        }
      case .divide(let a, let b): walk(a); walk(b); emit(.divide, popping: 2)
      case .power(let a, .number(let n)) where n == n.rounded() && Swift.abs(n) <= 1024:
        walk(a); emit(.integerPower(Int(n)), popping: 1)
      case .power(let a, .negate(.number(let n))) where n == n.rounded() && Swift.abs(n) <= 1024:
        // x^-2 as written: an integer power, as before `variablePower` (pow, bit for bit).
        walk(a); emit(.integerPower(-Int(n)), popping: 1)
      case .power(.divide(.symbol(let u), .symbol(let v)), let w):
        walk(w); emit(.variablePower(slot(u), slot(v)), popping: 1)
      case .power(.symbol(let u), let w):
        walk(w); emit(.variablePower(slot(u), nil), popping: 1)
      case .power(let a, let b): walk(a); walk(b); emit(.power, popping: 2)
      case .call(let f, let a): walk(a); emit(.call(f), popping: 1)
      case .powerLog(let u, let v): walk(u); walk(v); emit(.powerLog, popping: 2)
      case .powerSlope(let u, let v, let w):
        walk(u); walk(v); walk(w); emit(.powerSlope, popping: 3)
      case .vanishingProduct(let a, let b): walk(a); walk(b); emit(.vanishingProduct, popping: 2)
      }
    }
    walk(expression)
    self.program = program
    self.stackDepth = max(deepest, 1)
  }

  /// `a*b` as a tree with a `powerLog` node when it multiplies a power u^v (or u itself) by
  /// log(u), in either order, possibly as the last factor of a product (`m*x^q*log(x)`);
  /// nil otherwise.
  static func powerTimesLog(_ a: Expression, _ b: Expression) -> Expression? {
    func fuse(_ factor: Expression, _ logarithm: Expression) -> Expression? {
      guard case .call(.log, let u) = logarithm else { return nil }
      if factor == u { return .powerLog(u, .number(1)) }
      if case .power(let base, let v) = factor, base == u { return .powerLog(u, v) }
      return nil
    }
    if let fused = fuse(a, b) ?? fuse(b, a) { return fused }
    // (c * u^v) * log(u) and (c * log(u)) * u^v.
    if case .multiply(let c, let last) = a, let fused = fuse(last, b) ?? fuse(b, last) {
      return .multiply(c, fused)
    }
    return nil
  }

  /// The value of the formula with the variables in `slots`.
  ///
  /// - Complexity: O(length of the program); no heap allocation.
  package func evaluate<Scalar: ModelScalar>(_ slots: UnsafeBufferPointer<Scalar>) -> Scalar {
    withUnsafeTemporaryAllocation(of: Scalar.self, capacity: stackDepth) { stack in
      var top = -1
      for instruction in program {
        switch instruction {
        case .constant(let v):
          top += 1
          stack.initializeElement(at: top, to: Scalar(v))
        case .variable(let k):
          top += 1
          stack.initializeElement(at: top, to: slots[k])
        case .negate:
          stack[top] = -stack[top]
        case .add:
          stack[top - 1] = stack[top - 1] + stack[top]; top -= 1
        case .subtract:
          stack[top - 1] = stack[top - 1] - stack[top]; top -= 1
        case .multiply:
          stack[top - 1] = stack[top - 1] * stack[top]; top -= 1
        case .divide:
          stack[top - 1] = stack[top - 1] / stack[top]; top -= 1
        case .power:
          stack[top - 1] = stack[top - 1].raised(to: stack[top]); top -= 1
        case .powerLog:
          stack[top - 1] = stack[top - 1].raisedTimesLog(stack[top]); top -= 1
        case .powerSlope:
          stack[top - 2] = stack[top - 2]
            .powerSlope(exponent: stack[top - 1], baseDerivative: stack[top])
          top -= 2
        case .vanishingProduct:
          stack[top - 1] = stack[top - 1].isZero ? Scalar(0) : stack[top - 1] * stack[top]; top -= 1
        case .integerPower(let n):
          stack[top] = stack[top].raised(toInteger: n)
        case .variablePower(let u, let v):
          stack[top] = Scalar.variablePower(slots[u], over: v.map { slots[$0] }, to: stack[top])
        case .call(let f):
          stack[top] = stack[top].applying(f)
        }
      }
      return stack[0]
    }
  }

  /// The value of the formula with the variables in `slots`.
  package func evaluate<Scalar: ModelScalar>(_ slots: [Scalar]) -> Scalar {
    slots.withUnsafeBufferPointer { evaluate($0) }
  }
}
