/// Self-starting values for the nonlinear families, from the standards alone, so that
/// `--start` is not needed (docs/nonlinear-fit.md). Each guess comes from a linearization of
/// the family that ordinary least squares can solve; the trust-region fit takes it from there.
enum StartingValues {
  /// The guesses for `family`, by parameter name, or nil for the linear families.
  static func guess(_ family: ModelFamily, x: [Double], y: [Double]) -> [String: Double]? {
    let order = x.indices.sorted { x[$0] < x[$1] }
    let xs = order.map { x[$0] }, ys = order.map { y[$0] }
    guard let first = ys.first, let last = ys.last, let yMin = ys.min(), let yMax = ys.max() else {
      return nil
    }
    let span = max(yMax - yMin, Swift.abs(yMax) * 1e-6, 1e-300)
    switch family {
    case .polynomial, .logarithmic:
      return nil
    case .exponential:
      // y = b0 + b1·exp(b2·x): with b0 just beyond the flat end, log|y − b0| is linear in x.
      let rising =
        Swift.abs(last - first) > 0 && (last - first) * (ys[ys.count / 2] - first) > 0
        && Swift.abs(ys[ys.count / 2] - first) < Swift.abs(last - ys[ys.count / 2])
      let increasing = last > first
      let b0 =
        rising
        ? (increasing ? yMin - 0.1 * span : yMax + 0.1 * span)
        : (increasing ? yMax + 0.1 * span : yMin - 0.1 * span)
      let sign: Double = (ys.map { $0 - b0 }.reduce(0, +)) >= 0 ? 1 : -1
      let (intercept, slope) = line(xs, ys.map { _log(Swift.max(sign * ($0 - b0), 1e-300)) })
      return ["b0": b0, "b1": sign * _exp(intercept), "b2": slope]
    case .power:
      // y = b0 + b1·x^b2 on x > 0: log|y − b0| is linear in log x.
      let positive = xs.indices.filter { xs[$0] > 0 }
      let increasing = last > first
      let b0 = increasing ? yMin - 0.1 * span : yMax + 0.1 * span
      let sign: Double = increasing ? 1 : -1
      let (intercept, slope) = line(
        positive.map { _log(xs[$0]) },
        positive.map { _log(Swift.max(sign * (ys[$0] - b0), 1e-300)) })
      return ["b0": b0, "b1": sign * _exp(intercept), "b2": slope]
    case .fourParameterLogistic, .fiveParameterLogistic:
      // a at x → 0, d at x → ∞, just beyond the mean readings at the lowest x (the blank's
      // replicates, when there is a blank) and at the highest; c where the curve is halfway;
      // b from the logit, log((a − y)/(y − d)) = b·log x − b·log c, over the x > 0.
      func meanReading(at x0: Double) -> Double {
        let at = xs.indices.filter { xs[$0] == x0 }.map { ys[$0] }
        return at.reduce(0, +) / Double(at.count)
      }
      let low = meanReading(at: xs[0]), high = meanReading(at: xs[xs.count - 1])
      let a = low + (low > high ? 0.05 : -0.05) * span
      let d = high + (high > low ? 0.05 : -0.05) * span
      let half = 0.5 * (a + d)
      var c = xs[xs.count / 2]
      for k in 1..<xs.count where (ys[k - 1] - half) * (ys[k] - half) <= 0 && xs[k] > 0 {
        let t = ys[k] != ys[k - 1] ? (half - ys[k - 1]) / (ys[k] - ys[k - 1]) : 0.5
        // Between a blank and the first x > 0 there is no log scale: interpolate linearly.
        c =
          xs[k - 1] > 0
          ? _exp(_log(xs[k - 1]) + t * (_log(xs[k]) - _log(xs[k - 1])))
          : xs[k - 1] + t * (xs[k] - xs[k - 1])
        break
      }
      let inner = xs.indices.filter { xs[$0] > 0 && (ys[$0] - a) * (ys[$0] - d) < 0 }
      var b = 1.0
      if inner.count >= 2 {
        let (_, slope) = line(
          inner.map { _log(xs[$0]) }, inner.map { _log((a - ys[$0]) / (ys[$0] - d)) })
        if slope.isFinite, slope != 0 { b = slope }
      }
      var guess = ["a": a, "b": b, "c": c > 0 ? c : 1, "d": d]
      if family == .fiveParameterLogistic { guess["g"] = 1 }
      return guess
    case .michaelisMenten:
      // y = vmax·x/(km + x): Hanes–Woolf, x/y = km/vmax + x/vmax.
      let usable = xs.indices.filter { xs[$0] > 0 && ys[$0] != 0 }
      let (intercept, slope) = line(usable.map { xs[$0] }, usable.map { xs[$0] / ys[$0] })
      let vmax = slope != 0 && slope.isFinite ? 1 / slope : yMax
      let km = intercept * vmax
      return ["vmax": vmax, "km": km > 0 ? km : xs[xs.count / 2]]
    }
  }

  /// Ordinary least-squares line through (x, y): (intercept, slope).
  private static func line(_ x: [Double], _ y: [Double]) -> (Double, Double) {
    let n = Double(x.count)
    guard n >= 2 else { return (y.first ?? 0, 0) }
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0
    for k in x.indices {
      sxy += (x[k] - mx) * (y[k] - my)
      sxx += (x[k] - mx) * (x[k] - mx)
    }
    let slope = sxx > 0 ? sxy / sxx : 0
    return (my - slope * mx, slope)
  }
}
