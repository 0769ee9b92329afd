internal import CGSL

/// Distribution functions from GSL's `gsl_cdf` module.
enum Distributions {
  /// P(X > x) for X ~ χ² with `dof` degrees of freedom. Calls `gsl_cdf_chisq_Q`.
  static func chiSquaredUpperTail(_ x: Double, degreesOfFreedom dof: Double) -> Double {
    GSL.prepare()
    return gsl_cdf_chisq_Q(x, dof)
  }

  /// P(X > x) for X ~ F(`numerator`, `denominator`). Calls `gsl_cdf_fdist_Q`.
  static func fisherUpperTail(_ x: Double, numerator: Double, denominator: Double) -> Double {
    GSL.prepare()
    return gsl_cdf_fdist_Q(x, numerator, denominator)
  }
}
