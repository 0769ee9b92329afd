/// The arithmetic a compiled formula needs: implemented by `Double` (measurement, fast) and
/// by `DoubleDouble` (fitting, where the design is built to twice working precision).
public protocol ModelScalar: Sendable {
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
  /// An elementary function of `self`.
  func applying(_ function: ElementaryFunction) -> Self
}

extension Double: ModelScalar {
  public func raised(to exponent: Double) -> Double { _pow(self, exponent) }
  /// Uses the C library's `pow`, which is within an ulp, rather than repeated products.
  public func raised(toInteger n: Int) -> Double {
    n == 2 ? self * self : _pow(self, Double(n))
  }
  public func applying(_ function: ElementaryFunction) -> Double { function(self) }
}

extension DoubleDouble: ModelScalar {
  /// Integer exponents by binary powering in double-double; others from the double `pow`
  /// with first-order corrections for both low parts.
  public func raised(to exponent: DoubleDouble) -> DoubleDouble {
    if exponent.low == 0, exponent.high == exponent.high.rounded(), Swift.abs(exponent.high) <= 1024 {
      return raised(toInteger: Int(exponent.high))
    }
    let value = _pow(high, exponent.high)
    let correction = value * (exponent.high * low / high + _log(high) * exponent.low)
    return DoubleDouble(value, correction.isFinite ? correction : 0)
  }

  public func raised(toInteger n: Int) -> DoubleDouble {
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

  /// The double-precision value at `high`, corrected to first order for `low`.
  public func applying(_ function: ElementaryFunction) -> DoubleDouble {
    let value = function(high)
    let slope: Double
    switch function {
    case .exp: slope = value
    case .log: slope = 1 / high
    case .sqrt: slope = 0.5 / value
    case .sin: slope = _cos(high)
    case .cos: slope = -_sin(high)
    case .tan: slope = 1 + value * value
    case .atan: slope = 1 / (1 + high * high)
    case .abs: slope = ElementaryFunction.sign(high)
    case .sign: slope = 0
    }
    let correction = slope * low
    return DoubleDouble(value, correction.isFinite ? correction : 0)
  }
}
