extension ResponseModel {
  /// Fits the instrument state p(a | calibration) to the standards.
  ///
  /// Linear-in-parameter models are solved by weighted linear least squares
  /// (`LinearLeastSquares`): weights 1/u(y)² when the data carry standard uncertainties (the
  /// noise scale is then known and χ² is reported), unweighted with the noise scale estimated
  /// otherwise. The posterior is the conjugate one: normal–scaled-inverse-χ² with σ
  /// estimated, normal with σ known (docs/linear-posterior.md).
  ///
  /// - Parameters:
  ///   - data: The standards.
  ///   - provenance: What to record about the input and the command.
  /// - Returns: The instrument state.
  /// - Throws: `FitError` for too few standards, a rank-deficient design, a model undefined
  ///   at a standard, or a nonlinear model (fitted in a later version); `GSLError`.
  public func fit(to data: CalibrationData, provenance: Provenance) throws -> InstrumentState {
    guard let linear = linearStructure else {
      throw FitError.unsupported(
        "the model '\(spec)' is nonlinear in its parameters (\(parameters.joined(separator: ", ")));"
          + " this version of calib fits models that are linear in their parameters only")
    }
    let n = data.count
    let p = parameters.count
    let noiseKnown = data.responseUncertainties != nil
    guard n >= p + (noiseKnown ? 0 : 1) else {
      throw FitError.tooFewStandards(
        have: n, need: p + (noiseKnown ? 0 : 1),
        reason: noiseKnown
          ? "the model has \(p) parameter\(p == 1 ? "" : "s")"
          : "the model has \(p) parameter\(p == 1 ? "" : "s") and one more standard is needed to estimate the noise (or give --sy)")
    }

    // The weighted design Φ and response y − φ₀(x), in double-double.
    var design = [DoubleDouble](repeating: DoubleDouble(0.0), count: n * p)
    var response = [DoubleDouble](repeating: DoubleDouble(0.0), count: n)
    var weightedSquares = [DoubleDouble](repeating: DoubleDouble(0.0), count: n)
    for i in 0..<n {
      let weight = data.responseUncertainties.map { DoubleDouble(1.0) / $0[i] } ?? DoubleDouble(1.0)
      let offset = linear.compiledOffset.evaluate(data.predictors[i])
      guard offset.isFinite else { throw FitError.undefinedAtStandard(line: data.lines[i], term: linear.offset.description) }
      for j in 0..<p {
        let value = linear.compiledBasis[j].evaluate(data.predictors[i])
        guard value.isFinite else { throw FitError.undefinedAtStandard(line: data.lines[i], term: linear.basis[j].description) }
        design[i * p + j] = value * weight
      }
      response[i] = (data.responses[i] - offset) * weight
      weightedSquares[i] = weight * weight
    }

    let problem = LinearLeastSquares(design: design, response: response, rows: n, columns: p)
    let solution = try problem.solve(termNames: linear.basis.map(\.description))

    let dof = n - p
    let rss = solution.residualSumOfSquares
    let s2: Double? = noiseKnown ? nil : rss / Double(dof)
    let varianceScale = s2 ?? 1
    let unscaled = (0..<p).map { j in Array(solution.unscaledCovariance[(j * p)..<(j * p + p)]) }
    let covariance = unscaled.map { row in row.map { $0 * varianceScale } }
    let estimates = (0..<p).map { j in
      ParameterEstimate(
        name: parameters[j], estimate: solution.coefficients[j],
        stdError: (covariance[j][j]).squareRoot())
    }

    let statistics = FitStatistics(
      n: n, dof: dof, rss: rss,
      residualSD: dof > 0 ? (rss / Double(dof)).squareRoot() : nil,
      chi2: noiseKnown ? rss : nil,
      chi2PValue: noiseKnown && dof > 0 ? Distributions.chiSquaredUpperTail(rss, degreesOfFreedom: Double(dof)) : nil,
      rSquared: coefficientOfDetermination(
        rss: rss, response: response, weights: weightedSquares, design: design, columns: p),
      lackOfFit: noiseKnown ? nil : try LackOfFit(data: data, parameters: p, rss: rss),
      converged: true,
      method: "linear least squares: column-scaled Jacobi SVD (GSL) with iterative refinement in double-double",
      conditionNumber: solution.conditionNumber,
      refinementSteps: solution.refinementSteps)

    let domain = DomainRecord(
      x: (0..<predictors.count).map { k in data.predictors.map { $0[k].doubleValue } },
      y: data.responses.map(\.doubleValue),
      uY: data.responseUncertainties?.map(\.doubleValue),
      groups: data.groups,
      leverage: solution.leverages,
      maxLeverage: solution.leverages.max() ?? 0,
      xRange: (0..<predictors.count).map { k in
        let values = data.predictors.map { $0[k].doubleValue }
        return ClosedRangeRecord(lower: values.min()!, upper: values.max()!)
      },
      responseRange: ClosedRangeRecord(
        lower: data.responses.map(\.doubleValue).min()!, upper: data.responses.map(\.doubleValue).max()!))

    let offsetIsZero = linear.offset.numberValue == 0
    return InstrumentState(
      format: InstrumentState.currentFormat,
      model: ModelRecord(
        spec: spec, formula: formula, predictors: predictors, response: data.responseName,
        linear: true, basis: linear.basis.map(\.description), offset: offsetIsZero ? nil : linear.offset.description),
      parameters: estimates,
      covariance: covariance,
      fit: statistics,
      noise: NoiseRecord(model: noiseKnown ? "known" : "constant", sigma: s2?.squareRoot(), dof: dof),
      posterior: PosteriorRecord(
        kind: noiseKnown ? "normal" : "normal-scaled-inverse-chi2",
        location: solution.coefficients, scale: unscaled, s2: s2, dof: noiseKnown ? nil : dof),
      domain: domain,
      provenance: provenance)
  }

  /// R² = 1 − rss/tss, with tss about the weighted mean when a column of the design is
  /// proportional to the weights' square roots (a constant term), about zero otherwise; nil
  /// when tss = 0 (readings that do not vary leave R² undefined).
  private func coefficientOfDetermination(
    rss: Double, response: [DoubleDouble], weights: [DoubleDouble], design: [DoubleDouble], columns p: Int
  ) -> Double? {
    let n = response.count
    // A constant regressor makes column j of the weighted design equal c·√wᵢ.
    let hasConstant = (0..<p).contains { j in
      let ratio = design[j].doubleValue / weights[0].doubleValue.squareRoot()
      return ratio != 0 && (0..<n).allSatisfy { i in
        let r = design[i * p + j].doubleValue / weights[i].doubleValue.squareRoot()
        return Swift.abs(r - ratio) <= 1e-12 * Swift.abs(ratio)
      }
    }
    var total = DoubleDouble(0.0)
    if hasConstant {
      // Weighted mean of the unweighted responses: Σ√wᵢ·bᵢ / Σwᵢ, with bᵢ = √wᵢ·yᵢ.
      var sum = DoubleDouble(0.0), weightSum = DoubleDouble(0.0)
      for i in 0..<n {
        let root = DoubleDouble(weights[i].doubleValue.squareRoot())
        sum += root * response[i]
        weightSum += weights[i]
      }
      let mean = sum / weightSum
      for i in 0..<n {
        let root = DoubleDouble(weights[i].doubleValue.squareRoot())
        let deviation = response[i] - root * mean
        total += deviation * deviation
      }
    } else {
      for i in 0..<n { total += response[i] * response[i] }
    }
    let tss = total.doubleValue
    return tss > 0 ? 1 - rss / tss : nil
  }
}
