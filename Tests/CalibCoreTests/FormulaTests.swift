@testable import CalibCore
import Foundation
import Testing

@Suite("Formula language")
struct FormulaTests {
  @Test("precedence and associativity follow the contract")
  func precedence() throws {
    let x = Expression.symbol("x"), b4 = Expression.symbol("b4")
    #expect(try FormulaParser.parse("-(x-b4)**2") == .negate(.power(.subtract(x, b4), .number(2))))
    #expect(try FormulaParser.parse("-(x-b4)^2") == FormulaParser.parse("-(x-b4)**2"))
    #expect(try FormulaParser.parse("2^3^2") == .power(.number(2), .power(.number(3), .number(2))))
    #expect(try FormulaParser.parse("-2^2") == .negate(.power(.number(2), .number(2))))
    #expect(try FormulaParser.parse("2^-x") == .power(.number(2), .negate(x)))
    #expect(try FormulaParser.parse("x-b4-1") == .subtract(.subtract(x, b4), .number(1)))
    #expect(try FormulaParser.parse("x/b4*2") == .multiply(.divide(x, b4), .number(2)))
    #expect(try FormulaParser.parse("2*pi") == .multiply(.number(2), .number(Double.pi)))
    #expect(try FormulaParser.parse("e") == .number(M_E))
  }

  @Test(
    "evaluation of the grammar's corner cases, to 4e-16",
    arguments: [
      ("2^3^2", 512.0), ("-2^2", -4.0), ("2^-1", 0.5), ("(-2)^2", 4.0), ("2**3**2", 512.0),
      ("10 - 4 - 3", 3.0), ("12/3/2", 2.0), ("-3*-2", 6.0), ("+5", 5.0), ("abs(-2.5)", 2.5),
      ("sqrt(16) + exp(0) + log(e)", 6.0), ("atan(1)*4 - pi", 0.0), ("1.5e2", 150.0),
    ])
  func evaluation(_ formula: String, expected: Double) throws {
    // Exact in binary floating point except the last two, which are within 1 ulp.
    let model = try ResponseModel(spec: "b0 + " + formula, predictors: ["x"])
    #expect(
      Swift.abs(model.response(at: [0.0], parameters: [0.0]) - expected) <= 4e-16
        * max(1, Swift.abs(expected)))
  }

  @Test(
    "syntax errors name the column",
    arguments: [
      ("b1*(x", 6, "expected ')'"),
      ("b1 + * x", 6, "expected a number, a name or '('"),
      ("foo(x)", 1, "unknown function 'foo'"),
      ("exp x", 5, "expected '(' after the function exp"),
      ("b1 $ x", 4, "unexpected character '$'"),
      ("", 1, "empty"),
      ("b1 x", 4, "expected an operator"),
      ("b1*(x))", 7, "expected an operator"),
      ("b1 + ", 6, "ends where"),
      ("1.2.3*x", 1, "not a number"),
    ])
  func syntaxErrors(_ formula: String, column: Int, message: String) {
    let error = #expect(throws: FormulaSyntaxError.self) { try FormulaParser.parse(formula) }
    #expect(error?.column == column, "\(error?.description ?? "")")
    #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
  }

  @Test(
    "a formula written back parses to the same tree",
    arguments: [
      "-(x-b4)**2", "b1*(1-exp(-b2*x))", "b1 - b2*x - atan(b3/(x-b4))/pi",
      "d + (a - d)/(1 + (x/c)^b)^g",
      "2^3^2", "(2^3)^2", "a - (b - c)", "a/(b*c)", "a*-b", "x^-2", "(-2)^x", "-(a*b)", "--a",
      "a - -2",
      "b0 + b1*x1 + b2*x2", "exp(b1)*sqrt(abs(x))", "1e-300*x + b0", "0.1*b1",
    ])
  func roundTrip(_ formula: String) throws {
    let tree = try FormulaParser.parse(formula)
    #expect(try FormulaParser.parse(tree.description) == tree, "\(formula) → \(tree.description)")
  }

  /// Exact derivatives against closed forms, at points where every term is O(1).
  /// Tolerance 1e-13 relative: a few roundings apart.
  @Test("derivatives match closed forms, to 1e-13 relative")
  func derivatives() throws {
    func check(
      _ spec: String, predictors: [String] = ["x"], x: [Double], a: [Double],
      parameters expected: [Double], predictor expectedX: [Double]
    ) throws {
      let model = try ResponseModel(spec: spec, predictors: predictors)
      let g = model.parameterGradient(at: x, parameters: a)
      let gx = model.predictorGradient(at: x, parameters: a)
      // Counted first: the zip below stops at the shorter list.
      #expect(g.count == expected.count && gx.count == expectedX.count, "\(spec): \(g + gx)")
      for (value, reference) in zip(g + gx, expected + expectedX) {
        #expect(
          Swift.abs(value - reference) <= 1e-13 * max(1, Swift.abs(reference)),
          "\(spec): \(g + gx) vs \(expected + expectedX)")
      }
    }
    let (x, b1, b2) = (3.0, 240.0, 5.5e-4)
    try check(
      "b1*(1-exp(-b2*x))", x: [x], a: [b1, b2],
      parameters: [1 - exp(-b2 * x), b1 * x * exp(-b2 * x)], predictor: [b1 * b2 * exp(-b2 * x)])

    let (a, b, c, d, xx) = (0.1, 1.3, 4.0, 2.5, 2.2)
    let u = pow(xx / c, b)
    try check(
      "4pl", x: [xx], a: [a, b, c, d],
      parameters: [
        1 / (1 + u), -(a - d) * u * log(xx / c) / ((1 + u) * (1 + u)),
        (a - d) * u * b / (c * (1 + u) * (1 + u)), 1 - 1 / (1 + u),
      ],
      predictor: [-(a - d) * b * u / (xx * (1 + u) * (1 + u))])

    let (r1, r2, r3, r4, rx) = (0.2, -6.4e-6, 1.2e3, -181.0, -3000.0)
    let q = r3 / (rx - r4)
    try check(
      "b1 - b2*x - atan(b3/(x-b4))/pi", x: [rx], a: [r1, r2, r3, r4],
      parameters: [
        1, -rx, -1 / (Double.pi * (1 + q * q) * (rx - r4)),
        -r3 / (Double.pi * (1 + q * q) * (rx - r4) * (rx - r4)),
      ],
      predictor: [-r2 + r3 / (Double.pi * (1 + q * q) * (rx - r4) * (rx - r4))])

    try check(
      "b0 + b1*x^b2", x: [2.5], a: [1, 3, 0.7],
      parameters: [1, pow(2.5, 0.7), 3 * pow(2.5, 0.7) * log(2.5)],
      predictor: [3 * 0.7 * pow(2.5, -0.3)])

    try check(
      "b1*sqrt(abs(x - b2))", x: [1.0], a: [2, 4],
      parameters: [sqrt(3.0), 2 * (1 / (2 * sqrt(3.0))) * 1], predictor: [-2 / (2 * sqrt(3.0))])

    try check(
      "sin(b1*x) + cos(b2)*tan(x)", x: [0.7], a: [1.1, 0.4],
      parameters: [0.7 * cos(1.1 * 0.7), -sin(0.4) * tan(0.7)],
      predictor: [1.1 * cos(1.1 * 0.7) + cos(0.4) * (1 + tan(0.7) * tan(0.7))])

    try check(
      "b1*log(b2*x)/b2", x: [2.0], a: [3, 0.5],
      parameters: [log(1.0) / 0.5, 3 * (1 / 0.5) / 0.5 - 3 * log(1.0) / 0.25],
      predictor: [3 / (2.0 * 0.5)])

    try check(
      "b0 + b1*x1 + b2*x2*x1", predictors: ["x1", "x2"], x: [2, 3], a: [1, 2, 3],
      parameters: [1, 2, 6], predictor: [2 + 3 * 3, 3 * 2])
  }

  @Test(
    "models linear in their parameters are recognized",
    arguments: [
      ("poly:3", true), ("line", true), ("log", true), ("b0 + b1*x1 + b2*x2", true), ("b1/x", true),
      ("(b0 + b1*x)*2", true), ("b0 + log(x)", true), ("-(b1*x - b0)/3", true),
      ("b1*x + b1*x^2", true),
      ("b1*(1-exp(-b2*x))", false), ("b1*b2*x", false), ("x/b1", false), ("exp(b1)", false),
      ("x^b1", false),
      ("exp", false), ("power", false), ("4pl", false), ("5pl", false), ("mm", false),
    ])
  func linearity(_ spec: String, linear: Bool) throws {
    let predictors = spec.contains("x1") ? ["x1", "x2"] : ["x"]
    let model = try ResponseModel(spec: spec, predictors: predictors)
    #expect(model.isLinear == linear)
  }

  @Test("a linear decomposition reproduces the response, to 1e-14")
  func decomposition() throws {
    let model = try ResponseModel(spec: "b0 + log(x) - (b1*x - b2*x^2)/3 + b1", predictors: ["x"])
    let linear = try #require(model.linearStructure)
    #expect(linear.offset.description == "log(x)")
    let a = [0.3, -1.7, 2.2], x = 1.9
    let phi = linear.compiledBasis.map { $0.evaluate([x]) as Double }
    // One basis term per parameter: the zip below would drop a missing one.
    try #require(phi.count == a.count)
    let rebuilt = (linear.compiledOffset.evaluate([x]) as Double) + zip(a, phi).map(*).reduce(0, +)
    #expect(Swift.abs(rebuilt - model.response(at: [x], parameters: a)) < 1e-14)
  }

  @Test(
    "families carry their documented parameters",
    arguments: [
      ("poly:2", ["b0", "b1", "b2"]), ("line", ["b0", "b1"]), ("poly:0", ["b0"]),
      ("exp", ["b0", "b1", "b2"]),
      ("power", ["b0", "b1", "b2"]), ("log", ["b0", "b1"]), ("4pl", ["a", "b", "c", "d"]),
      ("5pl", ["a", "b", "c", "d", "g"]), ("mm", ["vmax", "km"]),
      ("b1*(1-exp(-b2*x))", ["b1", "b2"]),
    ])
  func families(_ spec: String, parameters: [String]) throws {
    #expect(try ResponseModel(spec: spec, predictors: ["conc"]).parameters == parameters)
  }

  @Test(
    "unusable specifications are refused",
    arguments: [
      ("quadratic", ["x"]), ("poly:x", ["x"]), ("poly:-1", ["x"]), ("poly:2", ["x1", "x2"]),
      ("x^2", ["x"]),
      ("b0 + b1*x1", ["x1", "x2"]), ("b1*(x", ["x"]), ("line", []), ("b0 + b1*x", []),
    ])
  func refused(_ spec: String, predictors: [String]) {
    #expect(throws: ModelError.self) { try ResponseModel(spec: spec, predictors: predictors) }
  }

  @Test("double-double x¹⁰ agrees with double to 2 ulp, and with (x⁵)² to 1e-30 relative")
  func doubleDouble() throws {
    let model = try ResponseModel(spec: "b0*x^10", predictors: ["x"])
    let x = DoubleDouble(-6.860120914)
    let exact = model.response(at: [x], parameters: [DoubleDouble(1.0)])
    let approximate: Double = model.response(at: [x.high], parameters: [1.0])
    #expect(Swift.abs(exact.doubleValue - approximate) <= 2 * approximate.ulp)
    // (-6.860120914)^10 to 30 digits (Python decimal, exact power of the double):
    // 4.6308017495795163e8 + remainder; checked by squaring back below instead.
    let fifth = x.raised(toInteger: 5)
    let square = fifth * fifth
    #expect(square.high == exact.high && Swift.abs(square.low - exact.low) <= 1e-30 * exact.high)
  }

  /// exp, log and sqrt in double-double against constants known to 32 digits:
  /// e = 2.71828182845904523536028747135266, ln 2 = 0.693147180559945309417232121458177,
  /// √2 = 1.41421356237309504880168872420970; tolerance 1e-30 relative.
  @Test(
    "double-double exp, log, sqrt and real powers against 32-digit constants, to 1e-30 relative")
  func doubleDoubleFunctions() {
    let e = DoubleDouble(1.0).applying(.exp)
    #expect(e.high == 2.718281828459045 && abs(e.low - 1.4456468917292502e-16) < 1e-30 * 2.72)
    let ln2 = DoubleDouble(2.0).applying(.log)
    #expect(ln2.high == 0.6931471805599453 && abs(ln2.low - 2.3190468138462996e-17) < 1e-30)
    let root2 = DoubleDouble(2.0).applying(.sqrt)
    #expect(
      root2.high == 1.4142135623730951 && abs(root2.low - -9.667293313452913e-17) < 1e-30 * 1.42)
    // 2^0.5 by exp(0.5·log 2) agrees with √2.
    let power = DoubleDouble(2.0).raised(to: DoubleDouble(0.5))
    #expect(power.high == root2.high && abs(power.low - root2.low) < 1e-30)
  }
}
