import CalibCore
import Foundation
import Testing

@Suite("Instrument files")
struct InstrumentFileTests {
  func instrument() throws -> InstrumentState {
    let data = try readCalibration(
      "x,y,u\n0,0.1,0.05\n1,2.0,0.05\n2,4.1,0.06\n3,5.9,0.05\n", sy: "u")
    let provenance = Provenance(
      input: "cal.csv", inputSHA256: data.sha256, calibVersion: CalibVersion.current,
      command: ["calib", "fit"])
    return try ResponseModel(spec: "line", predictors: ["x"]).fit(to: data, provenance: provenance)
  }

  @Test("written and read back unchanged, bit for bit")
  func roundTrip() throws {
    let state = try instrument()
    let bytes = try InstrumentFile.encode(state)
    let back = try InstrumentFile.decode(bytes, name: "i.json")
    #expect(back.state == state)
    #expect(try InstrumentFile.encode(back.state) == bytes)
  }

  @Test("the file holds what the contract names")
  func contractFields() throws {
    let bytes = try InstrumentFile.encode(try instrument())
    let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    #expect(json["format"] as? String == "calib-instrument/1")
    let model = try #require(json["model"] as? [String: Any])
    #expect(model["spec"] as? String == "line")
    #expect(model["formula"] as? String == "b0 + b1*x")
    #expect(model["predictors"] as? [String] == ["x"])
    let parameters = try #require(json["parameters"] as? [[String: Any]])
    #expect(parameters.map { $0["name"] as? String } == ["b0", "b1"])
    #expect(parameters.allSatisfy { $0["estimate"] is Double && $0["std_error"] is Double })
    let fit = try #require(json["fit"] as? [String: Any])
    for key in ["n", "dof", "rss", "residual_sd", "chi2", "converged", "r_squared"] {
      #expect(fit[key] != nil, "fit.\(key)")
    }
    #expect(json["covariance"] is [[Double]])
    #expect(
      json["noise"] is [String: Any] && json["domain"] is [String: Any]
        && json["provenance"] is [String: Any])
    let provenance = try #require(json["provenance"] as? [String: Any])
    #expect((provenance["input_sha256"] as? String)?.count == 64)
  }

  /// A value the file's enumerations do not hold is named at its field with the values read
  /// there, not in the words of Swift's decoder.
  @Test(
    "an unknown noise model or posterior kind lists the values calib reads",
    arguments: [
      ("\"model\" : \"known\"", "\"model\" : \"lineal\"", "$.noise.model", "\"proportional\""),
      ("\"kind\" : \"normal\"", "\"kind\" : \"gibbs\"", "$.posterior.kind", "\"mcmc\""),
    ])
  func unknownEnumerationValue(
    original: String, replacement: String, path: String, listed: String
  ) throws {
    let text = String(decoding: try InstrumentFile.encode(try instrument()), as: UTF8.self)
    try #require(text.contains(original))
    let bytes = Array(text.replacingOccurrences(of: original, with: replacement).utf8)
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(bytes, name: "i.json")
    }
    let message = error?.message ?? ""
    #expect(message.hasPrefix("\(path): expected one of "), "\(message)")
    let value = try #require(replacement.split(separator: " ").last)
    #expect(message.contains(listed) && message.hasSuffix(", found \(value)"), "\(message)")
    #expect(!message.contains("Cannot initialize"), "\(message)")
  }

  @Test("an unweighted fit writes chi2 as null")
  func nullChi2() throws {
    let data = try readCalibration("x,y\n0,0.1\n1,2.0\n2,4.1\n3,5.9\n")
    let bytes = try InstrumentFile.encode(
      try ResponseModel(spec: "line", predictors: ["x"]).fit(to: data, provenance: testProvenance))
    #expect(String(decoding: bytes, as: UTF8.self).contains("\"chi2\" : null"))
  }

  @Test(
    "malformed and foreign files are refused with a reason",
    arguments: [
      ("not json at all", "not an instrument file: malformed JSON"),
      ("[1, 2]", "$: not an instrument file: expected a JSON object, found an array"),
      ("{\"parameters\": []}", "$.format: not a calib instrument file: it has no \"format\" field"),
      (
        "{\"format\": \"calib-report/1\"}",
        "$.format: \"calib-report/1\" is not a format this calib reads"
      ),
      ("{\"format\": 1}", "$.format: the number 1 is not a format this calib reads"),
      ("{\"format\": \"calib-instrument/1\"}", "$.model: missing"),
    ])
  func refused(_ text: String, message: String) {
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(Array(text.utf8), name: "i.json")
    }
    #expect(error?.file == "i.json")
    #expect(error?.message.hasPrefix(message) == true, "\(error?.description ?? "")")
  }

  /// Each case changes one field of a valid file so that it no longer agrees with the rest.
  @Test("posterior samples that do not match the parameters are refused")
  func badSamples() throws {
    let data = try readCalibration(
      "x,y\n1,21.1\n2,38.0\n3,58.9\n4,73.5\n5,95.2\n6,108.8\n8,139.1\n10,168.3\n")
    var state = try ResponseModel(spec: "mm", predictors: ["x"]).fit(
      to: data, posterior: .mcmc, provenance: testProvenance)
    #expect(
      try InstrumentFile.decode(try InstrumentFile.encode(state), name: "i.json").state == state)
    state.posterior.samples?[3] = [1]
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(try InstrumentFile.encode(state), name: "i.json")
    }
    #expect(
      error?.message.hasPrefix(
        "$.posterior.samples[3]: expected a draw of the 2 parameters, found 1 values") == true,
      "\(error?.description ?? "")")
  }

  @Test(
    "an inconsistent file is refused, naming the field",
    arguments: [
      (
        "covariance", "[[1, 2, 3], [4, 5, 6]]",
        "$.covariance[0]: expected a row of 2 elements, found 3"
      ),
      (
        "covariance", "[[1, 2]]",
        "$.covariance: expected a 2×2 matrix (the model has 2 parameters), found 1 row"
      ),
      ("model.spec", "\"poly:2\"", "$.parameters: expected the model's 3 parameters b0, b1, b2"),
      ("model.spec", "\"b1*(x\"", "$.model.spec: not a model calib reads"),
      ("model.predictors", "[]", "$.model.predictors: expected at least one predictor"),
      ("fit.dof", "3", "$.fit.dof: expected n − p = 2"),
      ("posterior.kind", "\"mystery\"", "$.posterior.kind: "),
      (
        "domain.y", "[1, 2]",
        "$.domain.y: expected the reading of each of the n = 4 standards, found 2"
      ),
      (
        "domain.response_range", "{\"lower\": 5, \"upper\": 1}",
        "$.domain.response_range: expected the range"
      ),
      (
        "domain.x_range", "[{\"lower\": 3, \"upper\": 0}]",
        "$.domain.x_range[0]: expected the range"
      ),
      ("parameters", "[]", "$.parameters: expected the model's 2 parameters"),
      ("fit.n", "1.5", "$.fit.n: expected an integer, found the number 1.5"),
      ("fit.rss", "\"NaN\"", "$.fit.rss: expected a number, found a string"),
      ("fit.rss", "null", "$.fit.rss: expected a number, found null"),
      ("fit.rss", "1e400", "$.fit.rss: the number 1e400 is beyond the range of a double"),
      ("noise.model", "\"gaussian\"", "$.noise.model: "),
      ("noise.sigma", "0.1", "$.noise.sigma: expected null with noise.model \"known\""),
      ("domain.u_y", "[0.05, 0.05, 0, 0.05]", "$.domain.u_y[2]: expected an uncertainty > 0"),
      ("domain.max_leverage", "0.99", "$.domain.max_leverage: expected the largest leverage"),
      (
        "domain.leverage", "[0.7, 0.3, 1.3, 0.7]",
        "$.domain.leverage[2]: expected a leverage in [0, 1]"
      ),
      // Symmetric with unit variances and correlation 2: eigenvalues 1 ± 2, so −1 < 0.
      ("covariance", "[[1, 2], [2, 1]]", "$.covariance: the matrix is not positive semidefinite"),
      ("covariance", "[[1, 0.5], [0.25, 1]]", "$.covariance[1][0]: the matrix is not symmetric"),
      ("covariance", "[[-1, 0], [0, 1]]", "$.covariance[0][0]: expected a variance ≥ 0"),
      (
        "posterior.scale", "[[1], [1]]",
        "$.posterior.scale[0]: expected a row of 2 elements, found 1"
      ),
      (
        "posterior.location", "[1, 2, 3]",
        "$.posterior.location: expected the 2 parameters' values, found 3"
      ),
      ("posterior.samples", "[[1, 2]]", "$.posterior.samples: expected none for a linear model"),
      (
        "posterior.bounds", "{\"k\": {\"lower\": 0, \"upper\": 1}}",
        "$.posterior.bounds.k: expected a parameter of the model"
      ),
    ])
  func inconsistent(_ path: String, replacement: String, message: String) throws {
    var json = try #require(
      try JSONSerialization.jsonObject(with: Data(try InstrumentFile.encode(try instrument())))
        as? [String: Any])
    let keys = path.split(separator: ".").map(String.init)
    if keys.count == 1 {
      json[keys[0]] = "@@"
    } else {
      var inner = try #require(json[keys[0]] as? [String: Any])
      inner[keys[1]] = "@@"
      json[keys[0]] = inner
    }
    // The replacement goes in as text, so that it can be what JSONSerialization cannot write.
    let text = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
      .replacingOccurrences(of: "\"@@\"", with: replacement)
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(Array(text.utf8), name: "i.json")
    }
    #expect(error?.message.hasPrefix(message) == true, "\(error?.description ?? "")")
    #expect(error?.line == nil)
  }
}

/// Corrupted instrument files: each is refused with the place of the fault (line and column of
/// a syntax error, JSON path of a field), or read; never a trap.
@Suite("Instrument files: corruption")
struct InstrumentCorruptionTests {
  /// The line and column (from 1, the column in characters) just past the end of `text`,
  /// counted independently of the reader: the number of lines and the last line's length.
  static func endLocation(_ text: String) -> (line: Int, column: Int) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    return (lines.count, (lines.last?.count ?? 0) + 1)
  }

  static let saturating =
    "x,y\n1,21.1\n2,38.0\n3,58.9\n4,73.5\n5,95.2\n6,108.8\n8,139.1\n10,168.3\n"

  func mcmcInstrument() throws -> InstrumentState {
    let data = try readCalibration(Self.saturating)
    return try ResponseModel(spec: "mm", predictors: ["x"]).fit(
      to: data, posterior: .mcmc, provenance: testProvenance)
  }

  func linearInstrument() throws -> InstrumentState {
    let data = try readCalibration(
      "x,y,u\n0,0.1,0.05\n1,2.0,0.05\n2,4.1,0.06\n3,5.9,0.05\n", sy: "u")
    return try ResponseModel(spec: "line", predictors: ["x"]).fit(
      to: data, provenance: testProvenance)
  }

  @Test(
    "a truncated file names the line and column where it ends",
    arguments: [0.1, 0.33, 0.5, 0.9, 0.999])
  func truncated(_ fraction: Double) throws {
    let bytes = try InstrumentFile.encode(try mcmcInstrument())
    let cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
    let text = String(decoding: cut, as: UTF8.self)
    // Trailing spaces are skipped before the reader finds the end, so the end is past them.
    let expected = Self.endLocation(text)
    let error = #expect(throws: InputError.self) { try InstrumentFile.decode(cut, name: "i.json") }
    #expect(
      error?.line == expected.line && error?.column == expected.column,
      "\(error?.description ?? "")")
    #expect(error?.message.contains("(is it truncated?)") == true, "\(error?.description ?? "")")
  }

  @Test(
    "a syntax error names its line and column",
    arguments: [
      ("{\n  \"format\": \"calib-instrument/1\",\n  \"model\": NaN\n}", 3, 12, "expected a value"),
      (
        "{\n  \"format\": \"calib-instrument/1\",\n  \"model\": [1,,2]\n}", 3, 15,
        "expected a value"
      ),
      ("{\"format\": \"calib-instrument/1\"} x", 1, 34, "unexpected 'x' after the end"),
      (
        "{\"format\": \"calib-instrument/1\", \"format\": 1}", 1, 34,
        "the key \"format\" appears twice"
      ),
      ("{\"format\": \"é\u{1}\"}", 1, 14, "a control character"),
      ("{\"format\": 01}", 1, 13, "may not start with 0"),
      ("{\"format\": \"\\ud800\"}", 1, 13, "a high surrogate"),
    ])
  func syntax(_ text: String, line: Int, column: Int, message: String) {
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(Array(text.utf8), name: "i.json")
    }
    #expect(error?.line == line && error?.column == column, "\(error?.description ?? "")")
    #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
  }

  @Test("nesting deeper than the reader allows is refused, not a stack overflow")
  func deepNesting() {
    let text = "{\"format\": " + String(repeating: "[", count: 100_000)
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(Array(text.utf8), name: "i.json")
    }
    // The object is at depth 1, so the k-th bracket is at depth k + 1 and the 64th is the
    // first too deep; `{"format": ` takes 11 columns, so the k-th bracket is at column 11 + k.
    #expect(error?.line == 1 && error?.column == 11 + 64, "\(error?.description ?? "")")
  }

  @Test("non-UTF-8 bytes in a string are refused where the string starts")
  func notUTF8() {
    let bytes = Array("{\"format\": \"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8)
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(bytes, name: "i.json")
    }
    #expect(
      error?.line == 1 && error?.column == 12 && error?.message.contains("not valid UTF-8") == true)
  }

  @Test("MCMC samples without their sigma samples, with the noise estimated, are refused")
  func missingSigmaSamples() throws {
    var state = try mcmcInstrument()
    #expect(state.posterior.samples != nil && state.posterior.sigmaSamples != nil)
    state.posterior.sigmaSamples = nil
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decode(try InstrumentFile.encode(state), name: "i.json")
    }
    #expect(
      error?.message.hasPrefix("$.posterior.sigma_samples: expected a σ per sample") == true,
      "\(error?.description ?? "")")
    state = try mcmcInstrument()
    state.posterior.sigmaSamples?.removeLast()
    let short = #expect(throws: InputError.self) {
      try InstrumentFile.decode(try InstrumentFile.encode(state), name: "i.json")
    }
    #expect(
      short?.message.hasPrefix("$.posterior.sigma_samples: expected one σ per sample") == true,
      "\(short?.description ?? "")")
  }

  /// Every file calib writes is read back: the tolerances of the symmetry and semidefiniteness
  /// checks hold for NIST's hardest linear sets (Filip: a degree-10 polynomial with condition
  /// number near 1e15 in the raw design; Wampler5; Longley, six predictors).
  @Test(
    "files fitted to NIST StRD sets are accepted",
    arguments: ["Filip", "Wampler4", "Wampler5", "Longley", "Pontius"])
  func strdAccepted(_ name: String) throws {
    let set = try ReferenceData.json("strd/\(name).json", as: StRDLinearTests.Certified.self)
    let data = try ReferenceData.calibration("strd/\(name).csv", x: set.predictors, y: "y")
    let state = try ResponseModel(spec: StRDLinearTests.formula(set), predictors: set.predictors)
      .fit(to: data, provenance: testProvenance)
    #expect(
      try InstrumentFile.decode(try InstrumentFile.encode(state), name: "i.json").state == state)
  }

  /// Every field of a real file, mutated: deleted, set to null, to a string, to a number, to an
  /// empty array and to an empty object. Each mutant is refused with a JSON path, or read and
  /// then measured with without a trap. A field given the wrong type is named exactly.
  @Test(
    "every field mutated: refused with its JSON path, or read and measured",
    arguments: ["linear", "mcmc"])
  func mutations(_ which: String) throws {
    var state = which == "mcmc" ? try mcmcInstrument() : try linearInstrument()
    // 40 samples are as good as thousands for the checks, and keep each mutant small.
    state.posterior.samples = state.posterior.samples.map { Array($0.prefix(40)) }
    state.posterior.sigmaSamples = state.posterior.sigmaSamples.map { Array($0.prefix(40)) }
    let original = try JSONSerialization.jsonObject(with: Data(try InstrumentFile.encode(state)))
    var refused = 0
    var accepted = 0
    for path in FieldPath.all(in: original) where !path.steps.isEmpty {
      for mutation in FieldPath.Mutation.allCases {
        let mutant = path.applying(mutation, to: original)
        let bytes = [UInt8](
          try JSONSerialization.data(withJSONObject: mutant, options: .fragmentsAllowed))
        do {
          let read = try InstrumentFile.decode(bytes, name: "i.json")
          accepted += 1
          // Read: it must measure, or refuse to with a thrown error.
          let middle = (read.domain.responseRange.lower + read.domain.responseRange.upper) / 2
          _ = try? Measurer(instrument: read, settings: MeasurementSettings()).measure(
            Observation(id: "m", readings: [middle], line: 2))
        } catch {
          refused += 1
          #expect(error.message.hasPrefix("$"), "\(path.text) \(mutation): \(error)")
          // A null field (optional, absent here) has no type to get wrong.
          if let value = path.value(in: original), !(value is NSNull),
            mutation.isWrongType(for: value)
          {
            #expect(error.message.hasPrefix(path.text + ":"), "\(path.text) \(mutation): \(error)")
          }
        }
      }
    }
    // Most mutations break a required field; some (an optional field set to null) are read.
    #expect(refused > 100 && accepted > 0, "refused \(refused), accepted \(accepted)")
  }
}

/// The path of a field in a JSON object tree (from JSONSerialization), with mutations.
struct FieldPath {
  enum Step {
    case key(String)
    case index(Int)
  }
  var steps: [Step]

  /// `$.a.b[0]`, as calib's messages write it.
  var text: String {
    "$"
      + steps.map { step in
        switch step {
        case .key(let key): return ".\(key)"
        case .index(let index): return "[\(index)]"
        }
      }.joined()
  }

  enum Mutation: CaseIterable {
    case delete, null, string, number, emptyArray, emptyObject

    var replacement: Any? {
      switch self {
      case .delete: return nil
      case .null: return NSNull()
      case .string: return "x"
      case .number: return 7.5
      case .emptyArray: return [Any]()
      case .emptyObject: return [String: Any]()
      }
    }

    /// Whether this mutation gives `value` a different JSON type (not null, not deleted).
    func isWrongType(for value: Any?) -> Bool {
      switch self {
      case .delete, .null: return false
      case .string: return !(value is String)
      case .number: return value is String || value is [Any] || value is [String: Any]
      case .emptyArray: return !(value is [Any])
      case .emptyObject: return !(value is [String: Any])
      }
    }
  }

  /// Every path in `tree`, arrays followed into their first two elements and their last.
  static func all(in tree: Any, prefix: [Step] = []) -> [FieldPath] {
    var paths = [FieldPath(steps: prefix)]
    if let object = tree as? [String: Any] {
      for key in object.keys.sorted() {
        paths += all(in: object[key] as Any, prefix: prefix + [.key(key)])
      }
    } else if let array = tree as? [Any] {
      for index in Set([0, 1, array.count - 1]).sorted() where index >= 0 && index < array.count {
        paths += all(in: array[index], prefix: prefix + [.index(index)])
      }
    }
    return paths
  }

  func value(in tree: Any) -> Any? {
    var current: Any? = tree
    for step in steps {
      switch step {
      case .key(let key): current = (current as? [String: Any])?[key]
      case .index(let index):
        current = (current as? [Any]).flatMap { index < $0.count ? $0[index] : nil }
      }
    }
    return current
  }

  func applying(_ mutation: Mutation, to tree: Any) -> Any {
    FieldPath.replace(tree, steps[...], with: mutation)
  }

  private static func replace(
    _ tree: Any, _ steps: ArraySlice<Step>, with mutation: Mutation
  )
    -> Any
  {
    guard let step = steps.first else { return mutation.replacement ?? NSNull() }
    let last = steps.count == 1
    switch step {
    case .key(let key):
      var object = tree as? [String: Any] ?? [:]
      if last, mutation == .delete {
        object[key] = nil
      } else {
        object[key] = replace(object[key] as Any, steps.dropFirst(), with: mutation)
      }
      return object
    case .index(let index):
      var array = tree as? [Any] ?? []
      guard index < array.count else { return array }
      if last, mutation == .delete {
        array.remove(at: index)
      } else {
        array[index] = replace(array[index], steps.dropFirst(), with: mutation)
      }
      return array
    }
  }
}
