import CalibCore
import Foundation
import Testing

/// A standard at x = 0 (the blank of an immunoassay plate): powers of x take their limits
/// there, fits agree with R's `nls`, and measurement reaches down to x = 0 (issue 7, item 4).
@Suite("Standards at x = 0")
struct ZeroStandardTests {
  /// The `power` data: y = 1 + 2·x^0.7 + N(0, 0.05²), numpy default_rng(20261129), with two
  /// blanks.
  static let powerData = """
    x,y
    0,0.9713
    0,1.0201
    0.5,2.2446
    1,3.0806
    2,4.2068
    4,6.1965
    6,7.9902
    8,9.5794
    10,11.0233
    """

  /// Reference: R 4.2.2 `nls` with the exact gradient, its limit x^b·log x → 0 at x = 0
  /// written out (`nls` with numerical derivatives gives the same to 1e-7), tol = 1e-8:
  ///
  ///     d <- read.csv("Fixtures/elisa-blank.csv"); x <- d$conc_ng_mL; y <- d$od
  ///     fpl <- function(x, a, b, c, dd) {
  ///       u <- (x / c)^b; den <- 1 + u; ul <- ifelse(x == 0, 0, u * log(x / c))
  ///       g <- cbind(a = 1 / den, b = -(a - dd) * ul / den^2,
  ///                  c = (a - dd) * u * b / c / den^2, dd = 1 - 1 / den)
  ///       v <- dd + (a - dd) / den; attr(v, "gradient") <- g; v }
  ///     f4 <- nls(y ~ fpl(x, a, b, c, dd), start = list(a = 0.05, b = 1, c = 10, dd = 2.2),
  ///               control = nls.control(tol = 1e-8, maxiter = 200, minFactor = 1e-12))
  ///     options(digits = 17); coef(summary(f4))[, 1:2]; deviance(f4)
  ///
  /// scipy's least_squares (lm, tolerances 1e-15) agrees with these to 1e-8 relative in the
  /// estimates and 4e-8 in the standard errors: tolerances 1e-7 and 1e-6 leave room for R's
  /// stopping rule and for the Jacobian R differentiates in double precision.
  @Test(
    "a 4pl with blank standards agrees with R's nls: estimates to 1e-7, se to 1e-6 relative")
  func fourPLWithBlank() throws {
    let state = try fixtureInstrument("elisa-blank.csv", x: "conc_ng_mL", y: "od", spec: "4pl")
    let estimates = [
      0.049812964480173187, 1.112795426769001894, 11.447275456912960223, 2.182783710475800998,
    ]
    let errors = [
      0.010602279541378611, 0.030303686285690738, 0.306398673658863752, 0.016705080807010771,
    ]
    for (k, parameter) in state.parameters.enumerated() {
      #expect(abs(parameter.estimate - estimates[k]) <= 1e-7 * abs(estimates[k]), "\(parameter)")
      #expect(abs(parameter.stdError - errors[k]) <= 1e-6 * errors[k], "\(parameter)")
    }
    #expect(abs(state.fit.rss - 0.0049268472403989419) <= 1e-9 * 0.0049268472403989419)
    #expect(state.fit.solver?.startSource == "self-start")
    #expect(state.domain.xRange[0].lower == 0)
  }

  /// Reference: R 4.2.2, the same data and method as above:
  ///
  ///     pw <- function(x, b0, b1, b2) { u <- x^b2; ul <- ifelse(x == 0, 0, u * log(x))
  ///       v <- b0 + b1 * u; attr(v, "gradient") <- cbind(b0 = 1, b1 = u, b2 = b1 * ul); v }
  ///     f <- nls(y ~ pw(x, b0, b1, b2), start = list(b0 = 1, b1 = 2, b2 = 0.7),
  ///              control = nls.control(tol = 1e-8, maxiter = 200, minFactor = 1e-12))
  ///
  /// b0 1.01222641783634471 (se 0.034111592341616551), b1 1.98106369491200440
  /// (0.038805975708536097), b2 0.70307738122207231 (0.008208062085290237), deviance
  /// 0.015446760042211544; plain `nls(y ~ b0 + b1 * x^b2)` (numerical derivatives) agrees to
  /// 5e-8. Tolerances as above.
  @Test(
    "power and a formula with x^b, blanks included, agree with R's nls to 1e-7 (se 1e-6)")
  func powerWithBlank() throws {
    let estimates = [1.01222641783634471, 1.98106369491200440, 0.70307738122207231]
    let errors = [0.034111592341616551, 0.038805975708536097, 0.008208062085290237]
    let data = try readCalibration(Self.powerData)
    let family = try ResponseModel(spec: "power", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
    let formula = try ResponseModel(spec: "k + m*x^q", predictors: ["x"])
      .fit(to: data, start: ["k": 1, "m": 1, "q": 1], provenance: testProvenance)
    for state in [family, formula] {
      for (k, parameter) in state.parameters.enumerated() {
        #expect(abs(parameter.estimate - estimates[k]) <= 1e-7 * abs(estimates[k]), "\(parameter)")
        #expect(abs(parameter.stdError - errors[k]) <= 1e-6 * errors[k], "\(parameter)")
      }
      #expect(abs(state.fit.rss - 0.015446760042211544) <= 1e-9 * 0.0154)
    }
  }

  /// A 4pl whose readings cross halfway between the blank and the first x > 0 (c = 5 below
  /// the first standard at 10): the self-start interpolates c linearly there and takes a from
  /// the blanks' mean. Simulated: a = 0.1, b = 1.3, c = 5, d = 2, sd 0.02, numpy
  /// default_rng(20261130). Reference: R 4.2.2 `nls`, exact gradient with x^b·log x → 0 at
  /// x = 0 written out as in `fourPLWithBlank`, tol = 1e-8: a 0.086121003368191174 (se
  /// 0.010246469499082939), b 1.289032369373354969 (0.081758836235199667), c
  /// 5.136606126281964002 (0.228682622186770629), d 2.004333497174032086
  /// (0.010770027105361539), deviance 0.0012598916550313327. Tolerances as above.
  @Test(
    "a 4pl with c between the blank and the first standard self-starts; R's nls to 1e-7 (se 1e-6)")
  func halfwayNextToBlank() throws {
    let data = try readCalibration(
      """
      x,y
      0,0.0933
      0,0.0789
      10,1.4153
      10,1.4525
      30,1.8197
      30,1.8268
      100,1.963
      100,1.9756
      300,1.9791
      300,2.0014
      """)
    let state = try ResponseModel(spec: "4pl", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
    let estimates = [
      0.086121003368191174, 1.289032369373354969, 5.136606126281964002, 2.004333497174032086,
    ]
    let errors = [
      0.010246469499082939, 0.081758836235199667, 0.228682622186770629, 0.010770027105361539,
    ]
    for (k, parameter) in state.parameters.enumerated() {
      #expect(abs(parameter.estimate - estimates[k]) <= 1e-7 * abs(estimates[k]), "\(parameter)")
      #expect(abs(parameter.stdError - errors[k]) <= 1e-6 * errors[k], "\(parameter)")
    }
    let solver = try #require(state.fit.solver)
    #expect(solver.startSource == "self-start" && solver.attempts.count == 1)
    // c started between the blank and x = 10, linearly interpolated; a from the blanks' mean.
    let (c, a) = (try #require(solver.start["c"]), try #require(solver.start["a"]))
    #expect(c > 0 && c < 10)
    #expect(abs(a - (0.0861 - 0.05 * (2.0014 - 0.0789))) <= 1e-12)
  }

  /// The limits at x = 0 in closed form: for f = d + (a − d)/(1 + (x/c)^b), ∂f/∂a = 1 and
  /// ∂f/∂b = ∂f/∂c = ∂f/∂d = 0 for every b > 0 (f ≡ a at x = 0); df/dx = 0 for b > 1,
  /// −(a − d)/c for b = 1, and ±∞ for 0 < b < 1. In double and in double-double.
  @Test("4pl values and exact derivatives at x = 0 take their closed-form limits, to 2 ulp")
  func limitsAtZero() throws {
    let model = try ResponseModel(spec: "4pl", predictors: ["x"])
    for b in [0.5, 1.0, 1.1, 2.0] {
      let a = [0.05, b, 12.0, 2.2]
      // d + (a − d)·1 rounds twice in double (2 ulp of d); in double-double it is a exactly.
      #expect(abs(model.response(at: [0.0], parameters: a) - 0.05) <= 2 * 2.2.ulp)
      let dd: DoubleDouble = model.response(
        at: [DoubleDouble(0.0)], parameters: a.map { DoubleDouble($0) })
      #expect(dd.high == 0.05 && dd.low == 0)
      #expect(model.parameterGradient(at: [0], parameters: a) == [1, 0, 0, 0], "b = \(b)")
      let slope = model.predictorGradient(at: [0], parameters: a)[0]
      switch b {
      case ..<1: #expect(slope == .infinity)
      case 1: #expect(abs(slope - 2.15 / 12) <= 1e-15)
      default: #expect(slope == 0)
      }
    }
    // A negative slope b puts a at x → ∞: at x = 0 the 4pl is d in value, but its
    // derivative in b is the limit of ∞/∞ and not finite here: the fit names the standard.
    let power = try ResponseModel(spec: "power", predictors: ["x"])
    #expect(power.response(at: [0.0], parameters: [1, 2, -1]) == .infinity)
    #expect(power.parameterGradient(at: [0], parameters: [1, 2, 0.7]) == [1, 0, 0])
    // u^v·log(u) written in a formula is one operation with the limit 0 at u = 0.
    let formula = try ResponseModel(spec: "k + m*x^q*log(x)", predictors: ["x"])
    #expect(formula.response(at: [0.0], parameters: [1, 2, 0.5]) == 1)
    let entropy = try ResponseModel(spec: "k + m*(x*log(x))", predictors: ["x"])
    #expect(entropy.response(at: [0.0], parameters: [1, 2]) == 1)
    // exp(−q/x) → 0 as x → 0⁺ (q > 0), and so do ∂/∂m = exp(−q/x) and ∂/∂q = −m·exp(−q/x)/x.
    let arrhenius = try ResponseModel(spec: "k + m*exp(-q/x)", predictors: ["x"])
    #expect(arrhenius.response(at: [0.0], parameters: [1, 2, 3]) == 1)
    #expect(arrhenius.parameterGradient(at: [0], parameters: [1, 2, 3]) == [1, 0, 0])
    // In double-double too (−q/0 = −∞ without NaN error terms, exp(−∞) = 0): k exactly.
    let polished: DoubleDouble = arrhenius.response(
      at: [DoubleDouble(0.0)], parameters: [1.0, 2.0, 3.0].map { DoubleDouble($0) })
    #expect(polished.high == 1 && polished.low == 0)
  }

  @Test("a model undefined at a blank for the starting values names the standard")
  func undefinedAtStart() throws {
    let data = try readCalibration(Self.powerData)
    let model = try ResponseModel(spec: "power", predictors: ["x"])
    // x^b2 with b2 < 0 is infinite at x = 0; every start the fit tries keeps b2 < 0.
    do {
      _ = try model.fit(to: data, start: ["b2": -1], provenance: testProvenance)
      Issue.record("fit with b2 = -1 at x = 0 should fail")
    } catch let error as FitError {
      guard case .undefinedAtStart(let line, let x, let start) = error else {
        Issue.record("wrong error: \(error)")
        return
      }
      #expect(line == 2 && x == [0])
      #expect(start.contains("b2 = -1"))
      let input = try #require(error.inputError(in: "power.csv"))
      #expect(input.line == 2)
      #expect(input.description.contains("x = 0"))
    }
  }

  /// A reading at the blank's level: the posterior piles against x = 0, the lower end of the
  /// default range. Brute force: the linearized predictive written out independently (4pl
  /// response, leverage by central differences, Student-t on 12 dof), Simpson on 300 000
  /// intervals of [0, 3]; the posterior beyond x = 3 (f(3) = 0.44, 19 s above the reading)
  /// is below 1e-15 of the total. Tolerance 1e-5 sd, as for the 4pl inside the range.
  @Test("a reading near the blank: posterior mass at x = 0 against brute force, to 1e-5 sd")
  func measureNearBlank() throws {
    let state = try fixtureInstrument("elisa-blank.csv", x: "conc_ng_mL", y: "od", spec: "4pl")
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    #expect(measurer.priorRange.lowerBound == 0)
    let reading = 0.06
    let report = try measurer.measure(Observation(id: "blank", readings: [reading], line: 2))
    // The range starts at 0: P(x > 0) would be 1 whatever the reading, so no default threshold.
    #expect(report.x.pAbove == nil)
    let p = state.posterior.location
    func f(_ x: Double, _ q: [Double]) -> Double {
      q[3] + (q[0] - q[3]) / (1 + pow(x / q[2], q[1]))
    }
    let s2 = try #require(state.posterior.s2)
    let nu = Double(try #require(state.posterior.dof))
    let logLikelihood = { (x: Double) -> Double in
      var g = [Double](repeating: 0, count: 4)
      for j in 0..<4 {
        var up = p
        var down = p
        let step = 1e-6 * max(abs(p[j]), 1e-3)
        up[j] += step
        down[j] -= step
        g[j] = (f(x, up) - f(x, down)) / (2 * step)
      }
      var h = 0.0
      for j in 0..<4 { for k in 0..<4 { h += g[j] * state.posterior.scale[j][k] * g[k] } }
      let d = reading - f(x, p)
      return -0.5 * log(1 + h) - 0.5 * (nu + 1) * log(1 + d * d / (s2 * (1 + h) * nu))
    }
    let brute = try BruteForcePosterior(
      range: 0...3, intervals: 300_000, logLikelihood: logLikelihood)
    let tolerance = 1e-5 * brute.sd
    let mean = try #require(report.x.mean)
    #expect(abs(mean - brute.mean) <= tolerance, "\(mean) vs \(brute.mean)")
    #expect(abs(try #require(report.x.sd) - brute.sd) <= tolerance)
    #expect(abs(try #require(report.x.median) - brute.quantile(0.5)) <= tolerance)
    #expect(abs(try #require(report.x.interval.lower) - brute.quantile(0.025)) <= tolerance)
    #expect(abs(try #require(report.x.interval.upper) - brute.quantile(0.975)) <= tolerance)
    // The modes are the brute force's local maxima (the blank itself, an end of the range, and
    // the top of a peak narrower than the measurer's scan), each to two grid steps.
    let maxima = brute.xs.indices.filter { k in
      (k == 0 || brute.density[k] >= brute.density[k - 1])
        && (k == brute.xs.count - 1 || brute.density[k] >= brute.density[k + 1])
        && brute.density[k] > 1e-4 * (brute.density.max() ?? 0)
    }.map { brute.xs[$0] }
    let modes = try #require(report.x.modes)
    #expect(modes.count == maxima.count, "\(modes) vs \(maxima)")
    for (mode, reference) in zip(modes, maxima) {
      #expect(abs(mode - reference) <= 2 * brute.step, "\(modes) vs \(maxima)")
    }
  }
}
