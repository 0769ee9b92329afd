/// log Σ exp(ℓₖ), accumulated one term at a time without overflow or underflow: the sum is
/// kept relative to the largest term so far and rescaled when a larger one comes.
///
/// A term of −∞ (a zero in the sum) leaves it unchanged; the sum of no terms is −∞; a NaN
/// term makes the sum NaN.
struct LogSumExp {
  /// The largest term so far.
  private var largest = -Double.infinity
  /// Σ exp(ℓₖ − largest) so far.
  private var scaled = 0.0

  /// An empty sum.
  init() {}

  /// Adds exp(`term`).
  mutating func add(_ term: Double) {
    if term == -.infinity { return }
    if term > largest {
      scaled = scaled * _exp(largest - term) + 1
      largest = term
    } else if !(term - largest <= -746) {
      // At or below, exp rounds to +0 (its smallest subnormal is e^−744.4) but takes the C
      // library's slow path for an underflow: skipping it changes no bit. (Written so that a
      // NaN difference still reaches exp and makes the sum NaN.)
      scaled += _exp(term - largest)
    }
  }

  /// log Σ exp(ℓₖ) − log `divisor`: the log of the sum, or of the mean when `divisor` is the
  /// number of terms.
  func value(dividedBy divisor: Double = 1) -> Double {
    largest > -.infinity ? largest + _log(scaled / divisor) : -.infinity
  }
}
