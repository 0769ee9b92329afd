import Foundation

/// A map from data values to page coordinates along one axis, linear or logarithmic, with the
/// tick values a reader expects (1, 2, 5 × 10ⁿ; or the decades of a log axis).
struct PlotScale {
  /// The data range shown, and the page range it spans (in SVG user units; a y axis runs
  /// downward, so its page range is given high to low).
  let lower: Double
  let upper: Double
  let start: Double
  let end: Double
  /// Whether values are placed by their logarithm.
  let logarithmic: Bool

  /// The page coordinate of `value` (a value ≤ 0 on a log axis is placed at its start).
  func place(_ value: Double) -> Double {
    if logarithmic {
      guard value > 0 else { return start }
      let t = (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
      return start + t * (end - start)
    }
    return start + (value - lower) / (upper - lower) * (end - start)
  }

  /// Tick values inside the range: about `count` round numbers on a linear axis, the powers of
  /// ten (and 2 and 5 times them when the range spans few decades) on a log axis.
  func ticks(count: Int = 6) -> [Double] {
    if logarithmic {
      let first = Int(floor(log10(lower))), last = Int(ceil(log10(upper)))
      let multipliers: [Double] = last - first <= 2 ? [1, 2, 5] : [1]
      var ticks: [Double] = []
      for e in first...last {
        let decade: Double = pow(10, Double(e))
        for multiplier in multipliers {
          let value = multiplier * decade
          if value >= lower * (1 - 1e-9) && value <= upper * (1 + 1e-9) { ticks.append(value) }
        }
      }
      return ticks
    }
    let step = tickStep(count: count)
    let first = ceil(lower / step)
    // Counted, not accumulated: a step below the spacing of doubles near the values (a range
    // far narrower than its magnitude) cannot stall the loop.
    let n = Int(min(floor(upper / step) - first, 100))
    guard n >= 0, step > 0, step.isFinite else { return [lower, upper] }
    return (0...n).map { k in
      let value = (first + Double(k)) * step
      return Swift.abs(value) < step * 1e-9 ? 0 : value
    }
  }

  /// The step between linear ticks: 1, 2 or 5 × 10ⁿ, about `count` of them across the range.
  func tickStep(count: Int = 6) -> Double {
    let raw = (upper - lower) / Double(max(count, 1))
    let magnitude = pow(10, floor(log10(raw)))
    return [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
  }

  /// A tick label with the significant digits that tell neighbouring ticks `step` apart (four
  /// at least), without trailing zeros.
  static func label(_ value: Double, step: Double? = nil) -> String {
    var digits = 4
    if let step, step > 0, value != 0 {
      let needed = Int(ceil(log10(Swift.abs(value) / step))) + 1
      digits = min(max(digits, needed), 17)
    }
    return String(format: "%.\(digits)g", value)
  }

  /// The range of `values` widened by `margin` of its width on each side (a tenth of the
  /// value, or 1, when they are all equal); on a log axis a factor instead, over the positive
  /// values.
  static func padded(
    _ values: [Double], logarithmic: Bool, margin: Double = 0.05
  ) -> (lower: Double, upper: Double) {
    let finite = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
    guard let low = finite.min(), let high = finite.max() else { return (0, 1) }
    if logarithmic {
      let ratio = high > low ? pow(high / low, margin) : 2
      return (low / ratio, high * ratio)
    }
    let width = high > low ? high - low : max(Swift.abs(high) * 0.1, 1)
    return (low - margin * width, high + margin * width)
  }
}
