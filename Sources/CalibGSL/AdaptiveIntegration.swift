internal import CGSL

/// Adaptive Gauss–Kronrod integration (GSL's QAG with the 21-point rule), keeping the
/// partition GSL arrives at, so that a density integrated once can be tabulated: each
/// subinterval with its integral is a panel of the cumulative distribution.
///
/// One workspace per integrator; make one per thread and reuse it.
package final class AdaptiveIntegrator {
  private let workspace: UnsafeMutablePointer<gsl_integration_workspace>
  /// The largest number of subintervals one integral may use.
  let limit: Int

  /// One subinterval of the final partition and the integral over it.
  package struct Panel {
    package var lower: Double
    package var upper: Double
    package var integral: Double

    /// The subinterval [lower, upper] with the integral over it.
    package init(lower: Double, upper: Double, integral: Double) {
      self.lower = lower
      self.upper = upper
      self.integral = integral
    }
  }

  /// Allocates the workspace (`gsl_integration_workspace_alloc`).
  package init(limit: Int = 1000) throws(GSLError) {
    GSL.prepare()
    guard let workspace = gsl_integration_workspace_alloc(limit) else {
      throw GSL.allocationFailure("gsl_integration_workspace_alloc")
    }
    self.workspace = workspace
    self.limit = limit
  }

  deinit {
    gsl_integration_workspace_free(workspace)
  }

  /// ∫ₐᵇ f, adaptively to max(absoluteTolerance, relativeTolerance·|∫f|), appending the
  /// final partition to `panels` (in no particular order).
  ///
  /// - Returns: The integral, GSL's error estimate, and whether the tolerance was met; it may
  ///   not be when rounding limits the accuracy (`GSL_EROUND`) or the subintervals run out
  ///   (`GSL_EMAXITER`), in which case the estimate is still the best available.
  /// - Throws: `GSLError` for any other failure.
  ///
  /// Calls `gsl_integration_qag` with `GSL_INTEG_GAUSS21`.
  package func integrate(
    _ f: (Double) -> Double, from a: Double, to b: Double,
    absoluteTolerance: Double, relativeTolerance: Double, panels: inout [Panel]
  ) throws(GSLError) -> (value: Double, error: Double, converged: Bool) {
    var result = 0.0, error = 0.0
    let status = GSLFunction.with(f) { function in
      gsl_integration_qag(
        function, a, b, absoluteTolerance, relativeTolerance, limit, Int32(GSL_INTEG_GAUSS21),
        workspace, &result, &error)
    }
    let converged = status == Int32(GSL_SUCCESS)
    if !converged && status != Int32(GSL_EROUND) && status != Int32(GSL_EMAXITER) {
      try GSL.check(status, "gsl_integration_qag")
    }
    let w = workspace.pointee
    for k in 0..<w.size {
      panels.append(Panel(lower: w.alist[k], upper: w.blist[k], integral: w.rlist[k]))
    }
    return (result, error, converged)
  }
}
