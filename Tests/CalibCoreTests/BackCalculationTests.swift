@testable import CalibCore
import Foundation
import Testing

/// Back-calculated standards and the range of quantitation (docs/back-calculation.md): each
/// standard's x̂ against an independent brute-force posterior of its reading, the recovery
/// and verdict by their definitions, LLOQ/ULOQ, the report's `quantitation`, and a file whose
/// standards do not match its domain refused.
@Suite("Back-calculated standards")
struct BackCalculationTests {
  /// The absorbance line (σ estimated): x̂ of each standard is the posterior median of its
  /// reading, within 1e-6 posterior sd of a 200 000-interval Simpson brute force; recovery is
  /// 100·x̂/x and a blank has none.
  @Test func eachStandardIsItsReadingsPosteriorMedian() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line"
    ).backCalculated()
    let standards = try #require(state.standards)
    #expect(standards.count == state.domain.y.count)
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    for standard in standards.prefix(6) {
      let brute = try BruteForcePosterior(
        range: measurer.priorRange, intervals: 200_000,
        logLikelihood: BayesianMeasurementTests.logLikelihood(
          state, readings: [standard.y], uncertainties: nil))
      let estimate = try #require(standard.backCalculated)
      #expect(Swift.abs(estimate - brute.quantile(0.5)) < 1e-6 * brute.sd)
      if standard.x == 0 {
        #expect(standard.recovery == nil && standard.pass == nil)
      } else {
        let recovery = try #require(standard.recovery)
        #expect(Swift.abs(recovery - 100 * estimate / standard.x) < 1e-12 * recovery)
      }
    }
  }

  /// Windows by hand: readings made so that the standards at 1, 2, 8 and 10 read back at
  /// known recoveries; the lowest positive standard takes the wider window; LLOQ and ULOQ are
  /// the lowest and highest that pass; a report says where an estimate lies against them.
  @Test func windowsDefineTheRangeOfQuantitation() throws {
    // y = x exactly at 0, 2, 4, 6, 8 (the line), and off it at 1 and 10.
    let text =
      "x,y\n0,0\n1,0.82\n2,2\n4,4\n6,6\n8,8\n10,14\n0,0.01\n2,2.01\n4,3.99\n6,6.01\n8,7.99\n"
    let state = try textInstrument(text, spec: "line").backCalculated()
    let standards = try #require(state.standards)
    let quantitation = try #require(state.quantitation)
    for standard in standards where standard.x > 0 {
      let recovery = try #require(standard.recovery)
      let window = standard.x == 1 ? 80.0...120.0 : 85.0...115.0
      #expect(standard.pass == window.contains(recovery), "x = \(standard.x): \(recovery)")
    }
    let passing = standards.filter { $0.pass == true }.map(\.x)
    #expect(quantitation.lloq == passing.min() && quantitation.uloq == passing.max())
    #expect(quantitation.uloq == 8)
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    let above = try measurer.measure(Observation(id: "a", readings: [9.5], line: 2))
    #expect(above.quantitation == .aboveULOQ)
    let within = try measurer.measure(Observation(id: "w", readings: [5], line: 3))
    #expect(within.quantitation == .within)
    // Narrower windows fail more standards.
    let strict = try textInstrument(text, spec: "line").backCalculated(
      recovery: ClosedRangeRecord(lower: 99.9, upper: 100.1),
      recoveryLowest: ClosedRangeRecord(lower: 99.9, upper: 100.1))
    #expect(
      (strict.standards ?? []).filter { $0.pass == false }.count
        > standards.filter { $0.pass == false }.count)
  }

  /// A file whose standards do not match its domain is refused, naming the field.
  @Test func mismatchedStandardsAreRefused() throws {
    var state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line"
    ).backCalculated()
    state.standards?[3].y += 1
    let bytes = try InstrumentFile.encode(state)
    #expect {
      try InstrumentFile.decode(bytes, name: "i.json")
    } throws: { error in
      "\(error)".contains("$.standards[3]")
    }
    state.standards?.removeLast()
    #expect(throws: InputError.self) {
      try InstrumentFile.decode(try InstrumentFile.encode(state), name: "i.json")
    }
  }
}

/// `--dilution`: the undiluted sample's x is the factor times the measured one, every summary
/// scaled; a factor that is not positive, or that changes within a group, is the observation's
/// error at its line and column.
@Suite("Dilution")
struct DilutionTests {
  @Test func undilutedIsTheFactorTimesTheMeasured() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let text = "id,a,f\ns1,0.41,10\ns2,0.52,2.5\nbad,0.3,0\nworse,0.3,x\n"
    let reader = try ObservationReader(
      reader: CSVReader(source: MemoryByteSource(Array(text.utf8)), name: "o.csv"),
      response: "a", id: "id", dilution: "f")
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    for factor in [10.0, 2.5] {
      let observation = try #require(try reader.next())
      #expect(observation.dilution == factor)
      let report = try measurer.measure(observation)
      let undiluted = try #require(report.undiluted)
      let x = report.x
      #expect(undiluted.factor == factor && undiluted.estimate == factor * x.estimate)
      #expect(
        undiluted.sd == x.sd.map { factor * $0 } && undiluted.mean == x.mean.map { factor * $0 })
      #expect(undiluted.interval.lower == x.interval.lower.map { factor * $0 })
      #expect(undiluted.interval.upper == x.interval.upper.map { factor * $0 })
    }
    // The factor's column in characters: "bad,0.3,0" and "worse,0.3,x".
    for column in [9, 11] {
      let broken = try #require(try reader.next())
      let defect = try #require(broken.defect)
      #expect(defect.column == column, "\(defect)")
      #expect(throws: InputError.self) { try measurer.measure(broken) }
    }
    let grouped = "g,a,f\nA,0.41,10\nA,0.42,5\n"
    let groups = try ObservationReader(
      reader: CSVReader(source: MemoryByteSource(Array(grouped.utf8)), name: "g.csv"),
      response: "a", group: "g", dilution: "f")
    let mixed = try #require(try groups.next())
    #expect(mixed.defect?.message.contains("changes from 10.0 to 5.0") == true)
    #expect(mixed.defect?.line == 3)
  }
}
