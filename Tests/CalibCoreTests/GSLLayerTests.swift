@testable import CalibCore
import CalibGSL
import Testing

/// GSL's aborting error handler is off: a GSL failure becomes a Swift error.
@Suite("GSL layer")
struct GSLLayerTests {
  @Test("a GSL status becomes a GSLError naming the function and GSL's reason")
  func statusThrows() throws {
    let a = try GSLMatrix(rows: 2, columns: 2)
    let b = try GSLMatrix(rows: 3, columns: 2)
    // gsl_matrix_memcpy reports GSL_EBADLEN for different sizes; with the default handler
    // this would abort the test process.
    let error = #expect(throws: GSLError.self) { try a.copy(from: b) }
    #expect(error?.function == "gsl_matrix_memcpy")
    #expect(error?.reason == "matrix/vector sizes are not conformant")
    #expect(error?.description.contains("gsl_matrix_memcpy failed") == true)
  }

  @Test("a zero-sized allocation throws instead of reaching GSL")
  func zeroAllocation() {
    #expect(throws: GSLError.self) { _ = try GSLMatrix(rows: 0, columns: 3) }
    #expect(throws: GSLError.self) { _ = try GSLVector(count: 0) }
  }

  @Test("a domain error inside a GSL function returns NaN instead of aborting")
  func domainError() {
    // gsl_cdf_chisq_Q with a negative number of degrees of freedom calls GSL_ERROR_VAL.
    #expect(Distributions.chiSquaredUpperTail(1, degreesOfFreedom: -1).isNaN)
  }

  @Test("the SVD of [[3, 0], [4, 5]] has its known singular values √45 and √5, to 1e-14")
  func singularValues() throws {
    // [[3, 0], [4, 5]] has singular values √45 and √5 (AᵀA = [[25, 20], [20, 25]]).
    let m = try GSLMatrix(rows: 2, columns: 2)
    m[0, 0] = 3; m[1, 0] = 4; m[1, 1] = 5
    let svd = try SingularValueDecomposition(m)
    #expect(Swift.abs(svd.singularValues[0] - 45.0.squareRoot()) < 1e-14)
    #expect(Swift.abs(svd.singularValues[1] - 5.0.squareRoot()) < 1e-14)
  }

  @Test("the trust-region solver reports convergence (a = 3, to 1e-12) and stops as typed cases")
  func trustRegionEndings() throws {
    // r(a) = a − 3 has its least-squares solution at a = 3 exactly (closed form); one
    // Gauss–Newton step lands on it, so 1e-12 holds with room to spare.
    let converged = try TrustRegionSolver.solve(
      residuals: { a, r in
        r[0] = a[0] - 3; return true
      },
      jacobian: { _, j in
        j[0] = 1; return true
      },
      observations: 1, start: [0], method: .doubleDogleg)
    #expect(converged.convergence != nil && converged.stop == nil)
    #expect(Swift.abs(converged.parameters[0] - 3) < 1e-12)

    // Rosenbrock's residuals (10(a₂ − a₁²), 1 − a₁) from (−1.2, 1): one iteration cannot
    // reach (1, 1), so the driver reports GSL_EMAXITER, whose gsl_strerror text the
    // instrument file has always recorded.
    let limited = try TrustRegionSolver.solve(
      residuals: { a, r in
        r[0] = 10 * (a[1] - a[0] * a[0]); r[1] = 1 - a[0]; return true
      },
      jacobian: { a, j in
        j[0] = -20 * a[0]; j[1] = 10; j[2] = -1; j[3] = 0; return true
      },
      observations: 2, start: [-1.2, 1], method: .levenbergMarquardt, maxIterations: 1)
    #expect(limited.ending == .stopped(.iterationLimit))
    #expect(limited.stop?.description == "exceeded max number of iterations")

    // Residuals that are not finite at the start: GSL_EDOM from the callback, in today's words.
    let undefined = try TrustRegionSolver.solve(
      residuals: { _, _ in false }, jacobian: { _, _ in false },
      observations: 1, start: [1], method: .doubleDogleg)
    let stop = try #require(undefined.stop)
    #expect(stop.description == "the model is not finite at the start (input domain error)")
    #expect(undefined.parameters == [1] && undefined.iterations == 0)
  }
}
