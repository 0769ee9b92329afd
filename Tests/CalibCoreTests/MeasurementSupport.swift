import CalibCore
import Foundation
import Testing

/// Fits `spec` to a fixture file, with `noise` (nil: constant).
func fixtureInstrument(
  _ file: String, x: String, y: String, spec: String, sy: String? = nil, group: String? = nil,
  noise: NoiseModel? = nil
) throws -> InstrumentState {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(file)
  let reader = try CSVReader(
    source: MemoryByteSource([UInt8](try Data(contentsOf: url))), name: file)
  let data = try CalibrationData(
    reading: reader, predictors: [x], response: y, uncertainty: sy, group: group)
  return try ResponseModel(spec: spec, predictors: [x]).fit(
    to: data, noise: noise, provenance: testProvenance)
}

/// Fits `spec` to CSV text with columns x, y (and u when `sy`).
func textInstrument(_ text: String, spec: String, sy: String? = nil) throws -> InstrumentState {
  let data = try readCalibration(text, sy: sy)
  return try ResponseModel(spec: spec, predictors: ["x"]).fit(to: data, provenance: testProvenance)
}

/// An independent brute-force posterior over x: the predictive density of the readings
/// written out as a full m×m multivariate density (no Sherman–Morrison), integrated by
/// composite Simpson on a fine uniform grid over the prior range.
struct BruteForcePosterior {
  let xs: [Double]
  let density: [Double]
  let cumulative: [Double]
  let step: Double
  /// The unnormalized total: the cumulative integral at the last node.
  let mass: Double

  /// - Parameters:
  ///   - logLikelihood: log p(readings | x), computed independently by the test.
  ///   - intervals: Simpson intervals (even).
  /// - Throws: when the grid is empty, as an issue recorded on the calling test.
  init(
    range: ClosedRange<Double>, intervals: Int = 2_000_000, logLikelihood: (Double) -> Double
  ) throws {
    let h = (range.upperBound - range.lowerBound) / Double(intervals)
    step = h
    xs = (0...intervals).map { range.lowerBound + h * Double($0) }
    let logs = xs.map(logLikelihood)
    let peak = try #require(logs.max())
    density = logs.map { exp($0 - peak) }
    // Cumulative integral at every even node by Simpson, and at odd nodes by the
    // quadratic through the three nodes of its pair.
    var cumulative = [Double](repeating: 0, count: xs.count)
    var k = 0
    while k + 2 < xs.count {
      let (f0, f1, f2) = (density[k], density[k + 1], density[k + 2])
      cumulative[k + 1] = cumulative[k] + step / 12 * (5 * f0 + 8 * f1 - f2)
      cumulative[k + 2] = cumulative[k] + step / 3 * (f0 + 4 * f1 + f2)
      k += 2
    }
    self.cumulative = cumulative
    mass = try #require(cumulative.last)
  }

  var mean: Double { simpson { $0 } / mass }

  var sd: Double {
    let m = mean
    return (simpson { ($0 - m) * ($0 - m) } / mass).squareRoot()
  }

  private func simpson(_ g: (Double) -> Double) -> Double {
    var sum = 0.0
    var k = 0
    while k + 2 < xs.count {
      sum +=
        step / 3
        * (g(xs[k]) * density[k] + 4 * g(xs[k + 1]) * density[k + 1] + g(xs[k + 2]) * density[k + 2])
      k += 2
    }
    return sum
  }

  /// The q-quantile: the grid node below it, then one Newton step with the density.
  func quantile(_ q: Double) -> Double {
    let target = q * mass
    var lo = 0, hi = xs.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if cumulative[mid] <= target { lo = mid } else { hi = mid }
    }
    let slope = (density[hi] - density[lo]) / step
    let remainder = target - cumulative[lo]
    // Solve p0·t + slope·t²/2 = remainder for t in [0, step].
    let t =
      abs(slope) < 1e-300
      ? remainder / density[lo]
      : (-density[lo] + (density[lo] * density[lo] + 2 * slope * remainder).squareRoot()) / slope
    return xs[lo] + t
  }

  /// The mass between a and b, by the cumulative table and linear interpolation of p.
  func mass(from a: Double, to b: Double) -> Double { cdf(b) - cdf(a) }

  func cdf(_ x: Double) -> Double {
    let k = min(max(Int((x - xs[0]) / step), 0), xs.count - 2)
    let t = x - xs[k]
    let slope = (density[k + 1] - density[k]) / step
    return (cumulative[k] + density[k] * t + slope * t * t / 2) / mass
  }

  /// The relative density at x, interpolated.
  func relativeDensity(_ x: Double) -> Double {
    let k = min(max(Int((x - xs[0]) / step), 0), xs.count - 2)
    let t = (x - xs[k]) / step
    return density[k] * (1 - t) + density[k + 1] * t
  }
}

/// log of the multivariate normal density N(y; μ·1, Σ) with Σ given in full, by Cholesky.
func logNormalDensity(_ y: [Double], mean: Double, covariance: [[Double]]) -> Double {
  let m = y.count
  var l = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
  for i in 0..<m {
    for j in 0...i {
      var sum = covariance[i][j]
      for k in 0..<j { sum -= l[i][k] * l[j][k] }
      l[i][j] = i == j ? sum.squareRoot() : sum / l[j][j]
    }
  }
  var z = [Double](repeating: 0, count: m)
  for i in 0..<m {
    var sum = y[i] - mean
    for k in 0..<i { sum -= l[i][k] * z[k] }
    z[i] = sum / l[i][i]
  }
  let logDet = 2 * (0..<m).map { log(l[$0][$0]) }.reduce(0, +)
  return -0.5 * logDet - 0.5 * z.map { $0 * $0 }.reduce(0, +)
}

/// log of the multivariate t density t_ν(y; μ·1, Σ), Σ given in full, up to a constant.
func logStudentDensity(_ y: [Double], mean: Double, scale: [[Double]], dof nu: Double) -> Double {
  let m = Double(y.count)
  // Quadratic form and log-determinant through the normal density with the same Σ.
  let normal = logNormalDensity(y, mean: mean, covariance: scale)
  let unitNormal = logNormalDensity(
    [Double](repeating: 0, count: y.count), mean: 0, covariance: scale)
  let quadratic = -2 * (normal - unitNormal)
  let halfLogDet = -unitNormal
  return -halfLogDet - 0.5 * (nu + m) * log(1 + quadratic / nu)
}
