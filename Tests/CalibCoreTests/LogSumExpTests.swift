@testable import CalibCore
import Foundation
import Testing

/// log Σ exp(ℓₖ) one term at a time and a buffer at a time (`LogSumExp`), against the sum
/// written out here from the smallest term up, relative to the largest.
@Suite("Log-sum-exp")
struct LogSumExpTests {
  /// log Σ exp(ℓₖ) over the terms above −∞: the largest plus the log of exp(ℓₖ − largest)
  /// summed from the smallest up; −∞ for none.
  static func reference(_ terms: [Double]) -> Double {
    let finite = terms.filter { $0 > -.infinity }
    guard let top = finite.max() else { return -.infinity }
    return top + log(finite.map { exp($0 - top) }.sorted().reduce(0, +))
  }

  /// Chunks of terms of every size, in which the largest comes late (the sum rescaled), with
  /// −∞ terms, a chunk of nothing but −∞, terms up to 1e5 in size (no overflow), and terms
  /// 60 and more below the largest, which the buffered sum leaves out (each under e⁻⁵⁰ of the
  /// sum). Both ways agree with the reference to 1e-14 of max(1, |ℓ|): enough to catch terms
  /// a few units below the largest left out, though not to tell −30 from −50 as the limit
  /// (terms that far down do not show in a double's ℓ).
  @Test("by terms and by buffers: the sum written out, to 1e-14")
  func sums() {
    var state: UInt64 = 42
    func uniform() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53)
    }
    for (spread, offset) in [(1.0, 0.0), (30.0, -700.0), (200.0, 1e5), (5.0, -1e5)] {
      var chunks: [[Double]] = [[], [-.infinity, -.infinity]]
      for size in [1, 7, 128, 300] {
        chunks.append(
          (0..<size).map { k in
            k % 11 == 3 ? -.infinity : offset + spread * (uniform() - 1) + Double(chunks.count)
          })
      }
      chunks.append([offset - 60 * spread - 61, offset + 4, -.infinity])
      var byTerms = LogSumExp(), byBuffers = LogSumExp()
      for chunk in chunks {
        for term in chunk { byTerms.add(term) }
        chunk.withUnsafeBufferPointer { byBuffers.add(contentsOf: $0) }
      }
      let expected = Self.reference(chunks.flatMap { $0 })
      let tolerance = 1e-14 * max(1, abs(expected))
      #expect(abs(byTerms.value() - expected) <= tolerance, "\(spread), \(offset)")
      #expect(abs(byBuffers.value() - expected) <= tolerance, "\(spread), \(offset)")
      #expect(abs(byBuffers.value(dividedBy: 3) - (expected - log(3))) <= tolerance)
    }
  }

  @Test("no terms, or only zeros: −∞; a NaN term: NaN")
  func empty() {
    var sum = LogSumExp()
    [-Double.infinity, -.infinity].withUnsafeBufferPointer { sum.add(contentsOf: $0) }
    #expect(sum.value() == -.infinity)
    [Double]().withUnsafeBufferPointer { sum.add(contentsOf: $0) }
    #expect(sum.value() == -.infinity)
    [1.0, .nan, 2].withUnsafeBufferPointer { sum.add(contentsOf: $0) }
    #expect(sum.value().isNaN)
    var alone = LogSumExp()
    [.nan, -.infinity].withUnsafeBufferPointer { alone.add(contentsOf: $0) }
    #expect(alone.value().isNaN)
  }
}
