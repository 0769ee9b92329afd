import CalibCore
import Foundation
import Testing

/// Inputs that once crashed calib (found by probing the formula parser for the fuzzing of
/// docs/testing.md), kept as regression tests: each is now refused with an error, never a trap.
@Suite("Fuzzing regressions")
struct FuzzRegressionTests {
  /// Formulas nested or chained 30 000 deep exhausted the stack (signal 11) in the recursive
  /// parser (`FormulaParser.State.primary`, `.current`) and in the walks over the tree
  /// (`Expression.visitSymbols`): `calib fit --model=…` and any instrument file holding one.
  static let deepFormulas: [(String, String)] = [
    (
      "nested parentheses",
      String(repeating: "(", count: 30_000) + "b1*x" + String(repeating: ")", count: 30_000)
    ),
    ("chained unary minus", "b1*" + String(repeating: "-", count: 30_000) + "x"),
    ("chained powers", "b1*x" + String(repeating: "^2", count: 30_000)),
    ("a sum of 30 000 terms", "b1*x" + String(repeating: "+x", count: 30_000)),
  ]

  @Test(
    "formulas too long to be a model are refused, not a stack overflow", arguments: deepFormulas)
  func deepFormula(_ label: String, formula: String) throws {
    let error = #expect(throws: FormulaSyntaxError.self, "\(label)") {
      try FormulaParser.parse(formula)
    }
    // Token 1000 (from 0) is where the bound is crossed; each construction above has one
    // character per token up to there, except the first ones (`b1*x` is three tokens in
    // four characters), so the column is 1001 plus that difference.
    #expect(error?.message.contains("longer than 1000") == true)
    let column = try #require(error?.column)
    #expect(column > 1000 && column < 1010, "\(label): column \(column)")
    #expect(throws: ModelError.self) { try ResponseModel(spec: formula, predictors: ["x"]) }
  }

  /// The deepest formulas within the bound are read, differentiated and evaluated: 498
  /// parentheses deep, and a product of 332 factors (each `*x` two tokens).
  @Test("the deepest formulas within the bound are read and evaluated exactly")
  func deepestAccepted() throws {
    let nested = String(repeating: "(", count: 498) + "b1*x" + String(repeating: ")", count: 498)
    let model = try ResponseModel(spec: nested, predictors: ["x"])
    // f = b1·x: at x = 2, b1 = 3, f = 6, ∂f/∂b1 = x = 2, ∂f/∂x = b1 = 3, exactly.
    #expect(model.response(at: [2.0], parameters: [3.0]) == 6)
    #expect(model.parameterGradient(at: [2], parameters: [3]) == [2])
    #expect(model.predictorGradient(at: [2], parameters: [3]) == [3])
    let product = try ResponseModel(
      spec: "b1" + String(repeating: "*x", count: 332), predictors: ["x"])
    // f = b1·x³³² at x = 1: f = b1 and ∂f/∂x = 332·b1, exactly.
    #expect(product.response(at: [1.0], parameters: [0.5]) == 0.5)
    #expect(product.predictorGradient(at: [1], parameters: [0.5]) == [166])
  }

  @Test("the largest family, poly:20, is well within the bound")
  func largestFamily() throws {
    let model = try ResponseModel(spec: "poly:20", predictors: ["x"])
    #expect(model.parameters.count == 21)
  }

  /// Found auditing the force unwraps (`slots[name]!`): a predictor column named like a
  /// parameter of the family (`--x b --model 4pl`) shared the parameter's slot, so the slope
  /// was ∂f/∂x + ∂f/∂b and the Wald sd of a reading of the ELISA fixture came out 0.103
  /// instead of 0.251, silently. Such a column is now refused.
  @Test(
    "a predictor named like a parameter of the family is refused",
    arguments: [
      ("4pl", "b"), ("4pl", "d"), ("5pl", "g"), ("mm", "km"), ("poly:2", "b1"), ("exp", "b2"),
    ])
  func predictorNamedLikeParameter(_ family: String, predictor: String) throws {
    let error = #expect(throws: ModelError.self) {
      try ResponseModel(spec: family, predictors: [predictor])
    }
    #expect("\(error.map { "\($0)" } ?? "")".contains("has the name of a parameter"))
    // Any other name is read, with the family's parameters.
    #expect(try ResponseModel(spec: family, predictors: ["conc"]).parameters.contains(predictor))
  }
}
