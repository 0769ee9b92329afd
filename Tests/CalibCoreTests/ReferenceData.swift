import CalibCore
import Foundation

/// Access to the public reference data with certified answers, bundled in `Tests/Reference`
/// (see its README for the sources and licences), or in `$CALIB_REFERENCE` when set.
enum ReferenceData {
  static var directory: URL {
    if let path = ProcessInfo.processInfo.environment["CALIB_REFERENCE"] {
      return URL(fileURLWithPath: path)
    }
    return URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Reference")
  }

  /// The bytes of a reference file; fails the test with the path when it is missing.
  static func bytes(_ relativePath: String) throws -> [UInt8] {
    let url = directory.appendingPathComponent(relativePath)
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw MissingReference(path: url.path)
    }
    return [UInt8](data)
  }

  /// A JSON reference file, decoded. JSON5 is allowed: NIST's F statistic is `Infinity` for
  /// the exact fits (Wampler1, Wampler2).
  static func json<T: Decodable>(_ relativePath: String, as type: T.Type) throws -> T {
    let decoder = JSONDecoder()
    decoder.allowsJSON5 = true
    return try decoder.decode(T.self, from: Data(bytes(relativePath)))
  }

  /// A CSV reference file read as calibration data.
  static func calibration(
    _ relativePath: String, x: [String], y: String, sy: String? = nil
  ) throws -> CalibrationData {
    let reader = try CSVReader(
      source: MemoryByteSource(try bytes(relativePath)), name: relativePath)
    return try CalibrationData(reading: reader, predictors: x, response: y, uncertainty: sy)
  }

  struct MissingReference: Error, CustomStringConvertible {
    var path: String
    var description: String {
      "reference file not found: \(path) (set CALIB_REFERENCE to the reference folder)"
    }
  }
}

/// The log relative error: the number of correct significant digits of `estimate` against
/// `certified`, −log10(|est − cert|/|cert|), or −log10|est| when cert = 0; capped at 15.
func logRelativeError(_ estimate: Double, certified: Double) -> Double {
  let error =
    certified == 0 ? Swift.abs(estimate) : Swift.abs(estimate - certified) / Swift.abs(certified)
  return error == 0 ? 15 : min(15, -log10(error))
}

/// A provenance record for tests (the hash is SHA-256 of no bytes).
let testProvenance = Provenance(
  input: "test", inputSHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  calibVersion: "test", command: [])
