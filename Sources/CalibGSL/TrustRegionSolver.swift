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
  package struct Outcome {
    package var parameters: [Double]
    package var iterations: Int
    /// Which convergence test GSL reported (1: step size, 2: gradient), or 0 when it did not.
    package var convergedBy: Int
    /// GSL's status text when the run did not converge.
    package var failure: String?
  }

  /// The residuals r(a) into the buffer; false when they are not finite.
  package typealias Residuals = (_ parameters: UnsafeBufferPointer<Double>, _ residuals: UnsafeMutableBufferPointer<Double>) -> Bool
  /// The Jacobian ∂r/∂a, row-major n×p, into the buffer; false when not finite.
  package typealias Jacobian = (_ parameters: UnsafeBufferPointer<Double>, _ jacobian: UnsafeMutableBufferPointer<Double>) -> Bool

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
    residuals: @escaping Residuals, jacobian: @escaping Jacobian, observations n: Int, start: [Double],
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
    guard let workspace = gsl_multifit_nlinear_alloc(calib_gsl_nlinear_trust(), &parameters, n, p) else {
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
        UnsafeMutableBufferPointer(start: f!.pointee.data, count: context.n).withMemoryRebound(to: Double.self) { context.residuals(a, $0) }
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
        for j in 0..<context.p { matrix.data[i * matrix.tda + j] = context.values[i * context.p + j] }
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
        return Outcome(parameters: start, iterations: 0, convergedBy: 0, failure: "the model is not finite at the start (\(GSL.reason(initStatus)))")
      }
      var info: Int32 = 0
      let status = gsl_multifit_nlinear_driver(maxIterations, tolerance, tolerance, tolerance, nil, nil, &info, workspace)
      // Cannot trap: gsl_multifit_nlinear_position returns the workspace's own vector.
      let position = gsl_multifit_nlinear_position(workspace)!
      let result = (0..<p).map { position.pointee.data[$0 * position.pointee.stride] }
      let iterations = gsl_multifit_nlinear_niter(workspace)
      switch status {
      case Int32(GSL_SUCCESS):
        return Outcome(parameters: result, iterations: iterations, convergedBy: Int(info), failure: nil)
      case Int32(GSL_EMAXITER), Int32(GSL_ENOPROG), Int32(GSL_EDOM), Int32(GSL_ETOLF), Int32(GSL_ETOLX), Int32(GSL_ETOLG):
        return Outcome(parameters: result, iterations: iterations, convergedBy: 0, failure: GSL.reason(status))
      default:
        try GSL.check(status, "gsl_multifit_nlinear_driver")
        return Outcome(parameters: result, iterations: iterations, convergedBy: Int(info), failure: nil)
      }
    }
    return outcome
  }
}
