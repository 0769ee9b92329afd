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

  /// Adds exp(ℓ) for each ℓ of `terms` (finite or −∞; a NaN makes the sum NaN, and so does a
  /// +∞, where `add(_:)` gives +∞: callers map non-finite terms to −∞ first), relative to
  /// the largest of them or of the sum so far (found first, so that the loop of exponentials
  /// has no branch to rescale). The sum relative to its largest term is at least 1, and a term
  /// more than 50 below the largest is left out: it would add less than e⁻⁵⁰ = 2·10⁻²² of the
  /// sum, so that a million of them move it by less than 2·10⁻¹⁶, while in a posterior's
  /// tails, where most terms lie that far below the few that reach there, each would cost an
  /// exponential (and the C library's slow path where it is subnormal). The result is otherwise
  /// that of adding the terms one at a time, up to rounding.
  mutating func add(contentsOf terms: UnsafeBufferPointer<Double>) {
    var top = -Double.infinity
    for term in terms where term > top { top = term }
    guard top > -.infinity else {
      // Nothing but zeros, or NaN.
      if terms.contains(where: \.isNaN) { (largest, scaled) = (0, .nan) }
      return
    }
    if top > largest {
      scaled *= _exp(largest - top)
      largest = top
    }
    let reference = largest
    var sum = scaled
    for term in terms {
      let difference = term - reference
      // Written so that a NaN difference still reaches exp and makes the sum NaN.
      if !(difference <= -50) { sum += _exp(difference) }
    }
    scaled = sum
  }

  /// log Σ exp(ℓₖ) − log `divisor`: the log of the sum, or of the mean when `divisor` is the
  /// number of terms.
  func value(dividedBy divisor: Double = 1) -> Double {
    largest > -.infinity ? largest + _log(scaled / divisor) : -.infinity
  }
}
