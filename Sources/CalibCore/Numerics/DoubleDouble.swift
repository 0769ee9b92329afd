/// A real number carried as the unevaluated sum of two doubles, `high + low` with
/// `|low| ≤ ulp(high)/2`: about 106 significant bits, twice a double's precision.
///
/// calib keeps the standards, the readings and the regressors in this form while fitting,
/// so that residuals of the least-squares problem are computed to twice working precision.
/// That is what lets iterative refinement recover every digit a double can carry on
/// ill-conditioned designs such as NIST's Filip (Björck, BIT 7, 1967).
///
/// The arithmetic follows the error-free transformations of Dekker (Numer. Math. 18, 1971)
/// and Knuth (TAOCP vol. 2, §4.2.2): `+`, `-` and `*` are accurate to a few units of 2⁻¹⁰⁶
/// relative; `/` to a few more. `exp`, `log` and `sqrt` are carried to double-double
/// precision too (argument reduction and Taylor series; Newton steps); the trigonometric
/// functions and `atan` are evaluated in double precision with a first-order correction for
/// `low`, so they are only as accurate as a double.
package struct DoubleDouble: Sendable, Hashable {
  /// The leading part: the double nearest to the value.
  package var high: Double
  /// The trailing part: what `high` leaves over.
  package var low: Double

  /// The value `high + low`, normalized so that `high` is the rounded sum.
  package init(_ high: Double, _ low: Double) {
    let s = high + low
    self.high = s
    self.low = low - (s - high)
  }

  /// A double, exactly.
  package init(_ value: Double) {
    self.high = value
    self.low = 0
  }

  /// An unsigned integer, exactly (any `UInt64` is the sum of two doubles).
  package init(_ value: UInt64) {
    let high = Double(value & 0xFFFF_FFFF_FFFF_F800)
    let low = Double(value & 0x7FF)
    self.init(high, low)
  }

  /// The double nearest to the value.
  package var doubleValue: Double { high + low }

  /// Whether both parts are finite.
  package var isFinite: Bool { high.isFinite && low.isFinite }

  /// The exact sum of two doubles as a double-double (Knuth's TwoSum).
  @inlinable
  static func exactSum(_ a: Double, _ b: Double) -> DoubleDouble {
    let s = a + b
    let bb = s - a
    let error = (a - (s - bb)) + (b - bb)
    var result = DoubleDouble(s)
    result.low = error
    return result
  }

  /// The exact product of two doubles as a double-double (TwoProduct with a fused multiply-add).
  @inlinable
  static func exactProduct(_ a: Double, _ b: Double) -> DoubleDouble {
    let p = a * b
    var result = DoubleDouble(p)
    result.low = (-p).addingProduct(a, b)
    return result
  }

  package static func + (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
    let s = exactSum(a.high, b.high)
    // An infinite or NaN sum has no trailing part (its error terms would be NaN).
    guard s.high.isFinite else { return DoubleDouble(a.high + b.high) }
    let t = exactSum(a.low, b.low)
    let u = DoubleDouble(s.high, s.low + t.high)
    return DoubleDouble(u.high, u.low + t.low)
  }

  package static prefix func - (a: DoubleDouble) -> DoubleDouble {
    var result = a
    result.high = -a.high
    result.low = -a.low
    return result
  }

  package static func - (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
    a + (-b)
  }

  package static func * (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
    let p = exactProduct(a.high, b.high)
    guard p.high.isFinite else { return DoubleDouble(a.high * b.high) }
    let cross = a.high * b.low + a.low * b.high
    return DoubleDouble(p.high, p.low + cross)
  }

  package static func / (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
    let q1 = a.high / b.high
    // Division by zero and infinite quotients as in double: ±∞ or NaN, no trailing part.
    guard q1.isFinite, b.high != 0 else { return DoubleDouble(q1) }
    let r1 = a - b * DoubleDouble(q1)
    let q2 = r1.high / b.high
    let r2 = r1 - b * DoubleDouble(q2)
    let q3 = r2.high / b.high
    return DoubleDouble(q1, q2) + DoubleDouble(q3)
  }

  package static func += (a: inout DoubleDouble, b: DoubleDouble) { a = a + b }
  package static func -= (a: inout DoubleDouble, b: DoubleDouble) { a = a - b }
  package static func *= (a: inout DoubleDouble, b: DoubleDouble) { a = a * b }
}
