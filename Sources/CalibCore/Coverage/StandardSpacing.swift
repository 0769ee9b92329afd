/// How far apart the standards lie, for the support rule of the coverage check: in x for an
/// evenly spaced design, in log x for a geometric one (dilution series, immunoassays).
///
/// The design is taken as geometric when the positive standards (at least 3) span at least a
/// factor of 20 and their gaps vary less in log x than in x (a smaller coefficient of
/// variation), and every other standard is a blank at x = 0 (every plate has one; it has no
/// place in log x, and reaches the lowest positive standards). The typical step is the span over the number of gaps,
/// in x or in log x. A point's reach is 1.25 steps either side of it: a design whose gaps vary
/// by up to a quarter around their mean still reaches two standards from every point between
/// them, and a gap wider than 2.5 steps leaves its middle with none.
struct StandardSpacing {
  /// The distinct standard values of x, increasing.
  let distinct: [Double]
  /// Whether steps are taken in log x.
  let logarithmic: Bool
  /// The typical step, in x or in log x.
  let step: Double
  /// The reach either side of a point, in steps.
  static let reachInSteps = 1.25

  init(standards: [Double]) {
    let distinct = Array(Set(standards)).sorted()
    self.distinct = distinct
    let positive = distinct.filter { $0 > 0 }
    let blankOnly = distinct.count - positive.count <= 1 && (distinct.first ?? 0) >= 0
    var logarithmic = false
    if positive.count >= 3, blankOnly, let first = positive.first, let last = positive.last,
      last / first >= 20
    {
      let gaps = zip(positive.dropFirst(), positive).map { $0 - $1 }
      let logGaps = zip(positive.dropFirst(), positive).map { _log($0 / $1) }
      logarithmic = StandardSpacing.variation(logGaps) < StandardSpacing.variation(gaps)
    }
    self.logarithmic = logarithmic
    let span = (distinct.last ?? 0) - (distinct.first ?? 0)
    if logarithmic, let first = positive.first, let last = positive.last {
      step = _log(last / first) / Double(positive.count - 1)
    } else if distinct.count < 2 {
      step = max(span, 1)
    } else {
      step = span / Double(distinct.count - 1)
    }
  }

  /// The points within reach of x (in log x for a geometric design). The blank and the lowest
  /// positive standard are neighbours: x = 0 reaches up to the reach of the lowest positive
  /// standard, and an x within that reaches down to 0 and at least as far up; x < 0 reaches
  /// only itself.
  func reach(of x: Double) -> ClosedRange<Double> {
    let r = StandardSpacing.reachInSteps * step
    guard logarithmic else { return (x - r)...(x + r) }
    let blankReach =
      distinct.first == 0 ? distinct.first(where: { $0 > 0 }).map { $0 * _exp(r) } : nil
    if x > 0 {
      guard let blankReach, x <= blankReach else { return (x * _exp(-r))...(x * _exp(r)) }
      return 0...max(x * _exp(r), blankReach)
    }
    guard x == 0, let blankReach else { return x...x }
    return 0...blankReach
  }

  /// The distinct standards in `range`, allowing for rounding at its ends.
  func count(in range: ClosedRange<Double>) -> Int {
    let slack = 1e-12 * max(Swift.abs(range.lowerBound), Swift.abs(range.upperBound), 1)
    return distinct.filter { $0 >= range.lowerBound - slack && $0 <= range.upperBound + slack }
      .count
  }

  /// Where the number of standards within reach changes: the reach either side of each.
  var breakpoints: [Double] {
    let r = StandardSpacing.reachInSteps * step
    return distinct.flatMap { logarithmic ? [$0 * _exp(-r), $0 * _exp(r)] : [$0 - r, $0 + r] }
  }

  /// Standard deviation over mean of positive gaps.
  private static func variation(_ values: [Double]) -> Double {
    let mean = values.reduce(0, +) / Double(values.count)
    guard mean > 0 else { return .infinity }
    let variance = values.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return variance.squareRoot() / mean
  }
}
