import CalibCore
import Foundation
import Testing

/// `calib coverage`'s design suggestion (docs/coverage.md, "Where to add a standard") against
/// a brute force: for every candidate, the calibration refitted with one more standard there
/// (the unscaled covariance (ΦᵀΦ + φφᵀ)⁻¹ inverted directly), and the worst sd over the domain.
@Suite("Where to add a standard")
struct DesignSuggestionTests {
  /// A pressure transducer calibrated at 0, 10, 20, 80, 90, 100 kPa, fitted with a quadratic:
  /// the gap is where x̂ is least precise, and where one more standard helps most.
  @Test func aQuadraticWithAGapAsksForAStandardInIt() throws {
    let state = try fixtureInstrument(
      "pressure-gap.csv", x: "pressure_kPa", y: "output_mV", spec: "poly:2")
    let map = try InstrumentMap(measurer: try Measurer(instrument: state, settings: .init()))
    let design = try #require(map.design)
    let x = state.domain.x[0]
    let a = state.posterior.location
    let s = try #require(state.noise.sigma)
    var information = [[Double]](repeating: [0, 0, 0], count: 3)
    for xi in x {
      let phi = [1, xi, xi * xi]
      for r in 0..<3 { for c in 0..<3 { information[r][c] += phi[r] * phi[c] } }
    }
    let candidates =
      [0.0] + map.points.map(\.x).filter { $0 > 0 && $0 < 100 } + [100.0]
    func worst(with extra: Double?) -> (x: Double, sd: Double) {
      var m = information
      if let z = extra {
        let phi = [1, z, z * z]
        for r in 0..<3 { for c in 0..<3 { m[r][c] += phi[r] * phi[c] } }
      }
      let inverse = invert3(m)
      var result = (x: 0.0, sd: -1.0)
      for xi in candidates {
        let phi = [1, xi, xi * xi]
        var h = 0.0
        for r in 0..<3 { for c in 0..<3 { h += phi[r] * inverse[r][c] * phi[c] } }
        let sd = s * (1 + h).squareRoot() / Swift.abs(a[1] + 2 * a[2] * xi)
        if sd > result.sd { result = (xi, sd) }
      }
      return result
    }
    let now = worst(with: nil)
    #expect(design.worst.x == now.x)
    #expect(Swift.abs(design.worst.xSD / now.sd - 1) < 1e-10)
    let best = candidates.map { ($0, worst(with: $0).sd) }.min { $0.1 < $1.1 }!
    #expect(design.suggestedStandard.x == best.0)
    #expect(Swift.abs(design.suggestedStandard.xSD / best.1 - 1) < 1e-10)
    #expect(design.suggestedStandard.x > 20 && design.suggestedStandard.x < 80)
    #expect(Swift.abs(design.reduction - (1 - best.1 / now.sd)) < 1e-10)
  }

  /// The inverse of a 3×3 matrix by cofactors.
  func invert3(_ m: [[Double]]) -> [[Double]] {
    let c00 = m[1][1] * m[2][2] - m[1][2] * m[2][1]
    let c01 = m[1][2] * m[2][0] - m[1][0] * m[2][2]
    let c02 = m[1][0] * m[2][1] - m[1][1] * m[2][0]
    let det = m[0][0] * c00 + m[0][1] * c01 + m[0][2] * c02
    let c10 = m[0][2] * m[2][1] - m[0][1] * m[2][2]
    let c11 = m[0][0] * m[2][2] - m[0][2] * m[2][0]
    let c12 = m[0][1] * m[2][0] - m[0][0] * m[2][1]
    let c20 = m[0][1] * m[1][2] - m[0][2] * m[1][1]
    let c21 = m[0][2] * m[1][0] - m[0][0] * m[1][2]
    let c22 = m[0][0] * m[1][1] - m[0][1] * m[1][0]
    return [[c00, c10, c20], [c01, c11, c21], [c02, c12, c22]].map { $0.map { $0 / det } }
  }
}
