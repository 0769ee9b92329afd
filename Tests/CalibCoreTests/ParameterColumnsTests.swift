@testable import CalibCore
import Foundation
import Testing

/// The model evaluated at many parameter vectors at once (`ParameterColumns`,
/// `CompiledExpression.evaluate(columns:logarithms:count:workspace:into:)`) against the one-point
/// evaluator, which walks the same program one point at a time.
@Suite("Model at many parameter vectors at once")
struct ParameterColumnsTests {
  /// Parameter vectors spread over [−2, 3] (a fixed linear congruential sequence), some with
  /// a zero or a negative first parameter to reach the instructions' special cases.
  static func vectors(count: Int, dimension: Int) -> [[Double]] {
    var state: UInt64 = 20_261_127
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53)
    }
    return (0..<count).map { s in
      (0..<dimension).map { j in j == 0 && s % 17 == 0 ? 0 : -2 + 5 * next() }
    }
  }

  @Test(
    "every instruction, across chunk boundaries: bit for bit the one-point evaluator's",
    arguments: [
      "d + (a - d)/(1 + (x/c)^b)", "b1*(1-exp(-b2*x))", "b1*x^b2*log(x) + b3",
      "abs(b1)*sqrt(x) + b2^3 - b3/x", "-(x-b1)**2 + atan(b2/(x-b3))/pi",
      "b1*x^b2 + (b3/x)^b1 - (b2/b3)^x",
    ])
  func bitForBit(_ formula: String) throws {
    let model = try ResponseModel(spec: formula, predictors: ["x"])
    // The response and its derivatives (powerLog, powerSlope and vanishingProduct come from
    // the derivatives of powers and exponentials).
    let programs =
      [model.compiledResponse] + model.compiledParameterDerivatives
      + model.compiledPredictorDerivatives
    let p = model.parameters.count
    for count in [1, 127, 128, 129, 300] {
      let vectors = Self.vectors(count: count, dimension: p)
      let columns = ParameterColumns(vectors)
      for x in [0.0, 0.5, 2.75, -1.25] {
        for program in programs {
          var batch: [Double] = []
          columns.forEachChunk(at: x, of: program) { start, means in
            #expect(start == batch.count && means.count <= ParameterColumns.chunk)
            batch.append(contentsOf: means)
          }
          let single = vectors.map { program.evaluate([x] + $0) as Double }
          #expect(batch.count == count)
          #expect(zip(batch, single).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
      }
    }
  }

  @Test("the 4PL's values against its closed form, to 4 ulp")
  func closedForm() throws {
    let model = try ResponseModel(spec: "d + (a - d)/(1 + (x/c)^b)", predictors: ["x"])
    let names = model.parameters
    let vectors = Self.vectors(count: 200, dimension: 4).map { v in
      // a, d anywhere; b and c positive.
      [v[0], 0.5 + Swift.abs(v[1]), 0.1 + Swift.abs(v[2]), v[3]]
    }
    // The vectors above are (a, b, c, d); the model's slots follow its own parameter order.
    let order = ["a", "b", "c", "d"].map { name in names.firstIndex(of: name)! }
    let placed = vectors.map { v in
      var slots = [Double](repeating: 0, count: 4)
      for k in 0..<4 { slots[order[k]] = v[k] }
      return slots
    }
    var values: [Double] = []
    ParameterColumns(placed).forEachChunk(at: 3.5, of: model.compiledResponse) { _, means in
      values.append(contentsOf: means)
    }
    for (v, value) in zip(vectors, values) {
      let (a, b, c, d) = (v[0], v[1], v[2], v[3])
      let expected = d + (a - d) / (1 + pow(3.5 / c, b))
      #expect(Swift.abs(value - expected) <= 4 * expected.ulp + 4 * Swift.abs(a - d).ulp)
    }
  }
}
