import CalibCore
import Foundation
import Testing

/// Counting instruments: `--noise poisson` (issue 9, item 1), each reading Poisson with mean μ.
@Suite("Poisson counts")
struct PoissonNoiseTests {
  static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/counts-line.csv")

  static func instrument() throws -> InstrumentState {
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: file))), name: "counts-line.csv")
    let data = try CalibrationData(reading: reader, predictors: ["dose"], response: "counts")
    return try ResponseModel(spec: "line", predictors: ["dose"])
      .fit(to: data, noise: .poisson, provenance: testProvenance)
  }

  static func standards() throws -> (x: [Double], y: [Double]) {
    let rows = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").dropFirst()
    let pairs = rows.map { $0.split(separator: ",").compactMap { Double($0) } }
    return (pairs.map { $0[0] }, pairs.map { $0[1] })
  }

  /// log of the Poisson probability of `count` at mean `mu`, written out here.
  static func logPoisson(_ count: Double, _ mu: Double) -> Double {
    count * log(mu) - mu - lgamma(count + 1)
  }

  /// Reference: scipy 1.17.1 Nelder–Mead (restarted four times, xatol 1e-13) on
  /// Σ μ − y·log μ + log y!, μ = b0 + b1·x: b0 = 14.460134710449681, b1 = 8.241807600994697,
  /// log L = −44.346674937979316. 1e-5 of a standard error for the estimates (the optimum is
  /// flat to rounding), 1e-10 relative for log L.
  @Test("maximum likelihood of a line through Poisson counts matches scipy to 1e-5 se")
  func maximumLikelihood() throws {
    let state = try Self.instrument()
    let reference = [14.460134710449681, 8.241807600994697]
    for (j, parameter) in state.parameters.enumerated() {
      #expect(abs(parameter.estimate - reference[j]) <= 1e-5 * parameter.stdError)
    }
    let logL = try #require(state.fit.logLikelihood)
    #expect(abs(logL - -44.346674937979316) <= 1e-10 * 44.35)
    #expect(state.noise.model == .poisson && state.fit.dof == 12)
  }

  /// `--marginalize integration` with counts: p(x | y*) ∝ ∫ Poisson(y*; b0 + b1·x)·L(b0, b1)
  /// d b0 d b1. Reference: that integral written out here, a 40-point Gauss–Legendre product
  /// rule on the box θ̂ ± 7 standard errors (where μ > 0 at every standard) times Simpson's
  /// rule on 4000 intervals over the estimate ± 12 sd; 1e-4 of the posterior sd.
  @Test(
    "a count's posterior with the line integrated out matches brute force to 1e-4 sd",
    arguments: [30.0, 250.0])
  func integratedMeasurement(count: Double) throws {
    let state = try Self.instrument()
    let measurer = try Measurer(
      instrument: state, settings: MeasurementSettings(marginalization: .integration))
    let report = try measurer.measure(Observation(id: "c", readings: [count], line: 2))
    let (xs, ys) = try Self.standards()
    let (nodes, weights) = gaussLegendreRule(40)
    let center = state.parameters.map(\.estimate)
    let half = state.parameters.map { 7 * $0.stdError }
    var thetas: [[Double]] = [], logWeights: [Double] = []
    for i in 0..<40 {
      for j in 0..<40 {
        let theta = [center[0] + half[0] * nodes[i], center[1] + half[1] * nodes[j]]
        let logL = xs.indices.reduce(0.0) {
          $0 + Self.logPoisson(ys[$1], theta[0] + theta[1] * xs[$1])
        }
        guard logL.isFinite else { continue }
        thetas.append(theta)
        logWeights.append(log(half[0] * weights[i] * half[1] * weights[j]) + logL)
      }
    }
    let top = try #require(logWeights.max())
    let w = logWeights.map { exp($0 - top) }
    let sd = try #require(report.x.sd)
    let brute = try BruteForcePosterior(
      range: (report.x.estimate - 12 * sd)...(report.x.estimate + 12 * sd), intervals: 4000,
      logLikelihood: { x in
        var total = 0.0
        for (theta, weight) in zip(thetas, w) {
          let mu = theta[0] + theta[1] * x
          if mu > 0 { total += weight * exp(Self.logPoisson(count, mu)) }
        }
        return log(total)
      })
    #expect(abs(report.x.estimate - brute.quantile(0.5)) <= 1e-4 * sd)
    #expect(abs(sd - brute.sd) <= 1e-4 * sd)
  }

  @Test("a reading that is not a count is refused at its line and column")
  func notACount() throws {
    let reader = try CSVReader(
      source: MemoryByteSource(Array("x,y\n1,3\n2,4.5\n3,7\n4,9\n".utf8)), name: "c.csv")
    let data = try CalibrationData(reading: reader, predictors: ["x"], response: "y")
    let error = #expect(throws: InputError.self) {
      try ResponseModel(spec: "line", predictors: ["x"])
        .fit(to: data, noise: .poisson, provenance: testProvenance)
    }
    #expect(error?.line == 3 && error?.column == 3)
    // Measured, a reading that is not a count fails its observation, with the reason.
    let measurer = try Measurer(instrument: try Self.instrument(), settings: MeasurementSettings())
    for reading in [-3.0, 2.5] {
      #expect(throws: MeasurementError.notACount(observation: "r", reading: reading)) {
        try measurer.measure(Observation(id: "r", readings: [reading], line: 2))
      }
    }
  }

  /// Counts whose least-squares line is negative at a standard (x = 0): scoring starts from
  /// the flat line at the mean count instead. Reference: scipy 1.17 Nelder–Mead on the same
  /// Poisson −log L (xatol 1e-13), b0 = 0.40507632, b1 = 3.65695419, log L = −11.02789638;
  /// 1e-5 standard errors, log L to 1e-7.
  @Test("counts whose least-squares line dips below zero are fitted from a flat start")
  func flatStart() throws {
    let reader = try CSVReader(
      source: MemoryByteSource(Array("x,y\n0,0\n0,1\n1,1\n2,9\n3,12\n4,16\n".utf8)),
      name: "c.csv")
    let data = try CalibrationData(reading: reader, predictors: ["x"], response: "y")
    let state = try ResponseModel(spec: "line", predictors: ["x"])
      .fit(to: data, noise: .poisson, provenance: testProvenance)
    for (parameter, reference) in zip(state.parameters, [0.40507632, 3.65695419]) {
      #expect(abs(parameter.estimate - reference) <= 1e-5 * parameter.stdError, "\(parameter)")
    }
    #expect(abs(try #require(state.fit.logLikelihood) - -11.02789638) <= 1e-7)
  }

  /// Counts of 1 and 2 where the fitted mean is near 0.7: the expected information is far from
  /// the observed one there, and scoring alone oscillates about the optimum for hundreds of
  /// steps; the fit finishes with Newton's steps. Reference: scipy 1.17 BFGS with the exact
  /// gradient (gtol 1e-13) on the Poisson −log L, b0 = 0.68886840, b1 = 2.81799625,
  /// log L = −39.09935828, standard errors from the observed information 0.39093776,
  /// 0.28037352; estimates to 1e-6 standard errors, log L to 1e-8, standard errors to 1e-6.
  @Test("steep counts near a mean of 1 converge (Newton's steps after scoring)")
  func steepCounts() throws {
    let counts = [
      (0, 1), (0, 2), (1, 1), (1, 2), (2, 2), (2, 3), (3, 4), (3, 5), (4, 9), (4, 10),
      (5, 16), (5, 18), (6, 26), (6, 29),
    ]
    let text = "x,n\n" + counts.map { "\($0.0),\($0.1)\n" }.joined()
    let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), name: "c.csv")
    let data = try CalibrationData(reading: reader, predictors: ["x"], response: "n")
    let state = try ResponseModel(spec: "line", predictors: ["x"])
      .fit(to: data, noise: .poisson, provenance: testProvenance)
    let references = [(0.68886840, 0.39093776), (2.81799625, 0.28037352)]
    try #require(state.parameters.count == references.count)
    for (parameter, reference) in zip(state.parameters, references) {
      #expect(abs(parameter.estimate - reference.0) <= 1e-6 * reference.1, "\(parameter)")
      #expect(abs(parameter.stdError - reference.1) <= 1e-6 * reference.1, "\(parameter)")
    }
    #expect(abs(try #require(state.fit.logLikelihood) - -39.09935828) <= 1e-8)
  }
}

/// Gauss–Legendre nodes and weights on [−1, 1]: the roots of Pₙ by Newton's method from
/// cos(π(i − ¼)/(n + ½)), weights 2/((1 − x²)·Pₙ′(x)²) (Abramowitz and Stegun 25.4.29).
func gaussLegendreRule(_ n: Int) -> (nodes: [Double], weights: [Double]) {
  var nodes: [Double] = [], weights: [Double] = []
  for i in 1...n {
    var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
    var derivative = 1.0
    for _ in 0..<100 {
      var p0 = 1.0, p1 = x
      for k in stride(from: 2, through: n, by: 1) {
        let p2 = (Double(2 * k - 1) * x * p1 - Double(k - 1) * p0) / Double(k)
        p0 = p1
        p1 = p2
      }
      derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
      let step = p1 / derivative
      x -= step
      if abs(step) < 1e-16 { break }
    }
    nodes.append(x)
    weights.append(2 / ((1 - x * x) * derivative * derivative))
  }
  return (nodes, weights)
}
