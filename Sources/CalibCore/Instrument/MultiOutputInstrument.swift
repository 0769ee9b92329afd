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
    try Self.checkSymmetric(
      noise.correlation, size: m, path: "$.noise.correlation", name: name)
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
    try Self.checkAgreement(state, name: name)
    let k = state.model.predictors.count
    guard state.domain.xRange.count == k, state.domain.x.count == k else {
      throw fail("$.domain", "expected one list of values and one range per predictor (\(k))")
    }
    guard m >= k else {
      throw fail(
        "$.model.responses",
        "\(m) outputs cannot measure \(k) unknown quantities: not identifiable")
    }
    try Self.checkStandards(state, name: name)
    self.state = state
    self.outputs = outputs
  }

  /// Refuses a file whose figures that repeat each other disagree: the top-level parameters
  /// against the outputs' estimates, the degrees of freedom against the standards and the
  /// models, Σ̃ against S/ν, the correlation against Σ̃, the standard errors against the
  /// covariance's diagonal (to 1e-9 relative, far above the rounding of the fit that wrote
  /// them).
  private static func checkAgreement(_ state: MultiOutputState, name: String) throws(InputError) {
    func fail(_ path: String, _ message: String) -> InputError {
      InputError(file: name, message: "\(path): \(message)")
    }
    func close(_ a: Double, _ b: Double, scale: Double) -> Bool {
      Swift.abs(a - b) <= InstrumentValidation.tolerance * max(scale, .leastNormalMagnitude)
    }
    let m = state.outputs.count
    var index = 0
    for (j, output) in state.outputs.enumerated() {
      guard output.fit.n == state.fit.n else {
        throw fail("$.outputs[\(j)].fit.n", "expected the instrument's \(state.fit.n) standards")
      }
      for (l, estimate) in output.posterior.location.enumerated() {
        let expected = "\(state.model.responses[j]).\(output.parameters[l].name)"
        guard index < state.parameters.count, state.parameters[index].name == expected,
          state.parameters[index].estimate == estimate
        else {
          throw fail(
            "$.parameters[\(index)]",
            "expected \(expected) with the estimate of $.outputs[\(j)].posterior.location[\(l)]")
        }
        let variance = state.covariance[index][index]
        guard variance >= 0,
          close(
            state.parameters[index].stdError, variance.squareRoot(), scale: variance.squareRoot())
        else {
          throw fail(
            "$.parameters[\(index)].std_error",
            "expected the square root of $.covariance[\(index)][\(index)]")
        }
        index += 1
      }
    }
    let noise = state.noise
    let own = state.outputs.map { $0.posterior.location.count + ($0.noise.parameters?.count ?? 0) }
    let expectedDOF =
      noise.structure == .full
      ? Array(repeating: state.fit.n - (own.max() ?? 0), count: m)
      : own.map { state.fit.n - $0 }
    guard noise.dof == expectedDOF else {
      throw fail(
        "$.noise.dof", "expected \(expectedDOF): the standards less each model's parameters")
    }
    let predictive = noise.structure == .full ? expectedDOF[0] - m + 1 : expectedDOF.min() ?? 0
    guard state.fit.dof == expectedDOF.min(), state.fit.predictiveDOF == predictive else {
      throw fail(
        "$.fit", "expected dof \(expectedDOF.min() ?? 0) and predictive_dof \(predictive)")
    }
    for r in 0..<m {
      for c in 0..<m {
        let scale = (Swift.abs(noise.covariance[r][r] * noise.covariance[c][c])).squareRoot()
        let fromScatter =
          noise.structure == .full || r == c ? noise.scatter[r][c] / Double(noise.dof[r]) : 0
        guard close(noise.covariance[r][c], fromScatter, scale: scale) else {
          throw fail("$.noise.covariance[\(r)][\(c)]", "expected $.noise.scatter / $.noise.dof")
        }
        guard close(noise.correlation[r][c], noise.covariance[r][c] / scale, scale: 1) else {
          throw fail(
            "$.noise.correlation[\(r)][\(c)]", "expected the correlation of $.noise.covariance")
        }
      }
    }
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
