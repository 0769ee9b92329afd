/// An instrument with several outputs that has passed every check its file passes: each
/// output a valid instrument of its own, on the same predictors and standards, with a noise
/// covariance and a joint parameter covariance of the right shapes, symmetric and positive
/// definite (docs/instrument-file.md, "Several outputs").
public struct MultiOutputInstrument: Equatable, Sendable {
  /// The state, as it is written in the instrument file.
  public let state: MultiOutputState
  /// Each output as an instrument of its own.
  public let outputs: [Instrument]

  /// Checks `state` completely.
  ///
  /// - Parameters:
  ///   - state: The state, as `MultiOutputFit.fit` returns it or decoded from a file.
  ///   - name: The name messages give the instrument (its file's name).
  /// - Throws: `InputError` naming the JSON path of the first field that is wrong.
  public init(_ state: MultiOutputState, name: String = "instrument") throws(InputError) {
    func fail(_ path: String, _ message: String) -> InputError {
      InputError(file: name, message: "\(path): \(message)")
    }
    let m = state.model.responses.count
    let noise = state.noise
    guard m >= 2 else {
      throw fail("$.model.responses", "expected at least two outputs, found \(m)")
    }
    guard state.outputs.count == m else {
      throw fail(
        "$.outputs", "expected one instrument per output (\(m)), found \(state.outputs.count)")
    }
    var outputs: [Instrument] = []
    for (j, output) in state.outputs.enumerated() {
      do {
        outputs.append(try Instrument(output, name: name))
      } catch {
        // Its paths start at the output: `$.fit.dof` is `$.outputs[1].fit.dof` here.
        let message =
          error.message.hasPrefix("$")
          ? "$.outputs[\(j)]" + error.message.dropFirst() : error.message
        throw InputError(file: name, message: message)
      }
      guard output.model.predictors == state.model.predictors else {
        throw fail(
          "$.outputs[\(j)].model.predictors",
          "expected the instrument's predictors \(state.model.predictors)")
      }
      guard output.noise.model == state.noise.scale else {
        throw fail(
          "$.outputs[\(j)].noise.model",
          "expected the instrument's noise scale '\(state.noise.scale)' ($.noise.scale)")
      }
      guard output.domain.x == state.domain.x else {
        throw fail("$.outputs[\(j)].domain.x", "expected the standards of $.domain.x")
      }
    }
    guard [.constant, .proportional, .linear, .power].contains(noise.scale) else {
      throw fail(
        "$.noise.scale", "expected constant, proportional, linear or power, found \(noise.scale)")
    }
    let total = state.outputs.reduce(0) { $0 + $1.posterior.location.count }
    guard state.parameters.count == total else {
      throw fail(
        "$.parameters",
        "expected every output's parameters (\(total)), found \(state.parameters.count)")
    }
    try Self.checkSymmetric(state.covariance, size: total, path: "$.covariance", name: name)
    try Self.checkSymmetric(noise.covariance, size: m, path: "$.noise.covariance", name: name)
    try Self.checkSymmetric(noise.scatter, size: m, path: "$.noise.scatter", name: name)
    guard Cholesky.strictFactor(of: noise.covariance.flatMap { $0 }, size: m) != nil else {
      throw fail("$.noise.covariance", "expected a positive definite matrix")
    }
    if noise.structure == .diagonal {
      for r in 0..<m {
        for c in 0..<m where r != c && noise.covariance[r][c] != 0 {
          throw fail("$.noise.covariance[\(r)][\(c)]", "expected 0 for a diagonal covariance")
        }
      }
    }
    guard noise.dof.count == m, noise.dof.allSatisfy({ $0 >= 1 }) else {
      throw fail("$.noise.dof", "expected \(m) positive degrees of freedom")
    }
    guard state.fit.predictiveDOF >= 1, state.fit.outputs == m else {
      throw fail(
        "$.fit", "expected \(m) outputs and positive predictive degrees of freedom")
    }
    let k = state.model.predictors.count
    guard state.domain.xRange.count == k, state.domain.x.count == k else {
      throw fail("$.domain", "expected one list of values and one range per predictor (\(k))")
    }
    guard m >= k else {
      throw fail(
        "$.model.responses",
        "\(m) outputs cannot measure \(k) unknown quantities: not identifiable")
    }
    self.state = state
    self.outputs = outputs
  }

  /// Refuses a matrix that is not size × size, finite and symmetric (to 1e-9 relative).
  private static func checkSymmetric(
    _ matrix: [[Double]], size: Int, path: String, name: String
  ) throws(InputError) {
    guard matrix.count == size, matrix.allSatisfy({ $0.count == size }) else {
      throw InputError(file: name, message: "\(path): expected a \(size)×\(size) matrix")
    }
    for r in 0..<size {
      for c in 0..<r {
        let (a, b) = (matrix[r][c], matrix[c][r])
        let scale = (matrix[r][r] * matrix[c][c]).squareRoot()
        guard Swift.abs(a - b) <= InstrumentValidation.tolerance * max(scale, .leastNormalMagnitude)
        else {
          throw InputError(
            file: name, message: "\(path)[\(r)][\(c)]: expected a symmetric matrix")
        }
      }
    }
  }
}
