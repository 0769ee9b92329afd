import Foundation

extension MultiOutputObservationReport {
  /// The report itself when every figure in it is finite.
  ///
  /// - Throws: `NonFiniteResult` naming the first figure that is NaN or infinite (found by
  ///   encoding the report, which refuses such a number), so that every format withholds the
  ///   same observations.
  func checkedFinite() throws -> MultiOutputObservationReport {
    do {
      _ = try CompactJSONEncoder().encode(self)
    } catch EncodingError.invalidValue(_, let context) {
      throw NonFiniteResult(path: String(jsonPath(context.codingPath).dropFirst(2)))
    }
    return self
  }
}
