@testable import CalibCore
import Foundation
import Testing

/// The quadrature over an instrument's parameters (`--marginalize integration`), σ estimated:
/// the readings' density at each node by products and a square root, against its logarithmic
/// form written out here.
@Suite("Quadrature over the parameters")
struct QuadratureMarginalizationTests {
  /// Reference: log Σₖ wₖ·t-density, with the multivariate t about f(x; aₖ) in its
  /// logarithmic form, (RSS/n)^(−m/2)·(1 + S/RSS)^(−(n+m)/2) through log and log1p, from the
  /// rule's nodes, weights and residual sums and the model evaluated one node at a time.
  static func reference(
    _ rule: QuadratureMarginalization, x: Double, readings: [Double]
  ) -> Double {
    let (m, n) = (Double(readings.count), Double(rule.n))
    var terms: [Double] = []
    for k in rule.nodes.indices where rule.weights[k] > 0 {
      let mean: Double = rule.instrument.model.response(at: [x], parameters: rule.nodes[k])
      let s = readings.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
      let rss = rule.residualSums[k]
      terms.append(
        log(rule.weights[k]) - 0.5 * m * log(rss / n) - 0.5 * (n + m) * log1p(s / rss))
    }
    let top = terms.max() ?? 0
    return top + log(terms.reduce(0.0) { $0 + exp($1 - top) })
  }

  /// The two forms sum the same terms, rounded differently (log1p and exp against products and
  /// a square root, a few ulp of each term): 1e-12 of |ℓ| holds them with room. 601 readings
  /// take (RSS/(RSS + S))^((n+m)/2) below the smallest double at every x, through their own
  /// scatter: the products must take that part out first.
  @Test(
    "σ estimated: ℓ by products equals its logarithmic form to 1e-12, odd and even n + m",
    arguments: [1, 2, 3, 6, 601])
  func studentTerms(_ count: Int) throws {
    let state = try MeasurementMapTests.detector()
    let instrument = try Instrument(state)
    let rule = try QuadratureMarginalization(
      instrument, instrument: try MeasuringInstrument(instrument))
    #expect(rule.nodes.count > 100 && rule.noiseFunctions.isEmpty)
    // Readings about 310 counts, as in MeasurementMapTests; x across the prior range and beyond.
    let readings = (0..<count).map { 310 + 4 * Double($0 % 3) - 4 }
    let l = rule.logDensity(readings: readings, uncertainties: nil)
    for x in [0.5, 1.8, 2.1, 2.6, 9.0] {
      let expected = Self.reference(rule, x: x, readings: readings)
      #expect(expected.isFinite)
      #expect(abs(l(x) - expected) <= 1e-12 * max(1, abs(expected)), "x = \(x)")
    }
  }

  /// Hundreds of identical readings: the nodes' fixed parts (RSS/n)^(−m/2)·(RSS/c)^p then span
  /// more than a double holds, while r^p, largest at the nodes of large residual sums, makes
  /// up for them. Summed relative to the largest fixed part, those nodes' terms were lost
  /// (ℓ off by 23 at 800 readings; −∞ everywhere when they also set the reference r): such an
  /// observation takes each node's term as a logarithm (`StudentTerms.logFactors`).
  @Test(
    "σ estimated, hundreds of identical readings: ℓ finite, equal to its logarithmic form",
    arguments: [300, 800])
  func identicalReadings(_ count: Int) throws {
    let state = try MeasurementMapTests.detector()
    let instrument = try Instrument(state)
    let rule = try QuadratureMarginalization(
      instrument, instrument: try MeasuringInstrument(instrument))
    let readings = [Double](repeating: 310, count: count)
    let l = rule.logDensity(readings: readings, uncertainties: nil)
    for x in [1.8, 2.1, 2.6] {
      let expected = Self.reference(rule, x: x, readings: readings)
      #expect(expected.isFinite)
      #expect(abs(l(x) - expected) <= 1e-12 * max(1, abs(expected)), "x = \(x)")
    }
  }

  /// The 4pl of `farBeyondAsymptote`'s 200 standards.
  static func tightFourPL() throws -> Instrument {
    var text = "x,y\n"
    for k in 0..<40 {
      let x = 0.1 * pow(2, Double(k) / 4)
      for e in [-0.015, -0.005, 0, 0.005, 0.015] {
        let y = 0.05 + 1.95 / (1 + pow(x / 10, -1.2)) + e + 0.002 * Double((k * 7) % 5 - 2)
        text += "\(x),\(y)\n"
      }
    }
    return try Instrument(try textInstrument(text, spec: "4pl"))
  }

  /// One reading so far from the curve (about 10¹⁵³, the residual sums 0.03) that the largest
  /// ratio r = c/(c + (ȳ − f)²) is 3·10⁻³⁰⁹, below the smallest normal double, whose
  /// reciprocal overflows: ℓ must stay finite there (r/top taken as r·(1/top) gave +∞).
  @Test("a reading whose largest ratio is subnormal: ℓ finite, its logarithmic form to 1e-12")
  func subnormalLargestRatio() throws {
    let instrument = try Self.tightFourPL()
    let rule = try QuadratureMarginalization(
      instrument, instrument: try MeasuringInstrument(instrument))
    let weighted = rule.weights.indices.filter { rule.weights[$0] > 0 }
    let largest = weighted.map { rule.residualSums[$0] }.max() ?? 0
    let reading = (largest / 3e-309).squareRoot()
    #expect(reading.isFinite && reading * reading < .greatestFiniteMagnitude)
    let l = rule.logDensity(readings: [reading], uncertainties: nil)
    for x in [1.0, 10.0, 100.0] {
      // The logarithmic form, with log(RSS + S) − log(RSS) for log1p(S/RSS), which overflows.
      var terms: [Double] = []
      for k in weighted {
        let mean: Double = rule.instrument.model.response(at: [x], parameters: rule.nodes[k])
        let s: Double = (reading - mean) * (reading - mean)
        let rss: Double = rule.residualSums[k]
        let n = Double(rule.n)
        let scale: Double = log(rule.weights[k]) - 0.5 * log(rss / n)
        terms.append(scale - 0.5 * (n + 1) * (log(rss + s) - log(rss)))
      }
      let top = terms.max() ?? 0
      let expected = top + log(terms.reduce(0.0) { $0 + exp($1 - top) })
      #expect(expected.isFinite && l(x).isFinite, "x = \(x): ℓ = \(l(x))")
      #expect(abs(l(x) - expected) <= 1e-12 * abs(expected), "x = \(x)")
    }
  }

  /// A 4pl fitted to 200 standards, and 20 readings a hundred σ beyond its upper asymptote:
  /// every node's (1 + S/RSS)^(−(n+m)/2) lies below the smallest double at every x, so the
  /// sum must be taken relative to its largest term (the old logarithmic form measured these).
  @Test("readings far beyond an asymptote: ℓ finite, equal to its logarithmic form to 1e-12")
  func farBeyondAsymptote() throws {
    let instrument = try Self.tightFourPL()
    let rule = try QuadratureMarginalization(
      instrument, instrument: try MeasuringInstrument(instrument))
    let readings = (0..<20).map { 3.0 + 0.01 * Double($0 % 3 - 1) }
    let l = rule.logDensity(readings: readings, uncertainties: nil)
    for x in [1.0, 10.0, 100.0, 170.0] {
      let expected = Self.reference(rule, x: x, readings: readings)
      #expect(expected.isFinite)
      #expect(abs(l(x) - expected) <= 1e-12 * max(1, abs(expected)), "x = \(x)")
    }
  }
}
