import CalibCore
import Foundation
import Testing

/// A noise whose σ varies with the response (issue 9, items 1 and 2): the joint maximum
/// likelihood fit, its covariance, and measurement with σ(μ(x)).
@Suite("Noise that varies with the response")
struct NoiseModelTests {
  /// Fixtures/heteroscedastic-line.csv fitted with `noise`.
  static func instrument(_ noise: NoiseModel) throws -> InstrumentState {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/heteroscedastic-line.csv")
    let bytes = [UInt8](try Data(contentsOf: url))
    let reader = try CSVReader(source: MemoryByteSource(bytes), name: "heteroscedastic-line.csv")
    let data = try CalibrationData(reading: reader, predictors: ["conc"], response: "signal")
    return try ResponseModel(spec: "line", predictors: ["conc"])
      .fit(to: data, noise: noise, provenance: testProvenance)
  }

  /// The standards, read independently of calib.
  static func standards() throws -> (x: [Double], y: [Double]) {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/heteroscedastic-line.csv")
    let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
    let pairs = rows.map { $0.split(separator: ",").compactMap { Double($0) } }
    return (pairs.map { $0[0] }, pairs.map { $0[1] })
  }

  /// −log L of normal noise with σ(μ; η), written out here: Σ log σᵢ + rᵢ²/(2σᵢ²).
  static func negativeLog(_ t: [Double], _ noise: NoiseModel, x: [Double], y: [Double]) -> Double {
    var total = 0.0
    for i in x.indices {
      let mu = t[0] + t[1] * x[i]
      let sigma: Double
      switch noise {
      case .proportional: sigma = t[2] * abs(mu)
      case .linear: sigma = t[2] + t[3] * abs(mu)
      default: sigma = t[2] * pow(abs(mu), t[3])
      }
      total += log(sigma) + (y[i] - mu) * (y[i] - mu) / (2 * sigma * sigma)
    }
    return total
  }

  static func all(_ state: InstrumentState) throws -> [ParameterEstimate] {
    state.parameters + (try #require(state.noise.parameters))
  }

  /// Reference: scipy 1.17.1 `minimize` of the same −log L, Nelder–Mead restarted four
  /// times (xatol 1e-13, fatol 1e-15), then BFGS (gtol 1e-12), which moved no digit:
  ///
  ///     mu = b0 + b1*x; s = s0 + s1*abs(mu)   # or s1*abs(mu), s0*abs(mu)**k
  ///     nll = sum(log(s) + (y - mu)**2 / (2*s**2))
  ///
  /// Both optimizers stop where −log L is flat to rounding (about 1e-15 of its value), which
  /// leaves the parameters uncertain by about 1e-7 of their standard errors: 1e-5 of a
  /// standard error is the tolerance.
  @Test(
    "joint maximum likelihood of line and noise matches scipy's optimum to 1e-5 standard errors",
    arguments: [
      (
        NoiseModel.linear,
        [
          0.20418719478206285, 1.4908574704144106, -0.019696282536906945,
          0.0423890986679423,
        ]
      ),
      (.proportional, [0.20680147892306686, 1.4893164554190554, 0.03661888408729323]),
      (
        .power,
        [
          0.2005624473313662, 1.4964111306588503, 0.027663641640407202,
          1.1382563735204805,
        ]
      ),
    ])
  func maximumLikelihood(noise: NoiseModel, reference: [Double]) throws {
    let state = try Self.instrument(noise)
    let estimates = try Self.all(state)
    try #require(estimates.count == reference.count)
    for (j, parameter) in estimates.enumerated() {
      #expect(
        abs(parameter.estimate - reference[j]) <= 1e-5 * parameter.stdError,
        "\(parameter.name): \(parameter.estimate) against \(reference[j])")
    }
    #expect(state.noise.parameters?.map(\.name) == noise.parameterNames)
    #expect(state.fit.dof == 21 - reference.count)
    // At the maximum with a free overall scale of σ (linear, proportional), Σ(r/σ)² = n.
    if noise != .power { #expect(abs((state.fit.chi2 ?? 0) - 21) <= 1e-6) }
  }

  /// The covariance is the inverse Hessian of −log L at the optimum. Reference: the Hessian
  /// of the −log L written out above, by central second differences (steps 1e-4 of each
  /// standard error, truncation error about 1e-8 relative), inverted by Gauss–Jordan here.
  /// calib differentiates its exact gradient once instead: 1e-4 relative on the standard
  /// errors holds both methods' truncation and rounding.
  @Test(
    "standard errors are the inverse Hessian of −log L by second differences, to 1e-4",
    arguments: [NoiseModel.linear, .proportional, .power])
  func standardErrors(noise: NoiseModel) throws {
    let state = try Self.instrument(noise)
    let (x, y) = try Self.standards()
    let estimates = try Self.all(state)
    let theta = estimates.map(\.estimate)
    let steps = estimates.map { 1e-4 * $0.stdError }
    let k = theta.count
    func f(_ t: [Double]) -> Double { Self.negativeLog(t, noise, x: x, y: y) }
    var hessian = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for i in 0..<k {
      for j in 0..<k {
        func at(_ di: Double, _ dj: Double) -> Double {
          var t = theta
          t[i] += di * steps[i]
          t[j] += dj * steps[j]
          return f(t)
        }
        hessian[i][j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * steps[i] * steps[j])
      }
    }
    let inverse = try #require(gaussJordanInverse(hessian))
    for j in 0..<k {
      let reference = inverse[j][j].squareRoot()
      #expect(
        abs(estimates[j].stdError - reference) <= 1e-4 * reference,
        "\(estimates[j].name): \(estimates[j].stdError) against \(reference)")
    }
    let joint = try #require(state.noise.jointCovariance)
    #expect(abs(joint[0][1] - inverse[0][1]) <= 1e-4 * (inverse[0][0] * inverse[1][1]).squareRoot())
  }

  /// The linearized posterior of a straight line with `linear` noise, written out here for
  /// standards at `standards`: p(x | y*) ∝ t_ν(y*; μ(x), c·σ(μ(x))² + g(x)ᵀC g(x)) with
  /// ν = n − 4, c = n/ν, σ = s0 + s1·max(|μ|, |μ̂|min), by Simpson's rule on `range`.
  static func linearizedBruteForce(
    _ state: InstrumentState, standards: [Double], reading: Double, range: ClosedRange<Double>
  ) throws -> BruteForcePosterior {
    let a = state.posterior.location
    let c = state.covariance
    let eta = try #require(state.noise.parameters).map(\.estimate)
    let lowest = try #require(standards.map { abs(a[0] + a[1] * $0) }.min())
    let n = Double(standards.count)
    let nu = n - 4
    return try BruteForcePosterior(
      range: range,
      logLikelihood: { x in
        let mu = a[0] + a[1] * x
        let sigma = eta[0] + eta[1] * max(abs(mu), lowest)
        let h = c[0][0] + 2 * x * c[0][1] + x * x * c[1][1]
        let v = n / nu * sigma * sigma + h
        return -0.5 * log(v) - 0.5 * (nu + 1) * log(1 + (reading - mu) * (reading - mu) / (nu * v))
      })
  }

  /// The linearized measurement uses σ(μ(x)) at the estimated noise parameters, inflated by
  /// c = n/ν against the maximum-likelihood bias, on ν = n − p − q degrees of freedom, and the
  /// leverage of the line's parameters: p(x | y*) ∝ t_ν(y*; μ(x), c·σ(μ(x))² + g(x)ᵀC g(x)) on
  /// the prior range, σ held at its value at the smallest |μ̂| of the standards below it.
  /// Reference: that density written out here and integrated by Simpson's rule on 2·10⁶
  /// intervals (`BruteForcePosterior`); 1e-6 of the posterior sd.
  @Test(
    "a reading's linearized posterior with σ(μ(x)) matches brute force to 1e-6 sd",
    arguments: [0.95, 12.3, 47.0])
  func linearizedMeasurement(reading: Double) throws {
    let state = try Self.instrument(.linear)
    let measurer = try Measurer(
      instrument: state, settings: MeasurementSettings(marginalization: .linearized))
    let report = try measurer.measure(Observation(id: "r", readings: [reading], line: 2))
    let brute = try Self.linearizedBruteForce(
      state, standards: try Self.standards().x, reading: reading, range: measurer.priorRange)
    let sd = try #require(report.x.sd)
    #expect(abs(report.x.estimate - brute.quantile(0.5)) <= 1e-6 * sd)
    #expect(abs(sd - brute.sd) <= 1e-6 * sd)
    #expect(report.x.predictive == .linearized)
  }

  /// A linear noise whose fitted s0 is negative: the line of σ reaches 0 at |μ| = −s0/s1,
  /// above 0, and a reading there would have no σ. Below the standards σ keeps its value at the
  /// lowest standard (s0 + s1·|μ̂|min), so a reading below them measures as the line says,
  /// `extrapolated`. Standards simulated with σ = 0.03·μ − 0.1 (s0 = −0.130 ± 0.036 fitted).
  /// Reference: the linearized density with that σ written out here, by Simpson's rule
  /// (`BruteForcePosterior`), 1e-6 sd; and the integrated posterior's median within a tenth of
  /// its sd of (y − b0)/b1 (the line read back; the integrated sd is 0.04 here).
  @Test(
    "a linear noise with s0 < 0 keeps σ at the lowest standard's below the standards",
    arguments: [1.0, 3.0])
  func negativeNoiseIntercept(reading: Double) throws {
    let text =
      "x,y\n2,4.9599\n2,4.9338\n2,4.9876\n4,9.0715\n4,9.1931\n4,9.0187\n6,12.8397\n"
      + "6,12.7724\n6,13.2171\n8,17.6703\n8,17.1118\n8,16.4943\n10,20.4921\n10,21.8480\n"
      + "10,21.1075\n"
    let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), name: "s.csv")
    let data = try CalibrationData(reading: reader, predictors: ["x"], response: "y")
    let state = try ResponseModel(spec: "line", predictors: ["x"])
      .fit(to: data, noise: .linear, provenance: testProvenance)
    let a = state.posterior.location
    let eta = try #require(state.noise.parameters).map(\.estimate)
    try #require(eta[0] < 0 && eta[0] + eta[1] * reading < 0)
    let measurer = try Measurer(
      instrument: state, settings: MeasurementSettings(marginalization: .linearized))
    let report = try measurer.measure(Observation(id: "r", readings: [reading], line: 2))
    let standards = [2.0, 2, 2, 4, 4, 4, 6, 6, 6, 8, 8, 8, 10, 10, 10]
    let brute = try Self.linearizedBruteForce(
      state, standards: standards, reading: reading, range: measurer.priorRange)
    let sd = try #require(report.x.sd)
    #expect(abs(report.x.estimate - brute.quantile(0.5)) <= 1e-6 * sd)
    #expect(abs(sd - brute.sd) <= 1e-6 * sd)
    #expect(report.coverage.status == .extrapolated)
    let integrated = try Measurer(
      instrument: state, settings: MeasurementSettings(marginalization: .integration)
    ).measure(Observation(id: "r", readings: [reading], line: 2))
    let integratedSD = try #require(integrated.x.sd)
    #expect(abs(integrated.x.estimate - (reading - a[0]) / a[1]) <= 0.1 * integratedSD)
    #expect(integrated.coverage.status == .extrapolated)
  }

  /// `--marginalize integration` integrates out all the parameters, the noise's included:
  /// p(x | y*) ∝ ∫ N(y*; b0 + b1·x, σ(μ; η)²) exp(−L(θ)) dθ over θ = (b0, b1, η).
  /// Reference: that integral by brute force in numpy (Tests/Reference/noise/
  /// brute_force_posterior.py): a Gauss–Legendre product rule of 48 points per axis on the box
  /// ±8 sd (proportional) or ±12 sd (linear: its posterior reaches beyond 8 sd in log σ) of
  /// the Laplace posterior in (b0, b1, log σ) coordinates, times Simpson's rule on 4000
  /// intervals over x on a range of ±11 sd or more; 32 points per axis change the
  /// proportional figures by less than 1e-6 sd, and 56 points the linear ones by less than
  /// 2e-6 sd. The linear noise's posterior has t-like tails, so its sd depends on the range:
  /// calib and the reference both take x in [3, 14] there. Tolerance 1e-4 sd (calib's
  /// 20-point rule is within 1e-5 sd with three parameters, its adaptive 14-point rule within
  /// 7e-5 sd with four).
  @Test(
    "a posterior with the noise parameters integrated out matches brute force to 1e-4 sd",
    arguments: [
      (NoiseModel.proportional, 1.1, [0.60069782, 0.03417005, 0.5376317, 0.6729449], nil),
      (.proportional, 47.0, [31.48322820, 1.39889597, 28.9656740, 34.4987808], nil),
      (.linear, 12.3, [8.14172286, 0.40165409, 7.4270873, 9.0184561], 3.0...14.0),
    ] as [(NoiseModel, Double, [Double], ClosedRange<Double>?)])
  func integratedMeasurement(
    noise: NoiseModel, reading: Double, reference: [Double], range: ClosedRange<Double>?
  ) throws {
    let tolerance = 1e-4
    let state = try Self.instrument(noise)
    let measurer = try Measurer(
      instrument: state,
      settings: MeasurementSettings(
        range: range.map { ClosedRangeRecord(lower: $0.lowerBound, upper: $0.upperBound) },
        marginalization: .integration))
    let report = try measurer.measure(Observation(id: "r", readings: [reading], line: 2))
    #expect(report.x.predictive == .integration)
    let sd = try #require(report.x.sd)
    let lower = try #require(report.x.interval.lower)
    let upper = try #require(report.x.interval.upper)
    // The references carry 7 or 8 significant digits: half a unit of the last is within the
    // tolerance.
    #expect(abs(report.x.estimate - reference[0]) <= tolerance * sd)
    #expect(abs(sd - reference[1]) <= tolerance * sd)
    #expect(abs(lower - reference[2]) <= tolerance * sd)
    #expect(abs(upper - reference[3]) <= tolerance * sd)
  }

  /// The point of a noise model: low readings, where the noise is small, are measured more
  /// precisely than a constant σ says, and high ones less. The posterior sd with linear noise
  /// against the constant-noise fit of the same standards, at a low and a high reading.
  @Test("with σ growing with the response, low readings are narrower and high ones wider")
  func precisionFollowsTheNoise() throws {
    func sd(_ state: InstrumentState, _ reading: Double) throws -> Double {
      let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
      let report = try measurer.measure(Observation(id: "r", readings: [reading], line: 2))
      return try #require(report.x.sd)
    }
    let varying = try Self.instrument(.linear)
    let constant = try Self.instrument(.constant)
    #expect(try sd(varying, 1.0) < 0.2 * sd(constant, 1.0))
    #expect(try sd(varying, 47.0) > 1.5 * sd(constant, 47.0))
  }

  /// Which noise model? Reference for the test: statsmodels 0.14 `het_breuschpagan(e,
  /// [1, |μ̂|], robust=True)` (Koenker's studentized form) on the constant-noise least-squares
  /// residuals of the fixture, LM = 8.97941734736005, p = 0.0027303769856279582; 1e-10
  /// relative (both are a few sums over 21 residuals).
  @Test("the Breusch–Pagan test of a constant noise matches statsmodels to 1e-10")
  func breuschPagan() throws {
    let state = try Self.instrument(.constant)
    let test = try #require(state.fit.heteroscedasticity)
    #expect(abs(test.statistic - 8.97941734736005) <= 1e-10 * 8.97941734736005)
    #expect(abs(test.pValue - 0.0027303769856279582) <= 1e-10 * 0.0027303769856279582)
    #expect(test.slope > 0)
    #expect(try Self.instrument(.linear).fit.heteroscedasticity == nil)
  }

  /// log L, AIC and BIC against their closed forms computed here from the standards: with σ
  /// constant, −n/2·(log(2π·RSS/n) + 1) with the least-squares RSS; with σ varying, the −log L
  /// written out above at calib's estimates; k = p + 1 and p + q. 1e-12 relative. The noise
  /// the data were simulated with is preferred by both criteria.
  /// R², too, is the fit's own: 1 − Σwᵢrᵢ²/Σwᵢ(yᵢ − ȳ_w)² with wᵢ = 1/σ̂ᵢ² at the
  /// maximum-likelihood estimates, written out here; 1e-12.
  @Test(
    "log-likelihood, AIC, BIC and weighted R² follow their closed forms to 1e-12, and prefer a varying σ"
  )
  func informationCriteria() throws {
    let (x, y) = try Self.standards()
    let n = Double(x.count)
    let constant = try Self.instrument(.constant)
    let a = constant.posterior.location
    let rss = x.indices.reduce(0.0) { $0 + pow(y[$1] - a[0] - a[1] * x[$1], 2) }
    let logL = -n / 2 * (log(2 * Double.pi * rss / n) + 1)
    let constantAIC = try #require(constant.fit.aic)
    #expect(abs(try #require(constant.fit.logLikelihood) - logL) <= 1e-12 * abs(logL))
    #expect(abs(constantAIC - (6 - 2 * logL)) <= 1e-12 * abs(constantAIC))
    #expect(abs(try #require(constant.fit.bic) - (3 * log(n) - 2 * logL)) <= 1e-12 * abs(logL))
    for noise in [NoiseModel.proportional, .linear, .power] {
      let state = try Self.instrument(noise)
      let theta = try Self.all(state).map(\.estimate)
      let k = Double(theta.count)
      let reference = -Self.negativeLog(theta, noise, x: x, y: y) - n / 2 * log(2 * Double.pi)
      let aic = try #require(state.fit.aic)
      #expect(abs(try #require(state.fit.logLikelihood) - reference) <= 1e-12 * abs(reference))
      #expect(abs(aic - (2 * k - 2 * reference)) <= 1e-12 * max(1, abs(aic)))
      #expect(aic < constantAIC - 30)
      let mu = x.map { theta[0] + theta[1] * $0 }
      let w = mu.map { m in
        let s: Double =
          switch noise {
          case .proportional: theta[2] * abs(m)
          case .linear: theta[2] + theta[3] * abs(m)
          default: theta[2] * pow(abs(m), theta[3])
          }
        return 1 / (s * s)
      }
      let mean = zip(w, y).map(*).reduce(0, +) / w.reduce(0, +)
      let tss = zip(w, y).map { $0 * ($1 - mean) * ($1 - mean) }.reduce(0, +)
      let wrss = x.indices.map { w[$0] * pow(y[$0] - mu[$0], 2) }.reduce(0, +)
      let r2 = try #require(state.fit.rSquared)
      #expect(abs(r2 - (1 - wrss / tss)) <= 1e-12, "\(noise)")
    }
  }

  /// The coverage check measures the distance to the nearest standard in the metric of the
  /// noise, ∫|μ′|/σ(μ) dx. Reference: for σ = s1·μ on a rising line it is the closed form
  /// |log(μ(x̂)/μ(x_s))|/s1; 1e-8 relative (Simpson's rule on 256 intervals of a smooth
  /// logarithm is exact to about 1e-11).
  @Test("the nearest standard's distance is the noise-metric length, closed form to 1e-8")
  func noiseMetricDistance() throws {
    let state = try Self.instrument(.proportional)
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    let report = try measurer.measure(Observation(id: "r", readings: [12.3], line: 2))
    let a = state.posterior.location
    let s1 = try #require(state.noise.parameters?.first?.estimate)
    let support = report.coverage.support
    let nearest = support.nearestStandard
    let distance = try #require(support.nearestDistance)
    let reference = abs(log((a[0] + a[1] * report.x.estimate) / (a[0] + a[1] * nearest))) / s1
    #expect(abs(distance - reference) <= 1e-8 * reference)
  }

  /// Eight standards cannot fix a Michaelis–Menten curve and a linear noise (six parameters):
  /// the curve passes through a standard where σ = s0 + s1·|μ| is driven to 0, and the
  /// likelihood grows without bound (scipy's Nelder–Mead ends at σ ≈ 0 at the top standard
  /// from every start). The fit says so instead of returning an estimate.
  @Test("a noise model the standards cannot fix is refused, saying that σ collapses")
  func collapsingNoise() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/saturating-detector.csv")
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))), name: "detector.csv")
    let data = try CalibrationData(reading: reader, predictors: ["dose"], response: "counts")
    #expect(throws: FitError.noiseCollapses(noise: "linear")) {
      try ResponseModel(spec: "mm", predictors: ["dose"])
        .fit(to: data, noise: .linear, provenance: testProvenance)
    }
  }

  @Test(
    "an instrument file with a varying noise round-trips; one without its covariance is refused")
  func instrumentFile() throws {
    let state = try Self.instrument(.power)
    let bytes = try InstrumentFile.encode(state)
    #expect(try InstrumentFile.decode(bytes, name: "i.json").state == state)
    var broken = state
    broken.noise.jointCovariance = nil
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(try InstrumentFile.encode(broken), name: "i.json")
    }
    #expect(error?.message.hasPrefix("$.noise.joint_covariance") == true)
  }
}

/// The inverse of a small square matrix by Gauss–Jordan elimination with partial pivoting;
/// nil when it is singular.
func gaussJordanInverse(_ matrix: [[Double]]) -> [[Double]]? {
  let k = matrix.count
  var a = matrix.enumerated().map { i, row in
    row + (0..<k).map { $0 == i ? 1.0 : 0.0 }
  }
  for column in 0..<k {
    guard
      let pivot = (column..<k).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }),
      a[pivot][column] != 0
    else { return nil }
    a.swapAt(column, pivot)
    let scale = a[column][column]
    a[column] = a[column].map { $0 / scale }
    for row in 0..<k where row != column {
      let factor = a[row][column]
      a[row] = zip(a[row], a[column]).map { $0 - factor * $1 }
    }
  }
  return a.map { Array($0[k...]) }
}
