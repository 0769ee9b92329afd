import CalibCore
import Foundation
import Testing

/// `ObservationReport.json()`, the report's hand-written JSON, against its `Encodable`
/// conformance written by `CompactJSONEncoder` and by Foundation's `JSONEncoder`: the same
/// bytes, for reports of every shape.
@Suite("A report's JSON, written directly, is its Encodable's")
struct ReportJSONTests {
  /// Reports of many shapes: the line by each method, with replicates, u, a dilution, the
  /// map; the 4PL; a quadratic read near its vertex (two components).
  func reports() throws -> [ObservationReport] {
    let line = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line",
      group: "standard")
    var reports: [ObservationReport] = []
    for method in MeasurementSettings.Method.allCases {
      for map in [false, true] {
        let measurer = try Measurer(
          instrument: line,
          settings: MeasurementSettings(method: method, measurementMap: map ? .all : nil))
        for readings in [[0.0391], [0.5253, 0.5316, 0.5259], [-0.4], [1.7], [0.97]] {
          var observation = Observation(id: "s \"1\"\n/", readings: readings, line: 2)
          observation.dilution = readings.count == 1 ? 2.5 : nil
          reports.append(try measurer.measure(observation))
        }
        reports.append(
          try measurer.measure(
            Observation(id: "u", readings: [0.3], uncertainties: [0.003], line: 3)))
      }
    }
    let elisa = try fixtureInstrument("elisa-4pl.csv", x: "conc_ng_mL", y: "od", spec: "4pl")
    let elisaMeasurer = try Measurer(
      instrument: elisa, settings: MeasurementSettings(marginalization: .linearized))
    for od in [0.05, 0.9, 2.4] {
      reports.append(try elisaMeasurer.measure(Observation(id: "od", readings: [od], line: 4)))
    }
    let quadratic = try textInstrument(
      "x,y\n"
        + (0...8).map { "\($0),\(Double(($0 - 4) * ($0 - 4)) + 0.1 * Double($0 % 3))" }
        .joined(separator: "\n"), spec: "poly:2")
    let vertex = try Measurer(instrument: quadratic, settings: MeasurementSettings())
    reports.append(try vertex.measure(Observation(id: "v", readings: [4.2], line: 5)))
    return reports
  }

  @Test("the same bytes as CompactJSONEncoder and JSONEncoder, for every shape of report")
  func sameBytes() throws {
    var shapes = try reports()
    #expect(shapes.contains { $0.x.components != nil })
    #expect(shapes.contains { $0.x.interval.pieces != nil || $0.x.solutions != nil })
    #expect(shapes.contains { $0.x.numerical?.mapError != nil })
    // Absent values where the measurements give none.
    var bare = shapes[0]
    bare.x.mean = nil
    bare.x.modes = nil
    bare.x.numerical = nil
    bare.x.pAbove = nil
    bare.x.predictive = nil
    bare.coverage.local = nil
    bare.coverage.leverage.atEstimate = nil
    bare.coverage.support.nearestDistance = nil
    bare.coverage.reasons = ["a \\ b", "tab\there", "\u{1}"]
    bare.quantitation = nil
    bare.undiluted = nil
    bare.uncertainties = [0.001, 2]
    shapes.append(bare)
    for report in shapes {
      let direct = try report.json()
      #expect(direct == (try CompactJSONEncoder().encode(report)))
      #expect(direct == (try foundationJSON(report)))
    }
  }

  /// Numbers at the ends of the format (the longest, the subnormals, −0, integers on either
  /// side of 2⁵³, exponents where the spelling turns) and 2 000 random bit patterns: the same
  /// bytes as Foundation's `JSONEncoder`, with and without kept spellings (each report
  /// written twice: the second takes its numbers from the slots); and integers of every length
  /// and sign.
  @Test("every spelling of a number is Foundation's")
  func numbers() throws {
    var report = try #require(try reports().first)
    var generator = SystemRandomNumberGenerator()
    let fixed: [Double] = [
      -2.2250738585072014e-308, 1.7976931348623157e308, 5e-324, -0.0, 0, 1, 1e15, 1e16,
      9_007_199_254_740_993, 123_456_789_012_345_680, 1e-4, 1e-5, 0.1 + 0.2, -1.5e-7, 4e21,
    ]
    let random = (0..<2000).map { _ -> Double in
      let value = Double(bitPattern: generator.next())
      return value.isFinite ? value : 1
    }
    for line in [0, 7, 10, 99, 1_234_567_890_123, Int.max, -1, -450, Int.min] {
      report.line = line
      #expect(try report.json() == (try foundationJSON(report)), "line \(line)")
    }
    // Kept spellings (one set through all, its 512 slots taken over again and again) change
    // no byte.
    let spellings = JSONNumberSpellings()
    for chunk in stride(from: 0, to: fixed.count + random.count, by: 50) {
      report.readings = Array((fixed + random)[chunk..<min(chunk + 50, fixed.count + random.count)])
      let expected = try foundationJSON(report)
      #expect(try report.json() == expected)
      #expect(try report.json(spellings: spellings) == expected)
      #expect(try report.json(spellings: spellings) == expected)
    }
  }

  @Test("a figure that is not finite is refused, naming its path")
  func nonFinite() throws {
    var report = try #require(try reports().first)
    report.coverage.leverage.maxStandard = .nan
    #expect(throws: NonFiniteResult(path: "coverage.leverage.max_standard")) {
      try report.json()
    }
  }
}
