internal import CalibGSL

/// Fits an instrument with several outputs (`calib fit --y y1,y2,...`): multivariate
/// regression on the same standards with a noise covariance Σ between the outputs
/// (docs/geometry.md).
///
/// Each output's model is fitted to its readings as a single-output instrument, by least
/// squares with a constant noise, or by maximum likelihood with a noise that varies with its
/// response (σⱼ(μ): proportional, linear, power); for models with the same regressors and a
/// constant noise this is also the estimate of the joint (seemingly unrelated) regression,
/// which reduces to it (Zellner 1962). The noise covariance is estimated from the residuals
/// standardized by each output's σⱼ (1 for a constant noise): Σ̃ = S/ν, S their sums of
/// squares and cross products, ν = n − max(pⱼ + qⱼ) (`full`), or each output's variance on
/// its own (`diagonal`). The noise of a reading vector at x is then
/// Σ(x) = D(x)·Σ̃·D(x), D(x) = diag σⱼ(μⱼ(x)) (D = I for a constant noise: Σ = Σ̃): homogeneous
/// or not, isotropic or not. The covariance of all the estimates together has blocks
/// BᵢΩᵢⱼBⱼᵀ, Bᵢ = (JᵢᵀWᵢJᵢ)⁻¹JᵢᵀWᵢ with Wᵢ = diag 1/σᵢ², Ωᵢⱼ = diag Σᵢⱼ(xₛ) over the
/// standards: the correlation the shared noise gives the estimates of different outputs.
public enum MultiOutputFit {
  /// The instrument with several outputs fitted to `data` (one calibration per output, the
  /// same standards in the same order).
  ///
  /// - Parameters:
  ///   - data: One calibration per output, as `CalibrationData.outputs` reads them.
  ///   - models: One response model per output, all in the same predictors.
  ///   - structure: A full or a diagonal noise covariance between the outputs.
  ///   - noise: How each output's noise scale varies: `constant` (default), `proportional`,
  ///     `linear` or `power`.
  ///   - spec: The model specification as the user gave it, for the file.
  ///   - seed: The seed of each output's fit.
  ///   - provenance: Where the calibration came from.
  /// - Throws: `FitError` where an output cannot be fitted, where the standards are too few to
  ///   estimate Σ (n ≥ max pⱼ + m for a full Σ), where Σ̂ is singular (outputs that are exact
  ///   combinations of each other), or where the outputs cannot tell the predictors apart
  ///   (fewer independent outputs than unknowns).
  public static func fit(
    to data: [CalibrationData], models: [ResponseModel], structure: OutputCovarianceStructure,
    noise: NoiseModel = .constant, spec: String, seed: UInt64 = 1, provenance: Provenance
  ) throws -> MultiOutputState {
    guard [.constant, .proportional, .linear, .power].contains(noise) else {
      throw FitError.unsupported(
        "the \(noise) noise applies to one output; several outputs take a constant noise or one whose scale varies with the response (proportional, linear, power)"
      )
    }
    let m = models.count
    precondition(m >= 2 && data.count == m, "one calibration per output, at least two outputs")
    let predictors = models[0].predictors
    let k = predictors.count
    guard m >= k else {
      throw FitError.degenerateOutputs(
        "\(m) outputs cannot measure \(k) unknown quantities (\(predictors.joined(separator: ", "))): a reading vector must have at least as many independent outputs as there are unknowns, or the unknowns are not identifiable"
      )
    }
    var outputs: [InstrumentState] = []
    for j in 0..<m {
      outputs.append(
        try models[j].fit(
          to: data[j], posterior: models[j].isLinear && noise == .constant ? .auto : .laplace,
          seed: seed, noise: noise, provenance: provenance))
    }
    // σⱼ at each standard's fitted response (1 for a constant noise: Σ̃ is then Σ).
    let scales: [[Double]] = try outputs.map { output in
      let instrument = try Instrument(output)
      guard noise != .constant, let eta = output.noise.parameters?.map(\.estimate) else {
        return Array(repeating: 1, count: data[0].count)
      }
      let function = instrument.measuredNoiseForm.function(eta)
      let x = data[0].predictors.map { $0.map(\.doubleValue) }
      return x.map {
        function.sigma(
          at: instrument.responseModel.response(at: $0, parameters: output.posterior.location))
      }
    }
    let n = data[0].count
    let x = data[0].predictors.map { $0.map(\.doubleValue) }
    let counts = models.map(\.parameters.count)
    let noiseCounts = outputs.map { $0.noise.parameters?.count ?? 0 }
    let largest = zip(counts, noiseCounts).map { $0 + $1 }.max() ?? 0
    if structure == .full, n < largest + m {
      throw FitError.tooFewStandards(
        have: n, need: largest + m,
        reason:
          "a full noise covariance between \(m) outputs needs ν − m + 1 ≥ 1 degrees of freedom left by the largest model (\(largest) parameters); give more standards or --covariance diagonal"
      )
    }
    // Residuals and Jacobians at the estimates.
    var residuals = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
    var jacobians: [[[Double]]] = []
    for j in 0..<m {
      let a = outputs[j].posterior.location
      let y = data[j].responses.map(\.doubleValue)
      var rows: [[Double]] = []
      for i in 0..<n {
        residuals[i][j] = (y[i] - models[j].response(at: x[i], parameters: a)) / scales[j][i]
        rows.append(models[j].parameterGradient(at: x[i], parameters: a))
      }
      jacobians.append(rows)
    }
    var scatter = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
    for i in 0..<n {
      for r in 0..<m {
        for c in 0..<m { scatter[r][c] += residuals[i][r] * residuals[i][c] }
      }
    }
    guard scales.allSatisfy({ $0.allSatisfy { $0 > 0 && $0.isFinite } }) else {
      throw FitError.degenerateOutputs(
        "an output's fitted noise scale is not positive at every standard; its \(noise) noise cannot standardize the residuals"
      )
    }
    let dof = (0..<m).map {
      structure == .full ? n - largest : n - counts[$0] - noiseCounts[$0]
    }
    var sigma = scatter
    for r in 0..<m {
      for c in 0..<m {
        sigma[r][c] =
          r == c
          ? scatter[r][r] / Double(dof[r])
          : structure == .full ? scatter[r][c] / Double(dof[r]) : 0
      }
    }
    guard Cholesky.strictFactor(of: sigma.flatMap { $0 }, size: m) != nil else {
      throw FitError.degenerateOutputs(
        "the noise covariance between the outputs is singular: an output's residuals are an exact combination of the others' (a duplicated or derived column); drop it"
      )
    }
    let correlation = (0..<m).map { r in
      (0..<m).map { c in sigma[r][c] / (sigma[r][r] * sigma[c][c]).squareRoot() }
    }
    let covariance = try jointCovariance(sigma: sigma, scales: scales, jacobians: jacobians)
    var parameters: [ParameterEstimate] = []
    var offset = 0
    for j in 0..<m {
      for (l, name) in models[j].parameters.enumerated() {
        let index = offset + l
        parameters.append(
          ParameterEstimate(
            name: "\(data[j].responseName).\(name)",
            estimate: outputs[j].posterior.location[l],
            stdError: covariance[index][index].squareRoot()))
      }
      offset += counts[j]
    }
    try checkIdentifiable(
      models: models, estimates: outputs.map(\.posterior.location), x: x, sigma: sigma,
      covariance: covariance, predictors: predictors)
    let predictiveDOF =
      structure == .full ? n - largest - m + 1 : dof.min() ?? 0
    // log L at the maximum-likelihood Σ̃ of the structure (S/n, or its diagonal), plus the
    // log-Jacobian of the standardization, −Σ log σⱼ(xₛ), for a noise that varies.
    let mlScatter = (0..<m).map { r in
      (0..<m).map { c in structure == .full || r == c ? scatter[r][c] / Double(n) : 0 }
    }
    let logDeterminant = Cholesky.strictFactor(of: mlScatter.flatMap { $0 }, size: m).map {
      factor in (0..<m).reduce(0.0) { $0 + 2 * _log(factor[$1 * m + $1]) }
    }
    let standardization = scales.reduce(0.0) { $0 + $1.reduce(0.0) { $0 + _log($1) } }
    let logLikelihood =
      -Double(n * m) / 2 * (_log(2 * Double.pi) + 1) - Double(n) / 2 * (logDeterminant ?? .nan)
      - standardization
    guard logLikelihood.isFinite else {
      throw FitError.degenerateOutputs(
        "the outputs' residuals leave no noise to estimate (their scatter matrix is singular): an output fits its standards exactly or is an exact combination of others"
      )
    }
    let xRange = (0..<k).map { column in
      let values = x.map { $0[column] }
      return ClosedRangeRecord(lower: values.min() ?? 0, upper: values.max() ?? 0)
    }
    return MultiOutputState(
      format: InstrumentState.currentFormat,
      model: MultiOutputModelRecord(
        spec: spec, predictors: predictors, responses: data.map(\.responseName)),
      parameters: parameters, covariance: covariance,
      noise: OutputNoiseRecord(
        structure: structure, scale: noise, covariance: sigma, correlation: correlation,
        scatter: scatter,
        dof: dof),
      fit: MultiOutputFitStatistics(
        n: n, outputs: m, dof: dof.min() ?? 0, predictiveDOF: predictiveDOF,
        converged: outputs.allSatisfy(\.fit.converged), logLikelihood: logLikelihood),
      domain: MultiOutputDomainRecord(
        x: (0..<k).map { column in x.map { $0[column] } }, xRange: xRange,
        groups: data[0].groups),
      outputs: outputs, provenance: provenance)
  }

  /// The covariance of all the outputs' estimates together: block (i, j) is BᵢΩᵢⱼBⱼᵀ with
  /// Bᵢ = (JᵢᵀWᵢJᵢ)⁻¹JᵢᵀWᵢ, Wᵢ = diag 1/σᵢₛ², Ωᵢⱼ = diag Σ̃ᵢⱼσᵢₛσⱼₛ (s over the standards;
  /// `scales[i][s]` = σᵢₛ).
  static func jointCovariance(
    sigma: [[Double]], scales: [[Double]], jacobians: [[[Double]]]
  ) throws -> [[Double]] {
    let m = sigma.count
    let counts = jacobians.map { $0.first?.count ?? 0 }
    let total = counts.reduce(0, +)
    let n = jacobians.first?.count ?? 0
    var result = [[Double]](repeating: [Double](repeating: 0, count: total), count: total)
    // Bᵢ scaled by σᵢₛ: the estimate's response to the standardized readings, (JᵢᵀWᵢJᵢ)⁻¹JᵢᵀWᵢ·σᵢ.
    let influence: [[[Double]]] = try (0..<m).map { i in
      let p = counts[i]
      var information = [Double](repeating: 0, count: p * p)
      for s in 0..<n {
        let w = 1 / (scales[i][s] * scales[i][s])
        for r in 0..<p {
          for c in 0..<p { information[r * p + c] += jacobians[i][s][r] * w * jacobians[i][s][c] }
        }
      }
      guard let inverse = Cholesky.inverse(information, size: p) else {
        throw FitError.degenerateOutputs(
          "an output's model is not identifiable from the standards (its parameters' information matrix is singular)"
        )
      }
      var rows: [[Double]] = []
      for r in 0..<p {
        var row = [Double](repeating: 0, count: n)
        for s in 0..<n {
          var sum = 0.0
          for c in 0..<p { sum += inverse[r * p + c] * jacobians[i][s][c] }
          row[s] = sum / scales[i][s]
        }
        rows.append(row)
      }
      return rows
    }
    var rowOffset = 0
    for i in 0..<m {
      var columnOffset = 0
      for j in 0..<m {
        for r in 0..<counts[i] {
          for c in 0..<counts[j] {
            var sum = 0.0
            for s in 0..<n { sum += influence[i][r][s] * influence[j][c][s] }
            result[rowOffset + r][columnOffset + c] = sigma[i][j] * sum
          }
        }
        columnOffset += counts[j]
      }
      rowOffset += counts[i]
    }
    return result
  }

  /// Refuses an instrument whose outputs cannot tell its predictors apart.
  ///
  /// At the centre of the standards, D = ∂f/∂x (m×k) maps a change of the unknowns to a change
  /// of the response vector; its least informative direction v is the eigenvector of the
  /// smallest eigenvalue of DᵀΣ⁻¹D. The unknowns are identifiable when the response moves
  /// measurably along v: the Wald statistic of Dv = 0, (Dv)ᵀ·Cov(Dv)⁻¹·(Dv) with Cov(Dv)
  /// from the joint covariance of the estimates, must reject at the 1% level on χ²(m).
  /// (Outputs that all respond to x₁ + x₂ alone, whatever their noise, do not.)
  private static func checkIdentifiable(
    models: [ResponseModel], estimates: [[Double]], x: [[Double]], sigma: [[Double]],
    covariance: [[Double]], predictors: [String]
  ) throws {
    let m = models.count, k = predictors.count
    guard let inverse = Cholesky.inverse(sigma.flatMap { $0 }, size: m) else { return }
    let center = (0..<k).map { a in x.reduce(0.0) { $0 + $1[a] } / Double(max(x.count, 1)) }
    let d = (0..<m).map { models[$0].predictorGradient(at: center, parameters: estimates[$0]) }
    var information = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for a in 0..<k {
      for b in 0..<k {
        for r in 0..<m {
          for c in 0..<m { information[a][b] += d[r][a] * inverse[r * m + c] * d[c][b] }
        }
      }
    }
    let refusal = FitError.degenerateOutputs(
      "the outputs cannot tell the \(k) unknown quantities (\(predictors.joined(separator: ", "))) apart: along one combination of them no output's response changes measurably (fewer than \(k) independent outputs respond to them), so they are not identifiable"
    )
    guard let (smallest, direction) = SymmetricEigenvalues.smallest(of: information),
      smallest > 1e-12 * information.indices.reduce(0.0, { $0 + information[$1][$1] })
    else { throw refusal }
    guard k > 1 else { return }
    // Dv and its covariance through each output's parameters (finite differences; exact for
    // a model linear in its parameters, whose sensitivities are linear in them).
    let change = (0..<m).map { j in (0..<k).reduce(0.0) { $0 + d[j][$1] * direction[$1] } }
    var jacobian = [[Double]](repeating: [], count: m)
    var offset = 0
    for j in 0..<m {
      let p = estimates[j].count
      var row = [Double](repeating: 0, count: covariance.count)
      for l in 0..<p {
        var shifted = estimates[j]
        let step =
          1e-6 * max(Swift.abs(shifted[l]), covariance[offset + l][offset + l].squareRoot(), 1e-300)
        shifted[l] += step
        let g = models[j].predictorGradient(at: center, parameters: shifted)
        let moved = (0..<k).reduce(0.0) { $0 + g[$1] * direction[$1] }
        row[offset + l] = (moved - change[j]) / step
      }
      jacobian[j] = row
      offset += p
    }
    var spread = [Double](repeating: 0, count: m * m)
    for r in 0..<m {
      for c in 0..<m {
        var sum = 0.0
        for a in covariance.indices where jacobian[r][a] != 0 {
          for b in covariance.indices { sum += jacobian[r][a] * covariance[a][b] * jacobian[c][b] }
        }
        spread[r * m + c] = sum
      }
    }
    guard let solved = Cholesky.solve(spread, change) else { return }
    let statistic = zip(change, solved).reduce(0.0) { $0 + $1.0 * $1.1 }
    guard Distributions.chiSquaredUpperTail(statistic, degreesOfFreedom: Double(m)) < 0.01 else {
      throw refusal
    }
  }
}
