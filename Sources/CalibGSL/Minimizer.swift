internal import CGSL

/// One-dimensional minimization by Brent's method (GSL's `gsl_min_fminimizer_brent`). The
/// workspace is allocated once and reused for every minimization; make one per thread.
package final class Minimizer {
  private let minimizer: UnsafeMutablePointer<gsl_min_fminimizer>

  /// Allocates the workspace (`gsl_min_fminimizer_alloc`).
  package init() throws(GSLError) {
    GSL.prepare()
    guard let minimizer = gsl_min_fminimizer_alloc(calib_gsl_min_brent()) else {
      throw GSL.allocationFailure("gsl_min_fminimizer_alloc")
    }
    self.minimizer = minimizer
  }

  deinit {
    gsl_min_fminimizer_free(minimizer)
  }

  /// The x in [lower, upper] that minimizes f, starting from `guess`, which must satisfy
  /// f(guess) < f(lower) and f(guess) < f(upper) (a bracket).
  ///
  /// - Parameter tolerance: Absolute tolerance on x.
  /// - Throws: `GSLError` from GSL (`GSL_EINVAL` when `guess` does not bracket a minimum).
  ///
  /// Calls `gsl_min_fminimizer_set` and `gsl_min_fminimizer_iterate`.
  package func minimize(
    _ f: (Double) -> Double, guess: Double, lower: Double, upper: Double, tolerance: Double
  ) throws(GSLError) -> Double {
    var failure: GSLError?
    let minimizer = self.minimizer
    let x = GSLFunction.with(f) { function in
      do throws(GSLError) {
        try GSL.check(
          gsl_min_fminimizer_set(minimizer, function, guess, lower, upper), "gsl_min_fminimizer_set"
        )
        for _ in 0..<200 {
          try GSL.check(gsl_min_fminimizer_iterate(minimizer), "gsl_min_fminimizer_iterate")
          let a = gsl_min_fminimizer_x_lower(minimizer), b = gsl_min_fminimizer_x_upper(minimizer)
          if gsl_min_test_interval(a, b, tolerance, 0) == Int32(GSL_SUCCESS) { break }
        }
      } catch {
        failure = error
      }
      return gsl_min_fminimizer_x_minimum(minimizer)
    }
    if let failure { throw failure }
    return x
  }
}
