@testable import CalibCore
import Foundation
import Testing

/// `calib limits` (docs/limits.md) on the worked example of DIN 32645 (Fixtures/din32645.csv),
/// against the standard's printed figures and a closed form of the straight line computed
/// independently (numpy / scipy: a = 2480.8667, b = 9661.9394, s = 192.2939 on ν = 8,
/// s(x) = s·√(1/m + 1/n + (x − x̄)²/Sxx), quantiles from scipy.stats.t).
@Suite("Limits of detection and quantification")
struct DetectionLimitsTests {
  func din() throws -> Instrument {
    try Instrument(fixtureInstrument("din32645.csv", x: "x", y: "y", spec: "line"))
  }

  /// DIN 32645 prints the critical value 0.07 (α = 0.01) and the detection limit 0.14 by its
  /// own method (α = β = 0.01); Dintest gives the critical value 0.0698 and, for Procontrol 3.1,
  /// the quantification limit 0.2121 (k = 3, α = 0.01), which chemCal reproduces to 0.212.
  @Test func dinWorkedExampleToItsPrintedDigits() throws {
    let critical = try DetectionLimits(instrument: din(), alpha: 0.01, beta: 0.5)
    let xc = try #require(critical.criticalValue.x)
    #expect((xc * 100).rounded() / 100 == 0.07)
    #expect((xc * 10_000).rounded() / 10_000 == 0.0698)
    let dinMethod = try DetectionLimits(instrument: din(), alpha: 0.01, beta: 0.01, method: .din)
    let xd = try #require(dinMethod.detectionLimit.x)
    #expect((xd * 100).rounded() / 100 == 0.14)
    let iterative = try DetectionLimits(instrument: din(), alpha: 0.01, beta: 0.01, k: 3)
    let xq = try #require(iterative.quantificationLimit.x)
    #expect((xq * 1000).rounded() / 1000 == 0.212)
  }

  /// Every limit to 1e-9 relative of the closed form.
  @Test func dinExampleMatchesTheClosedForm() throws {
    let quick = try DetectionLimits(instrument: din(), alpha: 0.01, beta: 0.01, k: 3, method: .din)
    let iterative = try DetectionLimits(instrument: din(), alpha: 0.01, beta: 0.01, k: 3)
    let expected: [(Double?, Double)] = [
      (quick.criticalValue.x, 0.06981269687542896),
      (quick.detectionLimit.x, 0.13962539375085792),
      (quick.quantificationLimit.x, 0.24262239077498413),
      (iterative.criticalValue.x, 0.06981269687542896),
      (iterative.detectionLimit.x, 0.13290525610756093),
      (iterative.quantificationLimit.x, 0.21194999607575732),
    ]
    for (value, reference) in expected {
      let x = try #require(value)
      #expect(Swift.abs(x - reference) < 1e-9 * reference, "\(x) against \(reference)")
    }
    // y at the critical value: a + t₀.₉₉,₈·s(0), s(0) = 192.2939·√(1 + 1/10 + 0.275²/0.20625).
    #expect(Swift.abs(iterative.figures.quantileAlpha - 2.896459447701918) < 1e-10)
    let y = try #require(iterative.criticalValue.y)
    #expect(Swift.abs(y - (2480.8666666666672 + 9661.939393939392 * 0.06981269687542896)) < 1e-6)
    #expect(iterative.figures.dof == 8 && iterative.warnings.count == 1)
  }

  /// With u(y) known the quantiles are normal: a line through 0…4 read with u = 0.1 has
  /// Var(â) = u²(1/n + x̄²/Sxx) at the blank, s(0) = √(u²/m + Var(â)), x_c = z₀.₉₅·s(0)/b;
  /// m readings averaged shrink the noise term only.
  @Test func knownNoiseUsesNormalQuantiles() throws {
    let text = "x,y,u\n0,0.02,0.1\n1,0.49,0.1\n2,1.03,0.1\n3,1.48,0.1\n4,2.01,0.1\n"
    let state = try textInstrument(text, spec: "line", sy: "u")
    let slope = state.parameters[1].estimate
    for m in [1, 4] {
      let limits = try DetectionLimits(instrument: Instrument(state), replicates: m)
      let variance = 0.01 / Double(m) + 0.01 * (1.0 / 5 + 4.0 / 10)
      let expected = 1.6448536269514722 * variance.squareRoot() / slope
      let x = try #require(limits.criticalValue.x)
      #expect(Swift.abs(x - expected) < 1e-9 * expected)
      #expect(limits.figures.dof == nil && limits.warnings.isEmpty)
    }
  }

  /// The file validates against its schema.
  @Test func fileMatchesItsSchema() throws {
    let validator = try JSONSchemaValidator(folder: SchemaTests.folder)
    for method in DetectionLimits.Method.allCases {
      let limits = try DetectionLimits(instrument: din(), method: method)
      let problems = validator.validate(
        try JSONValue.parse([UInt8](try JSONEncoder.calibFile.encode(limits))),
        against: "limits.schema.json")
      #expect(problems.isEmpty, "\(problems)")
    }
  }

  /// Instruments the standard does not cover are refused, saying why.
  @Test func refusesWhatTheStandardDoesNotCover() throws {
    let elisa = try Instrument(
      fixtureInstrument("elisa-4pl.csv", x: "conc_ng_mL", y: "od", spec: "4pl"))
    #expect {
      try DetectionLimits(instrument: elisa)
    } throws: { error in
      "\(error)".contains("linear in their parameters")
    }
    #expect(throws: MeasurementError.self) { try DetectionLimits(instrument: din(), alpha: 0.7) }
  }
}

/// With an even number of standards of known u the variance of a sample's reading is the
/// median of their u², the mean of the two middle ones (found in review: the upper middle was
/// taken).
@Suite("Limits with known noise of varying u")
struct DetectionLimitsKnownMedianTests {
  @Test func medianOfAnEvenNumberOfVariances() throws {
    let text = "x,y,u\n0,0.01,0.1\n1,0.52,0.1\n2,0.98,0.2\n3,1.51,0.2\n"
    let state = try textInstrument(text, spec: "line", sy: "u")
    let limits = try DetectionLimits(instrument: Instrument(state))
    // s(0)² = median u² + φ(0)ᵀCφ(0), C the fit's covariance (u known: unscaled).
    let h = state.covariance[0][0]
    let expected = (0.025 + h).squareRoot()
    #expect(Swift.abs(limits.figures.blankSD - expected) < 1e-12 * expected)
  }
}
