/// The arithmetic a compiled formula needs: implemented by `Double` (measurement, fast) and
/// by `DoubleDouble` (fitting, where the design is built to twice working precision).
package protocol ModelScalar: Sendable {
  init(_ value: Double)
  static func + (a: Self, b: Self) -> Self
  static func - (a: Self, b: Self) -> Self
  static func * (a: Self, b: Self) -> Self
  static func / (a: Self, b: Self) -> Self
  static prefix func - (a: Self) -> Self
  /// `self` raised to a real power.
  func raised(to exponent: Self) -> Self
  /// `self` raised to an integer power.
  func raised(toInteger n: Int) -> Self
  /// (u/v)^w, or u^w without v: the power of a variable or of a ratio of two, which a compiled
  /// formula evaluates in one instruction (`CompiledExpression.Instruction.variablePower`).
  static func variablePower(_ u: Self, over v: Self?, to w: Self) -> Self
  /// An elementary function of `self`.
  func applying(_ function: ElementaryFunction) -> Self
  /// Whether the value is exactly zero (either sign).
  var isZero: Bool { get }
}

extension ModelScalar {
  /// self^v·log(self), with its limit 0 wherever self^v is 0: at self = 0 with v > 0 (where
  /// the factors apart give 0·(−∞) = NaN) and where the power underflows. Elsewhere the plain
  /// product, NaN for a negative base as log is.
  package func raisedTimesLog(_ exponent: Self) -> Self {
    let power = raised(to: exponent)
    return power.isZero ? Self(0) : power * applying(.log)
  }

  /// v·self^(v−1)·w, the derivative of self^v through its base when the base's derivative is
  /// w: 0 where w = 0 (the base does not move) or v = 0 (the power is constant), even where
  /// self^(v−1) is infinite (self = 0 with v < 1); elsewhere the plain product.
  package func powerSlope(exponent v: Self, baseDerivative w: Self) -> Self {
    if w.isZero || v.isZero { return Self(0) }
    return v * raised(to: v - Self(1)) * w
  }
}

extension Double: ModelScalar {
  // `isZero` is the standard library's.
  package func raised(to exponent: Double) -> Double { _pow(self, exponent) }
  package static func variablePower(_ u: Double, over v: Double?, to w: Double) -> Double {
    variablePower(u, over: v, to: w, logU: _log(u), logV: v.map(_log) ?? 0)
  }

  /// (u/v)^w (u^w without v) as exp(w·(log u − log v)) from the logarithms given, where u and
  /// v are positive and finite and w is finite; elsewhere pow(u/v, w), with its special cases
  /// (a zero base, a negative one). One exponential where the logarithms are known: a model
  /// evaluated at many parameter vectors at once takes them from `ParameterColumns`, made
  /// once, and log x once per x, so that the 4PL's (x/c)^b costs an exponential where pow
  /// cost three times as much. The exponential is glibc's vector one on x86-64 Linux
  /// (`_vectorExp`, within 4 ulp; the C library's elsewhere), which the evaluation at many
  /// points takes many at a time for a third of the scalar one's cost. The relative error is about |w|·(|log u| + |log v|)·2⁻⁵³ + 4 ulp, the
  /// logarithms' rounding carried by w: 10 ulp for u and v between 1 and 300 with w = 1,
  /// 44 ulp near 10⁻⁹ with w = 2 (pow is within 1).
  @inline(__always)
  static func variablePower(
    _ u: Double, over v: Double?, to w: Double, logU: Double, logV: Double
  ) -> Double {
    if logU.isFinite, logV.isFinite, w.isFinite { return _vectorExp(w * (logU - logV)) }
    return _pow(v.map { u / $0 } ?? u, w)
  }
  /// Uses the C library's `pow`, which is within an ulp, rather than repeated products.
  package func raised(toInteger n: Int) -> Double {
    n == 2 ? self * self : _pow(self, Double(n))
  }
  package func applying(_ function: ElementaryFunction) -> Double { function(self) }
}

extension DoubleDouble: ModelScalar {
  /// Whether the value is exactly zero: its leading part is (the trailing part is then too).
  package var isZero: Bool { high == 0 }

  /// Integer exponents by binary powering; others as exp(b·log a) for a > 0, both to
  /// double-double precision; a negative base with a fractional exponent is NaN.
  package func raised(to exponent: DoubleDouble) -> DoubleDouble {
    if exponent.low == 0, exponent.high == exponent.high.rounded(), Swift.abs(exponent.high) <= 1024
    {
      return raised(toInteger: Int(exponent.high))
    }
    guard high > 0 else { return DoubleDouble(_pow(high, exponent.high)) }
    return (exponent * logarithm).exponential
  }

  /// (u/v)^w, or u^w, as `raised(to:)` gives it.
  package static func variablePower(
    _ u: DoubleDouble, over v: DoubleDouble?, to w: DoubleDouble
  ) -> DoubleDouble {
    (v.map { u / $0 } ?? u).raised(to: w)
  }

  package func raised(toInteger n: Int) -> DoubleDouble {
    var result = DoubleDouble(1.0)
    var base = self
    var k = n.magnitude
    while k > 0 {
      if k & 1 == 1 { result = result * base }
      base = base * base
      k >>= 1
    }
    return n < 0 ? DoubleDouble(1.0) / result : result
  }

  /// `exp`, `log` and `sqrt` to double-double precision; the other functions in double
  /// precision at `high`, corrected to first order for `low`.
  package func applying(_ function: ElementaryFunction) -> DoubleDouble {
    switch function {
    case .exp: return exponential
    case .log: return logarithm
    case .sqrt: return squareRoot
    default: break
    }
    let value = function(high)
    let slope: Double
    switch function {
    case .sin: slope = _cos(high)
    case .cos: slope = -_sin(high)
    case .tan: slope = 1 + value * value
    case .atan: slope = 1 / (1 + high * high)
    case .abs: slope = ElementaryFunction.sign(high)
    default: slope = 0
    }
    let correction = slope * low
    return DoubleDouble(value, correction.isFinite ? correction : 0)
  }

  /// ln 2 to double-double precision.
  private static let ln2 = DoubleDouble(
    6.93147180559945286226763982995e-01, 2.319046813846299558e-17)

  /// eˣ: x = k·ln 2 + r, then e^(r/512) by its Taylor series and nine squarings.
  var exponential: DoubleDouble {
    guard high < 709.7 else { return DoubleDouble(high.isNaN ? .nan : .infinity) }
    guard high > -745 else { return DoubleDouble(0.0) }
    let k = (high / DoubleDouble.ln2.high).rounded()
    let r = (self - DoubleDouble.ln2 * DoubleDouble(k)) * DoubleDouble(1.0 / 512)
    // s = e^r − 1 = r + r²/2! + … (|r| < 7e-4: twelve terms reach 2⁻¹⁰⁶).
    var term = r
    var s = r
    for n in 2...12 {
      term = term * r / DoubleDouble(Double(n))
      s += term
    }
    // (1 + s)² − 1 = s·(2 + s), nine times.
    for _ in 0..<9 { s = s * (DoubleDouble(2.0) + s) }
    let result = DoubleDouble(1.0) + s
    let scale = Double(sign: .plus, exponent: Int(k), significand: 1)
    return DoubleDouble(result.high * scale, result.low * scale)
  }

  /// ln x for x > 0: one Newton step from the double logarithm, y + x·e^(−y) − 1.
  var logarithm: DoubleDouble {
    guard high > 0 else { return DoubleDouble(high == 0 ? -.infinity : .nan) }
    guard high.isFinite else { return self }
    let y = DoubleDouble(_log(high))
    return y + self * (-y).exponential - DoubleDouble(1.0)
  }

  /// √x for x ≥ 0: one Newton step from the double square root.
  var squareRoot: DoubleDouble {
    guard high > 0 else { return DoubleDouble(high == 0 ? 0 : .nan) }
    let s = DoubleDouble(high.squareRoot())
    return s + (self - s * s) / (DoubleDouble(2.0) * s)
  }
}
