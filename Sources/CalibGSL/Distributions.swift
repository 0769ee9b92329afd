internal import CGSL

/// Distribution functions from GSL's `gsl_cdf` module.
package enum Distributions {
  /// P(X > x) for X ~ χ² with `dof` degrees of freedom. Calls `gsl_cdf_chisq_Q`.
  package static func chiSquaredUpperTail(_ x: Double, degreesOfFreedom dof: Double) -> Double {
    GSL.prepare()
    return gsl_cdf_chisq_Q(x, dof)
  }

  /// The x with P(X > x) = `q` for X ~ χ² with `dof` degrees of freedom, or NaN where GSL
  /// finds none. Calls `gsl_cdf_chisq_Qinv`.
  package static func chiSquaredUpperQuantile(_ q: Double, degreesOfFreedom dof: Double) -> Double {
    GSL.prepare()
    return gsl_cdf_chisq_Qinv(q, dof)
  }

  /// The x with P(X ≤ x) = `p` for X ~ χ² with `dof` degrees of freedom, or NaN where GSL
  /// finds none. Calls `gsl_cdf_chisq_Pinv`.
  package static func chiSquaredQuantile(_ p: Double, degreesOfFreedom dof: Double) -> Double {
    GSL.prepare()
    return gsl_cdf_chisq_Pinv(p, dof)
  }

  /// P(X > x) for X ~ F(`numerator`, `denominator`). Calls `gsl_cdf_fdist_Q`.
  package static func fisherUpperTail(_ x: Double, numerator: Double, denominator: Double) -> Double
  {
    GSL.prepare()
    return gsl_cdf_fdist_Q(x, numerator, denominator)
  }

  /// The x with P(X ≤ x) = `p` for X ~ F(`numerator`, `denominator`), or NaN where GSL finds
  /// none. Calls `gsl_cdf_fdist_Pinv`.
  package static func fisherQuantile(
    _ p: Double, numerator: Double, denominator: Double
  ) -> Double {
    GSL.prepare()
    return gsl_cdf_fdist_Pinv(p, numerator, denominator)
  }

  /// The x with P(X > x) = `q` for X ~ F(`numerator`, `denominator`), or NaN where GSL finds
  /// none. Calls `gsl_cdf_fdist_Qinv`.
  package static func fisherUpperQuantile(
    _ q: Double, numerator: Double, denominator: Double
  ) -> Double {
    GSL.prepare()
    return gsl_cdf_fdist_Qinv(q, numerator, denominator)
  }
}

extension Distributions {
  /// The p-quantile of Student's t with `dof` degrees of freedom. Calls `gsl_cdf_tdist_Pinv`.
  package static func studentQuantile(_ p: Double, degreesOfFreedom dof: Double) -> Double {
    GSL.prepare()
    return gsl_cdf_tdist_Pinv(p, dof)
  }

  /// P(T > t) for Student's t with `dof` degrees of freedom. Calls `gsl_cdf_tdist_Q`.
  package static func studentUpperTail(_ t: Double, degreesOfFreedom dof: Double) -> Double {
    GSL.prepare()
    return gsl_cdf_tdist_Q(t, dof)
  }

  /// The p-quantile of the standard normal. Calls `gsl_cdf_ugaussian_Pinv`.
  package static func normalQuantile(_ p: Double) -> Double {
    GSL.prepare()
    return gsl_cdf_ugaussian_Pinv(p)
  }

  /// P(Z > z) for the standard normal. Calls `gsl_cdf_ugaussian_Q`.
  package static func normalUpperTail(_ z: Double) -> Double {
    GSL.prepare()
    return gsl_cdf_ugaussian_Q(z)
  }

  /// log Γ(x) for x > 0. Calls `gsl_sf_lngamma`.
  package static func logGamma(_ x: Double) -> Double {
    GSL.prepare()
    return gsl_sf_lngamma(x)
  }

  /// ψ(x) = d log Γ(x)/dx, the digamma function, for x > 0. Calls `gsl_sf_psi`.
  package static func digamma(_ x: Double) -> Double {
    GSL.prepare()
    return gsl_sf_psi(x)
  }

  /// ψ′(x), the trigamma function, for x > 0. Calls `gsl_sf_psi_1`.
  package static func trigamma(_ x: Double) -> Double {
    GSL.prepare()
    return gsl_sf_psi_1(x)
  }
}
