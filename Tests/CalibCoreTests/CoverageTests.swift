import CalibCore
import Foundation
import Testing

/// The coverage check: each status on a case built to show it, and its figures against
/// closed forms.
@Suite("Coverage check")
struct CoverageTests {
  func absorbance() throws -> InstrumentState {
    try fixtureInstrument("absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
  }

  func measure(
    _ state: InstrumentState, _ readings: [Double], uncertainties: [Double]? = nil,
    thresholds: CoverageThresholds = CoverageThresholds()
  ) throws -> CoverageReport {
    try Measurer(instrument: state, settings: MeasurementSettings(thresholds: thresholds))
      .measure(Observation(id: "o", readings: readings, uncertainties: uncertainties, line: 2))
      .coverage
  }

  @Test("a reading inside the calibrated domain is covered")
  func covered() throws {
    let coverage = try measure(try absorbance(), [0.5])
    #expect(coverage.status == .covered && coverage.reasons.isEmpty)
    #expect(coverage.pOutsideDomain < 1e-12)
    #expect(coverage.reading.withinResponseRange)
    #expect(coverage.consistency.pValue > 0.5)
    #expect(coverage.support.distinctStandardsNearby >= 2)
  }

  /// Leverage of a line at x: 1/n + (x − x̄)²/Sxx; the largest among the standards is at an end.
  @Test("leverage against the closed form of a line, to 1e-14")
  func leverage() throws {
    let state = try absorbance()
    let x = state.domain.x[0]
    let n = Double(x.count), xbar = x.reduce(0, +) / n
    let sxx = x.map { ($0 - xbar) * ($0 - xbar) }.reduce(0, +)
    let report = try Measurer(instrument: state, settings: MeasurementSettings())
      .measure(Observation(id: "o", readings: [1.2909], line: 2))
    let estimate = report.x.estimate
    let atEstimate = try #require(report.coverage.leverage.atEstimate)
    let closedForm: Double = 1 / n + (estimate - xbar) * (estimate - xbar) / sxx
    #expect(abs(atEstimate - closedForm) < 1e-14)
    #expect(abs(report.coverage.leverage.maxStandard - (1 / n + 25 / sxx)) < 1e-14)
  }

  @Test("a reading beyond the standards, inside the prior range, is extrapolated")
  func extrapolated() throws {
    let coverage = try measure(try absorbance(), [1.2909])
    #expect(coverage.status == .extrapolated)
    #expect(coverage.pOutsideDomain > 0.999)
    #expect(try #require(coverage.leverage.ratio) > 1)
    #expect(!coverage.reading.withinResponseRange)
    #expect(coverage.reasons.contains { $0.contains("beyond the standards' readings") })
  }

  @Test("a reading no x in the prior range produces is out of range")
  func outOfRange() throws {
    let coverage = try measure(try absorbance(), [3.9532])
    #expect(coverage.status == .outOfRange)
    #expect(coverage.priorBoundDensity > 0.5)
    // It is inconsistent too, and says so.
    #expect(coverage.consistency.residualPValue < 1e-10)
    #expect(coverage.reasons.count >= 3)
  }

  @Test("replicates that scatter far more than σ are inconsistent")
  func scatteredReplicates() throws {
    let coverage = try measure(try absorbance(), [0.40, 0.60, 0.50])
    #expect(coverage.status == .inconsistent)
    // F = (S/(m−1))/s² on (2, 16) dof; S = 0.02, s from the fit.
    #expect(try #require(coverage.consistency.replicatePValue) < 1e-10)
  }

  @Test("a reading above the top of a quadratic is inconsistent")
  func aboveVertex() throws {
    let state = try fixtureInstrument(
      "quadratic-vertex.csv", x: "x", y: "reading", spec: "poly:2", sy: "u_reading")
    let coverage = try measure(state, [11.6], uncertainties: [0.05])
    #expect(coverage.status == .inconsistent)
    #expect(coverage.consistency.residualPValue < 1e-6)
  }

  @Test("a reading in a gap between the standards is sparse; the threshold is settable")
  func sparse() throws {
    let state = try textInstrument(
      "x,y\n0,0.02\n1,1.01\n2,1.98\n8,8.03\n9,8.97\n10,10.01\n", spec: "line")
    let coverage = try measure(state, [5.0])
    #expect(coverage.status == .sparse)
    #expect(coverage.support.distinctStandardsNearby == 0)
    #expect(coverage.support.nearestStandard == 2 || coverage.support.nearestStandard == 8)
    // The local test agrees: the third of the levels nearest x̂ ≈ 5 (2, 8, then 1 or 9) lies
    // about 4 typical spacings away.
    let reach = try #require(coverage.local?.reach)
    #expect(coverage.local?.sufficient == false && reach > 3.5 && reach < 4.5)
    var relaxed = CoverageThresholds()
    relaxed.minimumSupport = 0
    #expect(try measure(state, [5.0], thresholds: relaxed).status == .sparse)
    relaxed.maximumLocalReach = 4.5
    #expect(try measure(state, [5.0], thresholds: relaxed).status == .covered)
  }

  @Test("an instrument whose standards lie exactly on the curve cannot measure, and says why")
  func exactFit() throws {
    let state = try textInstrument("x,y\n-3,9\n-2,4\n-1,1\n0,0\n1,1\n2,4\n3,9\n", spec: "poly:2")
    let error = #expect(throws: MeasurementError.self) {
      try Measurer(instrument: state, settings: MeasurementSettings())
    }
    #expect(error == .noNoiseEstimate)
    #expect(error?.description.contains("residual sd is 0") == true)
  }

  @Test("the nearest standard's distance is in units of the noise: |x̂ − 4|·|b1|/σ, to 1e-9")
  func noiseMetric() throws {
    let state = try absorbance()
    let report = try Measurer(instrument: state, settings: MeasurementSettings())
      .measure(Observation(id: "o", readings: [0.4], line: 2))
    let b1 = state.parameters[1].estimate
    let sigma = try #require(state.noise.sigma)
    let expected = abs(report.x.estimate - 4) * abs(b1) / sigma
    #expect(report.coverage.support.nearestStandard == 4)
    #expect(abs(try #require(report.coverage.support.nearestDistance) - expected) < 1e-9)
  }
}

@Suite("Instrument map")
struct InstrumentMapTests {
  /// A dilution series with a blank (Fixtures/elisa-blank.csv: 0 and 0.3 … 300 ng/mL, a factor
  /// of about 3 apart): still a geometric design, with the step of its positive standards,
  /// log(300/0.3)/6 (closed form), and the blank a neighbour of the lowest standard, so no
  /// part of [0, 300] is sparse.
  @Test("a blank standard keeps a dilution series geometric: its step is log(1000)/6, to 1e-12")
  func blankInDilutionSeries() throws {
    let state = try fixtureInstrument("elisa-blank.csv", x: "conc_ng_mL", y: "od", spec: "4pl")
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    let map = try InstrumentMap(measurer: measurer, points: 31)
    #expect(map.spacingScale == "log")
    #expect(abs(map.typicalSpacing - log(1000) / 6) < 1e-12)
    #expect(!map.regions.contains { $0.status == .sparse && $0.lower < 300 })
  }

  @Test(
    "regions of a calibration with a gap, exact at one spacing; x_sd = s·√(1 + h)/|b1|, to 1e-12")
  func regions() throws {
    let state = try fixtureInstrument(
      "pressure-gap.csv", x: "pressure_kPa", y: "output_mV", spec: "line")
    let map = try InstrumentMap(
      measurer: try Measurer(instrument: state, settings: MeasurementSettings()), points: 31)
    // Standards at 0, 10, 20, 80, 90, 100: spacing 20, reach 25; range [−100, 200]. Two
    // standards lie within 25 of every x up to 35 and from 65.
    #expect(map.typicalSpacing == 20 && map.distinctStandards == 6 && map.spacingScale == "linear")
    let expected: [(Double, Double, CoverageStatus)] = [
      (-100, 0, .extrapolated), (0, 35, .covered), (35, 65, .sparse), (65, 100, .covered),
      (100, 200, .extrapolated),
    ]
    #expect(map.regions.map { [$0.lower, $0.upper] } == expected.map { [$0.0, $0.1] })
    #expect(map.regions.map(\.status) == expected.map(\.2))
    #expect(map.points.count == 31 && map.turningPoints.isEmpty)
    // x_sd of a line: s·√(1 + h)/|b1|.
    let point = map.points[15]
    let xSD = try #require(point.xSD)
    let sigma = try #require(state.noise.sigma)
    #expect(
      abs(
        xSD - sigma * (1 + point.leverage).squareRoot()
          / abs(state.parameters[1].estimate)) < 1e-12)
  }

  /// The ELISA standards, 0.1, 0.3, 1, …, 300 ng/mL, are a geometric design: their step is
  /// log(3000)/7 in log x, and no stretch of the domain between them is sparse.
  @Test("a dilution series is spaced in log x: its step is log(3000)/7, to 1e-12")
  func geometricDesign() throws {
    let state = try fixtureInstrument("elisa-4pl.csv", x: "conc_ng_mL", y: "od", spec: "4pl")
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    let map = try InstrumentMap(measurer: measurer, points: 11)
    #expect(map.spacingScale == "log")
    #expect(abs(map.typicalSpacing - log(3000) / 7) < 1e-12)
    #expect(!map.regions.contains { $0.status == .sparse && $0.upper > 0.1 && $0.lower < 300 })
    let report = try measurer.measure(Observation(id: "mid", readings: [1.6], line: 2))
    #expect(report.coverage.support.distinctStandardsNearby >= 2)
    // The evenly spaced pressure design stays linear.
    let pressure = try fixtureInstrument(
      "pressure-gap.csv", x: "pressure_kPa", y: "output_mV", spec: "line")
    #expect(
      try InstrumentMap(
        measurer: try Measurer(instrument: pressure, settings: MeasurementSettings())
      ).spacingScale == "linear")
  }

  @Test("the turning point of a quadratic is −b1/(2·b2), to 1e-12")
  func turningPoint() throws {
    let state = try fixtureInstrument(
      "quadratic-vertex.csv", x: "x", y: "reading", spec: "poly:2", sy: "u_reading")
    let map = try InstrumentMap(
      measurer: try Measurer(instrument: state, settings: MeasurementSettings()))
    let vertex = -state.parameters[1].estimate / (2 * state.parameters[2].estimate)
    #expect(map.turningPoints.count == 1)
    #expect(abs(map.turningPoints[0] - vertex) < 1e-12)
  }
}

@Suite("Observation files")
struct ObservationReaderTests {
  func read(
    _ text: String, id: String? = nil, group: String? = nil, sy: String? = nil
  ) throws -> [Observation] {
    let reader = try CSVReader(source: MemoryByteSource(text), name: "obs.csv")
    let source = try ObservationReader(
      reader: reader, response: "y", id: id, group: group, uncertainty: sy)
    var all: [Observation] = []
    while let next = try source.next() { all.append(next) }
    return all
  }

  @Test("one observation per row, named by --id or by line")
  func rows() throws {
    #expect(try read("y\n1\n2\n").map(\.id) == ["2", "3"])
    #expect(try read("name,y\na,1\nb,2\n", id: "name").map(\.id) == ["a", "b"])
  }

  @Test("consecutive rows of a group are one observation, in input order")
  func groups() throws {
    let all = try read("g,y,u\nB,1,0.1\nB,2,0.2\nA,3,0.1\nC,4,0.3\nC,5,0.3\n", group: "g", sy: "u")
    #expect(all.map(\.id) == ["B", "A", "C"])
    #expect(all.map(\.readings) == [[1, 2], [3], [4, 5]])
    let uncertainties = try all.map { try #require($0.uncertainties) }
    #expect(uncertainties == [[0.1, 0.2], [0.1], [0.3, 0.3]])
    #expect(all.map(\.line) == [2, 4, 5])
  }

  @Test("a group that comes back is an error at its line and column")
  func nonConsecutive() {
    let error = #expect(throws: InputError.self) { try read("g,y\nA,1\nB,2\nA,3\n", group: "g") }
    #expect(
      error?.description
        == "obs.csv:4:1: the rows of group 'A' are not consecutive; sort the file by the group column"
    )
  }

  @Test("a bad reading is its observation's defect, at its line and column; the rest is read")
  func badReading() throws {
    let observations = try read("y\n1\nx2\n3\n")
    #expect(observations.map(\.readings) == [[1], [], [3]])
    let error = try #require(observations[1].defect)
    #expect(error.line == 3 && error.column == 1)
    #expect(observations[0].defect == nil && observations[2].defect == nil)
    let u = try #require(try read("y,u\n1,-0.1\n", sy: "u").first?.defect)
    #expect(u.line == 2 && u.column == 3)
  }
}
