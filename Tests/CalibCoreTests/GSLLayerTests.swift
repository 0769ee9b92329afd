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

  @Test("the SVD reproduces a matrix with known singular values")
  func singularValues() throws {
    // [[3, 0], [4, 5]] has singular values √45 and √5 (AᵀA = [[25, 20], [20, 25]]).
    let m = try GSLMatrix(rows: 2, columns: 2)
    m[0, 0] = 3; m[1, 0] = 4; m[1, 1] = 5
    let svd = try SingularValueDecomposition(m)
    #expect(Swift.abs(svd.singularValues[0] - 45.0.squareRoot()) < 1e-14)
    #expect(Swift.abs(svd.singularValues[1] - 5.0.squareRoot()) < 1e-14)
  }
}
