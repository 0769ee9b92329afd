import Foundation

extension JSONEncoder {
  /// The encoder of calib's JSON files (instrument files, coverage maps, validation results):
  /// indented, keys sorted, slashes unescaped, so that the same value gives the same bytes.
  package static var calibFile: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return encoder
  }
}
