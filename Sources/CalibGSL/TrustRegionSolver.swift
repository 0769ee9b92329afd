internal import CGSL

/// Nonlinear least squares min ½‖r(a)‖² by GSL's trust-region methods
/// (`gsl_multifit_nlinear`), with the residuals and the exact Jacobian supplied by closures.
package final class TrustRegionSolver {
  /// The trust-region subproblem method.
  package enum Method: String, CaseIterable, Sendable {
    /// Levenberg–Marquardt with geodesic acceleration (Transtrum & Sethna 2012).
    case levenbergMarquardtAccelerated = "Levenberg–Marquardt with geodesic acceleration"
    /// Levenberg–Marquardt.
    case levenbergMarquardt = "Levenberg–Marquardt"
    /// Double dogleg.
    case doubleDogleg = "double dogleg"
  }

  /// How a run ended.
  /// How a run ended.
  package struct Outcome {
    /// The parameters where the run ended (the start when it could not begin).
    package var parameters: [Double]
    /// The iterations taken.
    package var iterations: Int
    /// Whether the run converged, and by which test, or why it stopped.
    package var ending: Ending

    /// The convergence test that was met, or nil when the run stopped without converging.
    package var convergence: Convergence? {
      if case .converged(let test) = ending { return test }
      return nil
    }

    /// Why the run stopped, or nil when it converged.
    package var stop: Stop? {
      if case .stopped(let reason) = ending { return reason }
      return nil
    }
  }

  /// Whether a run converged, and by which test, or why it stopped.
  package enum Ending: Equatable, Sendable {
    /// The run met a convergence test.
    case converged(Convergence)
    /// The run stopped without converging.
    case stopped(Stop)
  }

  /// The test by which GSL declared convergence (`info` of `gsl_multifit_nlinear_driver`).
  package enum Convergence: Equatable, Sendable {
    /// The step became small relative to the parameters (`info` 1).
    case stepSize
    /// The gradient became small relative to the cost (`info` 2).
    case gradient
    /// The relative change of the cost reached rounding level (`GSL_ETOLF`).
    case costAtRoundingLevel
    /// The step reached rounding level (`GSL_ETOLX`).
    case stepAtRoundingLevel
    /// The gradient reached rounding level (`GSL_ETOLG`).
    case gradientAtRoundingLevel
  }

  /// Why a run stopped without converging.
  package enum Stop: Equatable, Sendable, CustomStringConvertible {
    /// The residuals or the Jacobian could not be evaluated at the start
    /// (`gsl_multifit_nlinear_init` failed, normally with the callbacks' `GSL_EDOM`).
    case notFiniteAtStart(GSLError)
    /// The iteration limit was reached (`GSL_EMAXITER`), or no first step lowered the cost.
    case iterationLimit
    /// The iterations made no progress (`GSL_ENOPROG`).
    case noProgress
    /// The residuals or the Jacobian were not finite on the way (`GSL_EDOM`).
    case notFinite
    /// The cost tolerance cannot be reached (`GSL_ETOLF`).
    case costToleranceUnreachable
    /// The step tolerance cannot be reached (`GSL_ETOLX`).
    case stepToleranceUnreachable
    /// The gradient tolerance cannot be reached (`GSL_ETOLG`).
    case gradientToleranceUnreachable
    /// GSL reported success without naming a convergence test it knows (`info` other than
    /// 1, 2 or a rounding-level status); GSL 2.x never does.
    case unrecognizedConvergence

    /// The words the instrument file records for the stop: GSL's own `gsl_strerror` text of
    /// the status, as calib has always written it.
    package var description: String {
      switch self {
      case .notFiniteAtStart(let error):
        return "the model is not finite at the start (\(error.reason))"
      case .iterationLimit: return GSL.reason(Int32(GSL_EMAXITER))
      case .noProgress: return GSL.reason(Int32(GSL_ENOPROG))
      case .notFinite: return GSL.reason(Int32(GSL_EDOM))
      case .costToleranceUnreachable: return GSL.reason(Int32(GSL_ETOLF))
      case .stepToleranceUnreachable: return GSL.reason(Int32(GSL_ETOLX))
      case .gradientToleranceUnreachable: return GSL.reason(Int32(GSL_ETOLG))
      case .unrecognizedConvergence: return "no convergence"
      }
    }

    /// The stop for a status of `gsl_multifit_nlinear_driver`, or nil for any other status.
    init?(driverStatus status: Int32) {
      switch status {
      case Int32(GSL_EMAXITER): self = .iterationLimit
      case Int32(GSL_ENOPROG): self = .noProgress
      case Int32(GSL_EDOM): self = .notFinite
      case Int32(GSL_ETOLF): self = .costToleranceUnreachable
      case Int32(GSL_ETOLX): self = .stepToleranceUnreachable
      case Int32(GSL_ETOLG): self = .gradientToleranceUnreachable
      default: return nil
      }
    }
  }

  /// The residuals r(a) into the buffer; false when they are not finite.
  package typealias Residuals = (
    _ parameters: UnsafeBufferPointer<Double>, _ residuals: UnsafeMutableBufferPointer<Double>
  ) -> Bool
  /// The Jacobian ∂r/∂a, row-major n×p, into the buffer; false when not finite.
  package typealias Jacobian = (
    _ parameters: UnsafeBufferPointer<Double>, _ jacobian: UnsafeMutableBufferPointer<Double>
  ) -> Bool

  private final class Context {
    let residuals: Residuals
    let jacobian: Jacobian
    let n: Int, p: Int
    var parameters: [Double]
    var values: [Double]
    init(residuals: @escaping Residuals, jacobian: @escaping Jacobian, n: Int, p: Int) {
      self.residuals = residuals
      self.jacobian = jacobian
      self.n = n
      self.p = p
      parameters = [Double](repeating: 0, count: p)
      values = [Double](repeating: 0, count: n * p)
    }
    func load(_ x: UnsafePointer<gsl_vector>) {
      for j in 0..<p { parameters[j] = x.pointee.data[j * x.pointee.stride] }
    }
  }

  /// Runs one method from `start`.
  ///
  /// - Throws: `GSLError` for allocation failures and statuses other than non-convergence.
  ///
  /// Calls `gsl_multifit_nlinear_alloc`, `gsl_multifit_nlinear_init` and
  /// `gsl_multifit_nlinear_driver`.
  package static func solve(
    residuals: @escaping Residuals, jacobian: @escaping Jacobian, observations n: Int,
    start: [Double],
    method: Method, maxIterations: Int = 20000, tolerance: Double = 1e-15
  ) throws(GSLError) -> Outcome {
    GSL.prepare()
    let p = start.count
    var parameters = gsl_multifit_nlinear_default_parameters()
    switch method {
    case .levenbergMarquardtAccelerated: parameters.trs = calib_gsl_nlinear_trs_lmaccel()
    case .levenbergMarquardt: parameters.trs = calib_gsl_nlinear_trs_lm()
    case .doubleDogleg: parameters.trs = calib_gsl_nlinear_trs_ddogleg()
    }
    parameters.scale = calib_gsl_nlinear_scale_more()
    parameters.solver = calib_gsl_nlinear_solver_qr()
    guard let workspace = gsl_multifit_nlinear_alloc(calib_gsl_nlinear_trust(), &parameters, n, p)
    else {
      throw GSL.allocationFailure("gsl_multifit_nlinear_alloc")
    }
    defer { gsl_multifit_nlinear_free(workspace) }
    let x = try GSLVector(count: p)
    for j in 0..<p { x[j] = start[j] }

    let context = Context(residuals: residuals, jacobian: jacobian, n: n, p: p)
    let pointer = Unmanaged.passUnretained(context).toOpaque()
    var fdf = gsl_multifit_nlinear_fdf()
    fdf.f = { x, params, f in
      // Cannot trap: GSL passes back the params, x, f and J it was given, never null.
      let context = Unmanaged<Context>.fromOpaque(params!).takeUnretainedValue()
      context.load(x!)
      let ok = context.parameters.withUnsafeBufferPointer { a in
        UnsafeMutableBufferPointer(start: f!.pointee.data, count: context.n).withMemoryRebound(
          to: Double.self
        ) { context.residuals(a, $0) }
      }
      return ok ? Int32(GSL_SUCCESS) : Int32(GSL_EDOM)
    }
    fdf.df = { x, params, jacobian in
      // Cannot trap: GSL passes back the params, x, f and J it was given, never null.
      let context = Unmanaged<Context>.fromOpaque(params!).takeUnretainedValue()
      context.load(x!)
      let ok = context.parameters.withUnsafeBufferPointer { a in
        context.values.withUnsafeMutableBufferPointer { context.jacobian(a, $0) }
      }
      let matrix = jacobian!.pointee
      for i in 0..<context.n {
        for j in 0..<context.p {
          matrix.data[i * matrix.tda + j] = context.values[i * context.p + j]
        }
      }
      return ok ? Int32(GSL_SUCCESS) : Int32(GSL_EDOM)
    }
    fdf.fvv = nil
    fdf.n = n
    fdf.p = p
    fdf.params = pointer
    let outcome: Outcome = try withExtendedLifetime(context) { () throws(GSLError) -> Outcome in
      let initStatus = gsl_multifit_nlinear_init(x.pointer, &fdf, workspace)
      guard initStatus == Int32(GSL_SUCCESS) else {
        let error = GSLError(
          status: initStatus, function: "gsl_multifit_nlinear_init", reason: GSL.reason(initStatus))
        return Outcome(parameters: start, iterations: 0, ending: .stopped(.notFiniteAtStart(error)))
      }
      var info: Int32 = 0
      let status = gsl_multifit_nlinear_driver(
        maxIterations, tolerance, tolerance, tolerance, nil, nil, &info, workspace)
      // Cannot trap: gsl_multifit_nlinear_position returns the workspace's own vector.
      let position = gsl_multifit_nlinear_position(workspace)!
      let result = (0..<p).map { position.pointee.data[$0 * position.pointee.stride] }
      let iterations = gsl_multifit_nlinear_niter(workspace)
      if status == Int32(GSL_SUCCESS) {
        let ending: Ending
        switch info {
        case 1: ending = .converged(.stepSize)
        case 2: ending = .converged(.gradient)
        case Int32(GSL_ETOLF): ending = .converged(.costAtRoundingLevel)
        case Int32(GSL_ETOLX): ending = .converged(.stepAtRoundingLevel)
        case Int32(GSL_ETOLG): ending = .converged(.gradientAtRoundingLevel)
        default: ending = .stopped(.unrecognizedConvergence)
        }
        return Outcome(parameters: result, iterations: iterations, ending: ending)
      }
      guard let stop = Stop(driverStatus: status) else {
        throw GSLError(
          status: status, function: "gsl_multifit_nlinear_driver", reason: GSL.reason(status))
      }
      return Outcome(parameters: result, iterations: iterations, ending: .stopped(stop))
    }
    return outcome
  }
}
