/// A set of parameter vectors of a one-predictor model (an instrument's posterior samples, or
/// the nodes of a quadrature rule over its parameters) kept column by column, so that the
/// model's mean response at one x is computed for all of them a chunk at a time
/// (`CompiledExpression.evaluate(columns:logarithms:count:workspace:into:)`), bit for bit as one
/// by one.
struct ParameterColumns: Sendable {
  /// The number of vectors, and the parameters in each.
  let count: Int
  let dimension: Int
  /// Parameter j of vector s at `values[j * count + s]`, and its natural logarithm at the same
  /// place of `logarithms` (for powers of parameters, `CompiledExpression.variablePower`).
  private let values: [Double]
  private let logarithms: [Double]

  /// Vectors evaluated at once: small enough that the chunk's stack stays in the first-level
  /// cache, large enough that decoding the program costs nothing beside the arithmetic.
  static let chunk = 128

  /// The columns of `vectors`, which all have the same length.
  init(_ vectors: [[Double]]) {
    count = vectors.count
    dimension = vectors.first?.count ?? 0
    var values = [Double](repeating: 0, count: count * dimension)
    for (s, vector) in vectors.enumerated() {
      for j in 0..<dimension { values[j * count + s] = vector[j] }
    }
    self.values = values
    logarithms = values.map(_log)
  }

  /// Calls `body(start, means)` for the vectors a chunk at a time (`chunk` of them, fewer in
  /// the last), in order: `means[i]` is f(x; a_(start + i)), `model` evaluated with x in its
  /// first slot and the vector's parameters after it, in scratch space that `body` may
  /// overwrite (a sum over the vectors then runs in loops the compiler can vectorize, with no
  /// call per vector).
  func forEachChunk(
    at x: Double, of model: CompiledExpression,
    _ body: (_ start: Int, _ means: UnsafeMutableBufferPointer<Double>) -> Void
  ) {
    let chunk = Self.chunk
    // Scratch: the x column and its logarithm, the chunk's means, and the program's stack.
    let size = chunk * (3 + model.stackDepth)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: size) { scratch in
      // Cannot trap: the capacity is positive (stackDepth ≥ 1).
      let xs = scratch.baseAddress!, logXs = xs + chunk, means = logXs + chunk
      let stack = means + chunk
      xs.update(repeating: x, count: chunk)
      logXs.update(repeating: _log(x), count: chunk)
      withUnsafeTemporaryAllocation(
        of: UnsafePointer<Double>.self, capacity: 2 * (dimension + 1)
      ) { pointers in
        // Cannot trap: the capacity is positive.
        let columns = pointers.baseAddress!, logColumns = columns + dimension + 1
        values.withUnsafeBufferPointer { values in
          logarithms.withUnsafeBufferPointer { logarithms in
            var start = 0
            while start < count {
              let n = min(chunk, count - start)
              columns[0] = UnsafePointer(xs)
              logColumns[0] = UnsafePointer(logXs)
              for j in 0..<dimension {
                // Cannot trap: both hold count × dimension elements (count > 0 here).
                columns[j + 1] = values.baseAddress! + j * count + start
                logColumns[j + 1] = logarithms.baseAddress! + j * count + start
              }
              model.evaluate(
                columns: UnsafeBufferPointer(start: columns, count: dimension + 1),
                logarithms: UnsafeBufferPointer(start: logColumns, count: dimension + 1),
                count: n, workspace: stack, into: means)
              body(start, UnsafeMutableBufferPointer(start: means, count: n))
              start += n
            }
          }
        }
      }
    }
  }
}
