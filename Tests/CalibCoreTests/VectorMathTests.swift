import CVectorMath
import Foundation
import Testing

/// The exponentials and square roots taken many at a time (`Sources/CVectorMath`) against the
/// C library's, one value at a time.
@Suite("Exponentials and square roots many at a time")
struct VectorMathTests {
  /// Exponents over the range a model's powers reach, [−745, 710] (where exp underflows
  /// to 0 and overflows), from a fixed linear congruential sequence, spread on a log scale so
  /// that small ones are as many as large ones, with the special values between them.
  static func exponents(_ count: Int) -> [Double] {
    var state: UInt64 = 20_261_128
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53)
    }
    let special: [Double] = [
      0, -0.0, .infinity, -.infinity, .nan, 709.78, 709.79, -708.39, -745.2, -745.1, 1e-300,
    ]
    return (0..<count).map { k in
      if k % 13 == 0 { return special[(k / 13) % special.count] }
      let magnitude = Foundation.pow(10, -12 + 14.85 * next())
      return (next() < 0.5 ? -1 : 1) * Swift.min(magnitude, 745)
    }
  }

  @Test("exp within 4 ulp of the C library's (its special values exactly)")
  func exponentialsAgainstTheCLibrary() {
    let values = Self.exponents(20_000)
    var results = values
    calib_exp_each(&results, results.count)
    for (x, y) in zip(values, results) {
      let reference = Foundation.exp(x)
      if x.isNaN {
        #expect(y.isNaN)
      } else if reference == 0 || reference.isInfinite || reference < Double.leastNormalMagnitude {
        // Underflow and overflow: exactly, but for the subnormal results (4 ulp of the least
        // normal magnitude).
        #expect(
          y == reference || Swift.abs(y - reference) <= 4 * Double.leastNonzeroMagnitude,
          "exp(\(x)) = \(y), the C library's \(reference)")
      } else {
        #expect(
          Swift.abs(y - reference) <= 4 * reference.ulp,
          "exp(\(x)) = \(y), the C library's \(reference)")
      }
    }
  }

  @Test(
    "each exponential the same bits whatever its neighbours and the count, and as calib_exp",
    arguments: [1, 2, 3, 7, 128, 129])
  func exponentialsOneByOne(_ count: Int) {
    let values = Self.exponents(count * 5)
    for start in stride(from: 0, to: values.count - count, by: count) {
      var chunk = Array(values[start..<(start + count)])
      calib_exp_each(&chunk, chunk.count)
      for (x, y) in zip(values[start..<(start + count)], chunk) {
        let single = calib_exp(x)
        #expect(single.bitPattern == y.bitPattern || (single.isNaN && y.isNaN))
      }
    }
  }

  @Test("square roots bit for bit the C library's, NaN below 0", arguments: [1, 2, 5, 128])
  func squareRoots(_ count: Int) {
    let values = Self.exponents(count * 7).map { $0.isNaN ? $0 : Swift.abs($0) * (1 + $0) }
    for start in stride(from: 0, to: values.count - count, by: count) {
      let chunk = Array(values[start..<(start + count)])
      var roots = [Double](repeating: 0, count: count)
      calib_sqrt_each(&roots, chunk, count)
      for (x, root) in zip(chunk, roots) {
        let reference = Foundation.sqrt(x)
        #expect(
          reference.bitPattern == root.bitPattern || (reference.isNaN && root.isNaN),
          "sqrt(\(x)) = \(root), the C library's \(reference)")
      }
    }
  }
}
