internal import CGSL

/// Fixed nodes and weights of classical quadrature rules, read from GSL once and then used
/// without callbacks in hot loops.
package struct FixedQuadrature: Sendable {
  /// The nodes.
  package let nodes: [Double]
  /// The weights.
  package let weights: [Double]

  /// The n-point Gauss–Legendre rule on [−1, 1]: exact for polynomials of degree 2n − 1.
  ///
  /// Calls `gsl_integration_glfixed_table_alloc` and `gsl_integration_glfixed_point`.
  package static func gaussLegendre(points n: Int) throws(GSLError) -> FixedQuadrature {
    GSL.prepare()
    guard n > 0, let table = gsl_integration_glfixed_table_alloc(n) else {
      throw GSL.allocationFailure("gsl_integration_glfixed_table_alloc")
    }
    defer { gsl_integration_glfixed_table_free(table) }
    var nodes = [Double](repeating: 0, count: n), weights = nodes
    for i in 0..<n {
      try GSL.check(
        gsl_integration_glfixed_point(-1, 1, i, &nodes[i], &weights[i], table),
        "gsl_integration_glfixed_point")
    }
    return FixedQuadrature(nodes: nodes, weights: weights)
  }

  /// The n-point generalized Gauss–Laguerre rule for ∫₀^∞ t^α e^(−t) g(t) dt: exact for
  /// polynomials g of degree 2n − 1.
  ///
  /// Calls `gsl_integration_fixed_alloc` with `gsl_integration_fixed_laguerre`.
  package static func gaussLaguerre(
    points n: Int, alpha: Double
  ) throws(GSLError) -> FixedQuadrature {
    GSL.prepare()
    guard n > 0,
      let workspace = gsl_integration_fixed_alloc(calib_gsl_fixed_laguerre(), n, 0, 1, alpha, 0)
    else {
      throw GSL.allocationFailure("gsl_integration_fixed_alloc")
    }
    defer { gsl_integration_fixed_free(workspace) }
    let nodes = Array(UnsafeBufferPointer(start: gsl_integration_fixed_nodes(workspace), count: n))
    let weights = Array(
      UnsafeBufferPointer(start: gsl_integration_fixed_weights(workspace), count: n))
    return FixedQuadrature(nodes: nodes, weights: weights)
  }

  /// The n-point Gauss–Hermite rule for ∫ e^(−t²) g(t) dt over the real line.
  ///
  /// Calls `gsl_integration_fixed_alloc` with `gsl_integration_fixed_hermite`.
  package static func gaussHermite(points n: Int) throws(GSLError) -> FixedQuadrature {
    GSL.prepare()
    guard n > 0,
      let workspace = gsl_integration_fixed_alloc(calib_gsl_fixed_hermite(), n, 0, 1, 0, 0)
    else {
      throw GSL.allocationFailure("gsl_integration_fixed_alloc")
    }
    defer { gsl_integration_fixed_free(workspace) }
    let nodes = Array(UnsafeBufferPointer(start: gsl_integration_fixed_nodes(workspace), count: n))
    let weights = Array(
      UnsafeBufferPointer(start: gsl_integration_fixed_weights(workspace), count: n))
    return FixedQuadrature(nodes: nodes, weights: weights)
  }
}
