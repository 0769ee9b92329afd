/// An interval [a, b] on which a continuous function changes sign, narrowed towards its root
/// by the Illinois method (the modified regula falsi of Dowell and Jarratt, BIT 11, 1971):
/// the false-position point, with the value at an end halved when the same end is kept twice
/// running, which makes the convergence superlinear where plain regula falsi stalls.
///
/// The searches that have a derivative take a Newton step where it stays inside the bracket
/// and this step otherwise (`next(newton:)`).
struct RootBracket {
  /// The ends, a < b, and the function's values there (of opposite signs, or one zero).
  private(set) var a: Double
  private(set) var fa: Double
  private(set) var b: Double
  private(set) var fb: Double
  /// Which end the last narrowing replaced: −1 for a, 1 for b, 0 before the first.
  private var side = 0

  /// The bracket between a and b with f(a) = `fa`, f(b) = `fb`, the ends given in either
  /// order (kept in increasing order: a bracket given high end first would otherwise have a
  /// negative width and stop at its first step).
  init(_ a: Double, _ fa: Double, _ b: Double, _ fb: Double) {
    (self.a, self.fa, self.b, self.fb) = a <= b ? (a, fa, b, fb) : (b, fb, a, fa)
  }

  /// b − a.
  var width: Double { b - a }

  /// Whether the ends are within a few ulps of each other: no double between them is closer.
  var isExhausted: Bool { b - a <= 4 * max(a.ulp, b.ulp) }

  /// The false-position point (a·f(b) − b·f(a))/(f(b) − f(a)), or the midpoint where that is
  /// not strictly inside (equal values, rounding at a tiny bracket).
  var falsePosition: Double {
    let x = (a * fb - b * fa) / (fb - fa)
    return x > a && x < b ? x : 0.5 * (a + b)
  }

  /// `newton` where it lies strictly inside the bracket, the false-position point otherwise.
  func next(newton: Double) -> Double {
    newton > a && newton < b ? newton : falsePosition
  }

  /// Replaces the end whose value has the sign of `value` by x. With `illinois`, halves the
  /// value kept at the other end when the same end was replaced the time before (the Illinois
  /// step); without it, the next false position is plain regula falsi.
  mutating func narrow(at x: Double, value: Double, illinois: Bool = true) {
    if (value > 0) == (fa > 0) {
      a = x
      fa = value
      if illinois, side == -1 { fb *= 0.5 }
      side = -1
    } else {
      b = x
      fb = value
      if illinois, side == 1 { fa *= 0.5 }
      side = 1
    }
  }
}
