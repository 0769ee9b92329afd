import CalibCore
import Foundation
import Testing

/// Every file calib writes validates against its JSON Schema in docs/schemas, and the
/// validator rejects what breaks a schema (so the check can fail).
@Suite("JSON Schemas of the files calib writes")
struct SchemaTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("docs/schemas")

  func instruments() throws -> [InstrumentState] {
    [
      try fixtureInstrument(
        "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line", group: "standard"),
      try fixtureInstrument(
        "quadratic-vertex.csv", x: "x", y: "reading", spec: "poly:2", sy: "u_reading"),
      try fixtureInstrument("pontius-load-cell.csv", x: "load", y: "deflection", spec: "poly:2"),
      try textInstrument("x,y\n1,5\n2,5\n3,5\n", spec: "line"),
      try fixtureInstrument("elisa-4pl.csv", x: "conc_ng_mL", y: "od", spec: "4pl"),
    ]
  }

  @Test("instrument files")
  func instrumentFiles() throws {
    let validator = try JSONSchemaValidator(folder: Self.folder)
    for state in try instruments() {
      let problems = validator.validate(
        try JSONValue.parse(try InstrumentFile.encode(state)), against: "instrument.schema.json")
      #expect(problems.isEmpty, "\(problems)")
    }
  }

  @Test(
    "reports in JSON and NDJSON, for every method and status",
    arguments: MeasurementSettings.Method.allCases)
  func reports(_ method: MeasurementSettings.Method) throws {
    let validator = try JSONSchemaValidator(folder: Self.folder)
    let state = try instruments()[0]
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings(method: method))
    let observations = [
      Observation(id: "covered", readings: [0.5], line: 2),
      Observation(id: "replicates", readings: [0.52, 0.53, 0.525], line: 3),
      Observation(id: "beyond", readings: [1.29], line: 6),
      Observation(id: "far", readings: [3.95], line: 7),
      Observation(id: "scattered", readings: [0.4, 0.6], line: 8),
      Observation(id: "u", readings: [0.5], uncertainties: [0.01], line: 10),
    ]
    var json = ReportEncoder(format: .json)
    var ndjson = ReportEncoder(format: .ndjson)
    var document = try json.header(
      ReportEncoder.Settings(measurer: measurer, instrumentFile: "i.json"))
    for observation in observations {
      let report = try measurer.measure(observation)
      document += try json.observation(report)
      // An NDJSON line is one observation.
      let line = try ndjson.observation(report)
      #expect(line.last == 0x0A && !line.dropLast().contains(0x0A))
      let problems = validator.validate(
        try JSONValue.parse(Array(line.dropLast())),
        against: "report.schema.json#/$defs/observation")
      #expect(problems.isEmpty, "\(problems)")
    }
    // An observation that could not be measured: its error object, in both formats.
    let broken = Observation(
      id: "broken", readings: [], line: 11,
      defect: InputError(file: "obs.csv", line: 11, column: 3, message: "expected a number"))
    let failure = ObservationFailure(broken, error: try #require(broken.defect))
    document += try json.failure(failure)
    let line = try ndjson.failure(failure)
    let failureProblems = validator.validate(
      try JSONValue.parse(Array(line.dropLast())), against: "report.schema.json#/$defs/failure")
    #expect(failureProblems.isEmpty, "\(failureProblems)")
    document += try json.footer()
    let problems = validator.validate(try JSONValue.parse(document), against: "report.schema.json")
    #expect(problems.isEmpty, "\(problems)")
    #expect(json.summary.observations == observations.count + 1)
    #expect(json.summary.errors == 1)
  }

  @Test("reports with a nonlinear instrument")
  func nonlinearReport() throws {
    let validator = try JSONSchemaValidator(folder: Self.folder)
    let measurer = try Measurer(instrument: try instruments()[4], settings: MeasurementSettings())
    for y in [0.6, 2.45] {
      var encoder = ReportEncoder(format: .ndjson)
      let line = try encoder.observation(
        try measurer.measure(Observation(id: "e", readings: [y], line: 2)))
      let problems = validator.validate(
        try JSONValue.parse(Array(line.dropLast())),
        against: "report.schema.json#/$defs/observation")
      #expect(problems.isEmpty, "\(problems)")
    }
  }

  @Test("an ambiguous reading's components, and a classical estimate with no solution")
  func ambiguousReport() throws {
    let validator = try JSONSchemaValidator(folder: Self.folder)
    let state = try fixtureInstrument(
      "quadratic-vertex.csv", x: "x", y: "reading", spec: "poly:2", sy: "u_reading")
    for method in MeasurementSettings.Method.allCases {
      let measurer = try Measurer(instrument: state, settings: MeasurementSettings(method: method))
      for y in [9.933, 14.0] {
        var encoder = ReportEncoder(format: .ndjson)
        let report = try measurer.measure(
          Observation(id: "q", readings: [y], uncertainties: [0.05], line: 2))
        let line = try encoder.observation(report)
        let problems = validator.validate(
          try JSONValue.parse(Array(line.dropLast())),
          against: "report.schema.json#/$defs/observation")
        #expect(problems.isEmpty, "\(problems)")
      }
    }
  }

  @Test("coverage maps")
  func coverageMaps() throws {
    let validator = try JSONSchemaValidator(folder: Self.folder)
    let measurer = try Measurer(instrument: try instruments()[1], settings: MeasurementSettings())
    var map = try InstrumentMap(measurer: measurer, points: 21)
    map.observations = [
      InstrumentMap.ObservationCoverage(
        try measurer.measure(Observation(id: "v", readings: [10.9], uncertainties: [0.05], line: 2))
      )
    ]
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let problems = validator.validate(
      try JSONValue.parse([UInt8](try encoder.encode(map))), against: "coverage.schema.json")
    #expect(problems.isEmpty, "\(problems)")
    // A 4pl's map starts at x = 0, where its derivative in b is the limit of x^b·log x, 0
    // (b ≈ 1.1 > 0), and its slope the limit 0 (b > 1): finite, and encodable.
    let elisa = try InstrumentMap(
      measurer: try Measurer(instrument: try instruments()[4], settings: MeasurementSettings()),
      points: 11)
    #expect(elisa.points.count == 11 && elisa.points[0].x == 0 && elisa.points[0].leverage.isFinite)
    #expect(elisa.points[0].sensitivity == 0)
    #expect(
      validator.validate(
        try JSONValue.parse([UInt8](try encoder.encode(elisa))), against: "coverage.schema.json"
      ).isEmpty)
  }

  @Test("validation files")
  func validationFiles() throws {
    let validator = try JSONSchemaValidator(folder: Self.folder)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    for method in MeasurementSettings.Method.allCases {
      let result = try CoverageValidation.run(
        instrument: try Instrument(try instruments()[0]), trials: 20, levels: [0.9, 0.95],
        method: method, seed: 2)
      let problems = validator.validate(
        try JSONValue.parse([UInt8](try encoder.encode(result))), against: "validation.schema.json")
      #expect(problems.isEmpty, "\(problems)")
    }
  }

  @Test("the validator rejects broken files")
  func rejects() throws {
    let validator = try JSONSchemaValidator(folder: Self.folder)
    guard
      case .object(var file) = try JSONValue.parse(try InstrumentFile.encode(try instruments()[0]))
    else {
      Issue.record("not an object"); return
    }
    file["format"] = .string("calib-instrument/2")
    #expect(!validator.validate(.object(file), against: "instrument.schema.json").isEmpty)
    file["format"] = .string("calib-instrument/1")
    file["extra"] = .number(1)
    #expect(!validator.validate(.object(file), against: "instrument.schema.json").isEmpty)
    file["extra"] = nil
    file["parameters"] = .array([
      .object(["name": .string("b0"), "estimate": .string("1"), "std_error": .number(-1)])
    ])
    #expect(validator.validate(.object(file), against: "instrument.schema.json").count >= 2)
  }
}

/// The files of instruments with several outputs validate against their schemas.
@Suite("JSON Schemas of the files of instruments with several outputs")
struct MultiOutputSchemaTests {
  @Test(
    "instrument file, report (one and two unknowns, NDJSON lines, quantitation, undiluted), validation"
  )
  func files() throws {
    let validator = try JSONSchemaValidator(folder: SchemaTests.folder)
    for fitted in [try GeometryTests.sensor(), try GeometryTests.mixture()] {
      // With back-calculated standards, and reports with `quantitation` and `undiluted`.
      let instrument = try MultiOutputInstrument(fitted.state.backCalculated())
      #expect(instrument.state.standards != nil)
      let problems = validator.validate(
        try JSONValue.parse(try InstrumentFile.encode(instrument.state)),
        against: "multi-output-instrument.schema.json")
      #expect(problems.isEmpty, "\(problems)")
      let measurer = try MultiOutputMeasurer(
        instrument: instrument, settings: MeasurementSettings())
      let m = instrument.state.model.responses.count
      let readings: [[Double]] =
        m == 2 ? [[2.5845, 1.6033], [6.5, 7.4]] : [[0.1229, 2.3052, 1.6685]]
      var json = MultiOutputReportEncoder(
        format: .json, predictors: instrument.state.model.predictors)
      var bytes = try json.header(
        MultiOutputReportEncoder.Settings(measurer: measurer, instrumentFile: "i.json"))
      var ndjson = MultiOutputReportEncoder(
        format: .ndjson, predictors: instrument.state.model.predictors)
      for (k, vector) in readings.enumerated() {
        var observation = GeometryTests.observation("o\(k)", vector)
        observation.dilution = 10
        let report = try measurer.measure(observation)
        #expect(report.undiluted != nil && report.quantitation != nil)
        bytes += try json.observation(report)
        let line = try ndjson.observation(report)
        let lineProblems = validator.validate(
          try JSONValue.parse(Array(line.dropLast())),
          against: "multi-output-report.schema.json#/$defs/observation")
        #expect(lineProblems.isEmpty, "\(lineProblems)")
      }
      var broken = Observation(id: "bad", readings: [1], line: 9)
      broken.outputs = m
      bytes += try json.failure(
        ObservationFailure(broken, error: MeasurementError.invalidSetting("a failure")))
      bytes += try json.footer()
      let reportProblems = validator.validate(
        try JSONValue.parse(bytes), against: "multi-output-report.schema.json")
      #expect(reportProblems.isEmpty, "\(reportProblems)")
    }
    let validation = try MultiOutputValidation.run(
      instrument: try GeometryTests.sensor(), trials: 20, levels: [0.9], seed: 1)
    let problems = validator.validate(
      try JSONValue.parse([UInt8](try JSONEncoder.calibFile.encode(validation))),
      against: "multi-output-validation.schema.json")
    #expect(problems.isEmpty, "\(problems)")
  }

  @Test("coverage maps of instruments with one and two unknowns, with observations")
  func coverageMaps() throws {
    let validator = try JSONSchemaValidator(folder: SchemaTests.folder)
    for instrument in [try GeometryTests.sensor(), try GeometryTests.mixture()] {
      let measurer = try MultiOutputMeasurer(
        instrument: instrument, settings: MeasurementSettings())
      var map = MultiOutputInstrumentMap(measurer: measurer, points: 11)
      let predictors = instrument.state.model.predictors
      let m = instrument.state.model.responses.count
      let reading: [Double] = m == 2 ? [2.5845, 1.6033] : [0.1229, 2.3052, 1.6685]
      var broken = Observation(id: "bad", readings: [1], line: 9)
      broken.outputs = m
      map.observations = [
        MultiOutputInstrumentMap.ObservationCoverage(
          try measurer.measure(GeometryTests.observation("o", reading)), predictors: predictors),
        MultiOutputInstrumentMap.ObservationCoverage(
          ObservationFailure(broken, error: MeasurementError.invalidSetting("a failure")),
          outputs: m),
      ]
      let problems = validator.validate(
        try JSONValue.parse([UInt8](try JSONEncoder.calibFile.encode(map))),
        against: "multi-output-coverage.schema.json")
      #expect(problems.isEmpty, "\(problems)")
      #expect(map.design != nil && map.axes.count == predictors.count)
    }
  }
}
