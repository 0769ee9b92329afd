import CalibCore

/// The three inputs a user hands calib, each driven from arbitrary bytes through the public
/// entry points the command line uses, as far as the engine goes with them.
///
/// A target must never trap: every input is either accepted or refused with a thrown error.
/// `make fuzz` runs them under libFuzzer with AddressSanitizer (docs/testing.md).
enum FuzzTarget: String, CaseIterable {
  /// A calibration CSV: header, standards, fitted by a straight line; read again as
  /// observations.
  case csv
  /// A `--model` specification: parsed, differentiated, evaluated, fitted to fixed standards.
  case formula
  /// An instrument file: read and validated; when accepted, shown and measured with.
  case instrument

  /// Runs the target on `bytes`; returns normally whatever the input.
  func run(_ bytes: [UInt8]) {
    switch self {
    case .csv: FuzzTarget.csv(bytes)
    case .formula: FuzzTarget.formula(bytes)
    case .instrument: FuzzTarget.instrument(bytes)
    }
  }

  static let provenance = Provenance(
    input: "fuzz", inputSHA256: String(repeating: "0", count: 64), calibVersion: "fuzz",
    command: ["fuzz"])

  private static func csv(_ bytes: [UInt8]) {
    guard let reader = try? CSVReader(source: MemoryByteSource(bytes), name: "fuzz.csv") else {
      return
    }
    let header = reader.header
    guard header.count >= 2 else { return }
    let data = try? CalibrationData(
      reading: reader, predictors: [header[0]], response: header[1],
      uncertainty: header.count > 2 ? header[2] : nil, group: header.count > 3 ? header[3] : nil)
    if let data, let model = try? ResponseModel(spec: "line", predictors: [header[0]]) {
      _ = try? model.fit(to: data, provenance: provenance)
    }
    guard let again = try? CSVReader(source: MemoryByteSource(bytes), name: "fuzz.csv"),
      let observations = try? ObservationReader(
        reader: again, response: header[1], id: header[0],
        uncertainty: header.count > 2 ? header[2] : nil)
    else { return }
    while (try? observations.next()) != nil {}
  }

  /// Standards of a saturating curve, y = 200·x/(3 + x) with a little scatter.
  static let standards = "x,y\n0.5,29.1\n1,49.6\n2,80.3\n4,113.9\n8,145.2\n16,168.1\n"

  private static func formula(_ bytes: [UInt8]) {
    let spec = String(decoding: bytes, as: UTF8.self)
    _ = try? FormulaParser.parse(spec)
    guard let model = try? ResponseModel(spec: spec, predictors: ["x"]) else { return }
    let a = model.parameters.map { _ in 1.5 }
    for x in [-1.0, 0, 0.5, 2] {
      _ = model.response(at: [x], parameters: a)
      _ = model.parameterGradient(at: [x], parameters: a)
      _ = model.predictorGradient(at: [x], parameters: a)
    }
    _ = model.formula
    guard model.parameters.count <= 4,
      let reader = try? CSVReader(source: MemoryByteSource(standards), name: "fuzz.csv"),
      let data = try? CalibrationData(reading: reader, predictors: ["x"], response: "y")
    else { return }
    let start = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0, 1.0) })
    _ = try? model.fit(to: data, start: start, posterior: .laplace, provenance: provenance)
  }

  private static func instrument(_ bytes: [UInt8]) {
    guard let state = try? InstrumentFile.decode(bytes, name: "fuzz.json") else { return }
    _ = try? InstrumentFile.encode(state.state)
    let range = state.domain.responseRange
    let middle = (range.lower + range.upper) / 2
    let below = range.lower - (range.upper - range.lower)
    // The Bayesian posterior at mid-range; the classical methods beyond the standards.
    for (method, reading) in [
      (MeasurementSettings.Method.bayes, middle), (.wald, below), (.inversion, below),
    ] {
      guard
        let measurer = try? Measurer(
          instrument: state, settings: MeasurementSettings(method: method))
      else { return }
      _ = try? measurer.measure(Observation(id: "fuzz", readings: [reading], line: 2))
    }
  }
}
