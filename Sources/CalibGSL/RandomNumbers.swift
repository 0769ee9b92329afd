internal import CGSL

/// A seeded random number generator: GSL's Mersenne Twister (`gsl_rng_mt19937`). The same
/// seed gives the same stream on every machine.
package final class RandomNumbers {
  private let generator: UnsafeMutablePointer<gsl_rng>

  /// A generator seeded with `seed` (`gsl_rng_alloc`, `gsl_rng_set`).
  package init(seed: UInt64) throws(GSLError) {
    GSL.prepare()
    guard let generator = gsl_rng_alloc(calib_gsl_rng_mt19937()) else {
      throw GSL.allocationFailure("gsl_rng_alloc")
    }
    gsl_rng_set(generator, UInt(truncatingIfNeeded: seed))
    self.generator = generator
  }

  deinit {
    gsl_rng_free(generator)
  }

  /// Uniform on [0, 1). Calls `gsl_rng_uniform`.
  package func uniform() -> Double { gsl_rng_uniform(generator) }

  /// Standard normal. Calls `gsl_ran_ugaussian`.
  package func normal() -> Double { gsl_ran_ugaussian(generator) }

  /// χ² with `dof` degrees of freedom. Calls `gsl_ran_chisq`.
  package func chiSquared(_ dof: Double) -> Double { gsl_ran_chisq(generator, dof) }

  /// Student's t with `dof` degrees of freedom, scale 1. Calls `gsl_ran_tdist`.
  package func student(_ dof: Double) -> Double { gsl_ran_tdist(generator, dof) }

  /// A Poisson count with mean `mean`. Calls `gsl_ran_poisson`.
  package func poisson(_ mean: Double) -> Double { Double(gsl_ran_poisson(generator, mean)) }

  /// A uniform integer in 0..<n. Calls `gsl_rng_uniform_int`.
  package func integer(below n: Int) -> Int { Int(gsl_rng_uniform_int(generator, UInt(n))) }
}
