internal import CalibGSL

extension ResponseModel {
  /// Fits the instrument state p(a | calibration) to the standards.
  ///
  /// Models linear in their parameters are solved by weighted linear least squares
  /// (`LinearLeastSquares`), with the conjugate posterior: normal–scaled-inverse-χ² with σ
  /// estimated, normal with σ known (docs/linear-posterior.md). Nonlinear models are solved by
  /// GSL's trust-region methods from starting values, polished by Gauss–Newton steps with
  /// residuals in double-double, with the Laplace posterior at the optimum
  /// (docs/nonlinear-fit.md). Weights are 1/u(y)² when the data carry standard uncertainties
  /// (the noise scale is then known and χ² is reported); otherwise the fit is unweighted and
  /// the noise scale estimated.
  ///
  /// - Parameters:
  ///   - data: The standards.
  ///   - start: Starting values by parameter name (nonlinear models; families start
  ///     themselves, and these override their guesses).
  ///   - provenance: What to record about the input and the command.
  /// - Returns: The instrument state.
  /// - Throws: `FitError` for too few standards, a rank-deficient design, a model undefined
  ///   at a standard, missing starting values, or a fit that does not converge; `GSLError`.
  ///   - posterior: For a nonlinear model: Laplace, MCMC samples, or decided from the data.
  ///   - seed: The seed of the sampler's random numbers.
  ///   - bounds: Bounds on parameters by name, a uniform prior within them (nonlinear models:
  ///     applied to posterior samples).
  ///   - noise: The noise model: `constant` or `known` as the data say (u(y) given or not),
  ///     or a σ that varies with the response (`proportional`, `linear`, `power`), fitted
  ///     jointly with the model by maximum likelihood with the Laplace posterior
  ///     (`varyingNoiseFit`, docs/noise-models.md), or estimated from replicate standards
  ///     (`replicates`, `replicateNoiseFit`).
  ///   - distribution: The law of a reading about the response: normal, or Student's t, whose
  ///     scale follows `noise` (`constant` then meaning one fitted scale `s0`), fitted by
  ///     maximum likelihood like a σ that varies.
  ///   - degreesOfFreedom: ν of a Student-t noise, fixed; nil to estimate it. Where the
  ///     likelihood keeps rising as ν → ∞ (the standards show no heavier tails than normal
  ///     noise, which a score of standards often cannot tell apart), ν has no finite estimate:
  ///     the fit is then the normal noise with the same scale, the t's limit, and
  ///     `posterior.warnings` says so.
  public func fit(
    to data: CalibrationData, start: [String: Double] = [:], posterior: PosteriorChoice = .auto,
    seed: UInt64 = 1,
    bounds: [String: RangeRecord] = [:], noise: NoiseModel? = nil,
    distribution: NoiseDistribution = .normal, degreesOfFreedom: Double? = nil,
    provenance: Provenance
  ) throws -> InstrumentState {
    let form = NoiseForm(
      model: noise ?? .constant, distribution: distribution,
      fixedDegreesOfFreedom: degreesOfFreedom)
    if distribution == .student {
      guard ![.poisson, .replicates].contains(form.model) else {
        throw FitError.unsupported(
          "Student-t noise needs a scale (constant, known, proportional, linear or power);"
            + " the \(form.model) noise is not one")
      }
      if let nu = degreesOfFreedom, !(nu > 0 && nu.isFinite) {
        throw FitError.unsupported(
          "the degrees of freedom of a Student-t noise must be a positive number, found \(nu)")
      }
    }
    if form.isFittedByLikelihood {
      let noise = form.model
      // The readings' u(y) are the scale of a Student-t noise with a known scale; any other
      // noise fitted by likelihood estimates it.
      guard (data.responseUncertainties != nil) == (noise == .known) else {
        if noise == .known {
          throw FitError.unsupported(
            "a Student-t noise with a known scale takes it from the readings' u(y), which these"
              + " standards do not give")
        }
        throw FitError.unsupported(
          "the \(noise) noise model estimates σ from the standards; their given u(y) would fix it")
      }
      guard bounds.isEmpty, posterior != .mcmc || noise != .replicates else {
        throw FitError.unsupported(
          bounds.isEmpty
            ? "the replicates noise is estimated from the replicates, not by likelihood: its"
              + " posterior is not sampled"
            : "bounds apply to the posterior samples of a model with a constant or known noise;"
              + " a noise fitted by likelihood is sampled without them")
      }
      if noise == .poisson,
        let i = data.responses.indices.first(where: {
          let y = data.responses[$0].doubleValue
          return !(y >= 0 && y == y.rounded())
        })
      {
        throw InputError(
          file: data.source, line: data.lines[i], column: data.responseColumns?[i],
          message: "expected a count (an integer ≥ 0) in column '\(data.responseName)' for"
            + " Poisson noise, found \(Expression.format(data.responses[i].doubleValue))")
      }
      let (n, p, q) = (data.count, parameters.count, form.parameterNames.count)
      guard n > p + q else {
        throw FitError.tooFewStandards(
          have: n, need: p + q + 1,
          reason: "the model has \(p) parameter\(p == 1 ? "" : "s"), the \(form.name) \(q)"
            + " more, and one more standard is needed to estimate them")
      }
      if noise == .replicates {
        return try replicateNoiseFit(data, start: start, provenance: provenance)
      }
      let solution =
        try linearStructure.map { try linearSolution(data, $0) }
        ?? nonlinearSolution(data, start: start)
      let constant = try assemble(solution, data: data, provenance: provenance)
      // Posterior samples where asked for (`auto` keeps the Laplace approximation here).
      func sampled(_ state: InstrumentState, _ form: NoiseForm) throws -> InstrumentState {
        posterior == .mcmc
          ? try noiseSampledPosterior(state, data: data, form: form, seed: seed) : state
      }
      do {
        return try sampled(try varyingNoiseFit(constant, data: data, form: form), form)
      } catch is UnboundedDegreesOfFreedom {
        // The likelihood's supremum is the t's limit ν → ∞: normal noise with the same scale,
        // fitted as such, and the file says why.
        let normal = NoiseForm(model: form.model)
        var state =
          form.model == .constant || form.model == .known
          ? try sampledPosterior(constant, data: data, choice: posterior, seed: seed, bounds: [:])
          : try sampled(try varyingNoiseFit(constant, data: data, form: normal), normal)
        state.posterior.warnings =
          (state.posterior.warnings ?? []) + [UnboundedDegreesOfFreedom.reason]
        return state
      }
    }
    if let unknown = bounds.keys.sorted().first(where: { !parameters.contains($0) }) {
      throw FitError.boundOnUnknownParameter(name: unknown, parameters: parameters)
    }
    if !bounds.isEmpty, linearStructure != nil {
      throw FitError.boundsOnLinearModel(model: spec)
    }
    // Uncertain standards (--sx): generalized distance regression of a straight line (ISO/TS
    // 28037 §7), errors in variables for any other model.
    if data.predictorUncertainties != nil {
      if let slots = straightLineSlotsForDistanceRegression {
        return try distanceRegressionFit(to: data, slots: slots, provenance: provenance)
      }
      return try errorsInVariablesFit(to: data, start: start, provenance: provenance)
    }
    let n = data.count
    let p = parameters.count
    let noiseKnown = data.responseUncertainties != nil
    guard n >= p + (noiseKnown ? 0 : 1) else {
      throw noiseKnown
        ? FitError.tooFewStandards(
          have: n, need: p, reason: "the model has \(p) parameter\(p == 1 ? "" : "s")")
        : FitError.tooFewStandardsForNoise(have: n, parameters: p)
    }
    let solution =
      try linearStructure.map { try linearSolution(data, $0) }
      ?? nonlinearSolution(data, start: start)
    return try sampledPosterior(
      try assemble(solution, data: data, provenance: provenance), data: data, choice: posterior,
      seed: seed, bounds: bounds)
  }

  /// What either kind of fit hands to `assemble`.
  struct FitSolution {
    var coefficients: [Double]
    /// (JᵀWJ)⁻¹ (ΦᵀWΦ)⁻¹, row-major.
    var unscaledCovariance: [Double]
    var residualSumOfSquares: Double
    var leverages: [Double]
    var conditionNumber: Double
    var refinementSteps: Int
    var method: String
    /// The weighted design (or Jacobian) and response, for R².
    var design: [DoubleDouble]
    var response: [DoubleDouble]
    var weightedSquares: [DoubleDouble]
    /// The nonlinear solver's record, nil for a linear fit.
    var solver: SolverRecord?
  }

  /// The instrument state from a solution.
  private func assemble(
    _ solution: FitSolution, data: CalibrationData, provenance: Provenance
  ) throws -> InstrumentState {
    let n = data.count
    let p = parameters.count
    let noiseKnown = data.responseUncertainties != nil
    let dof = n - p
    let rss = solution.residualSumOfSquares
    let s2: Double? = noiseKnown ? nil : rss / Double(dof)
    let varianceScale = s2 ?? 1
    let unscaled = (0..<p).map { j in Array(solution.unscaledCovariance[(j * p)..<(j * p + p)]) }
    let covariance = unscaled.map { row in row.map { $0 * varianceScale } }
    let estimates = (0..<p).map { j in
      ParameterEstimate(
        name: parameters[j], estimate: solution.coefficients[j],
        stdError: covariance[j][j].squareRoot())
    }
    for (name, value) in [("the residual sum of squares", rss)]
      + estimates.map({
        ("the estimate or standard error of \($0.name)", $0.estimate + $0.stdError)
      })
      + [("the covariance", covariance.flatMap { $0 }.reduce(0, +))] where !value.isFinite
    {
      throw FitError.notFinite(name)
    }
    var statistics = FitStatistics(
      n: n, dof: dof, rss: rss,
      residualSD: dof > 0 ? (rss / Double(dof)).squareRoot() : nil,
      chi2: noiseKnown ? rss : nil,
      chi2PValue: noiseKnown && dof > 0
        ? Distributions.chiSquaredUpperTail(rss, degreesOfFreedom: Double(dof)) : nil,
      rSquared: coefficientOfDetermination(
        rss: rss, response: solution.response, weights: solution.weightedSquares,
        design: solution.design, columns: p),
      lackOfFit: noiseKnown ? nil : try LackOfFit(data: data, parameters: p, rss: rss),
      converged: true,
      method: solution.method,
      conditionNumber: solution.conditionNumber,
      refinementSteps: solution.refinementSteps,
      solver: solution.solver)
    // log L at the maximum: σ² at rss/n when estimated, the given u otherwise.
    let twoPi = 2 * Double.pi
    if let u = data.responseUncertainties?.map(\.doubleValue) {
      let logU = u.reduce(0.0) { $0 + _log($1) }
      statistics.setLikelihood(
        -0.5 * rss - logU - 0.5 * Double(n) * _log(twoPi), parameters: p)
    } else {
      statistics.setLikelihood(
        -0.5 * Double(n) * (_log(twoPi * rss / Double(n)) + 1), parameters: p + 1)
      let x = data.predictors.map { $0.map(\.doubleValue) }
      let means = x.map { response(at: $0, parameters: solution.coefficients) as Double }
      let residuals = zip(data.responses, means).map { $0.doubleValue - $1 }
      statistics.heteroscedasticity = HeteroscedasticityTest(residuals: residuals, means: means)
    }

    let domain = DomainRecord(
      x: (0..<predictors.count).map { k in data.predictors.map { $0[k].doubleValue } },
      y: data.responses.map(\.doubleValue),
      uY: data.responseUncertainties?.map(\.doubleValue),
      groups: data.groups,
      leverage: solution.leverages,
      maxLeverage: solution.leverages.max() ?? 0,
      xRange: (0..<predictors.count).map { k in
        let values = data.predictors.map { $0[k].doubleValue }
        // Cannot trap: fit() refuses fewer standards than parameters, and a model has one or more,
        // so there is at least one standard.
        return ClosedRangeRecord(lower: values.min()!, upper: values.max()!)
      },
      responseRange: ClosedRangeRecord(
        lower: data.responses.map(\.doubleValue).min()!,
        upper: data.responses.map(\.doubleValue).max()!))

    let kind: PosteriorKind =
      linearStructure == nil ? .laplace : (noiseKnown ? .normal : .normalScaledInverseChi2)
    return InstrumentState(
      format: InstrumentState.currentFormat,
      model: ModelRecord(
        spec: spec, formula: formula, predictors: predictors, response: data.responseName,
        linear: linearStructure != nil, basis: linearStructure?.basis.map(\.description),
        offset: linearStructure.flatMap { $0.offset.numberValue == 0 ? nil : $0.offset.description }
      ),
      parameters: estimates,
      covariance: covariance,
      fit: statistics,
      noise: NoiseRecord(model: noiseKnown ? .known : .constant, sigma: s2?.squareRoot(), dof: dof),
      posterior: PosteriorRecord(
        kind: kind, location: solution.coefficients, scale: unscaled, s2: s2,
        dof: noiseKnown ? nil : dof),
      domain: domain,
      provenance: provenance)
  }

  /// R² = 1 − rss/tss, with tss about the weighted mean when a column of the design is
  /// proportional to the weights' square roots (a constant term), about zero otherwise; nil
  /// when tss = 0 (readings that do not vary leave R² undefined).
  private func coefficientOfDetermination(
    rss: Double, response: [DoubleDouble], weights: [DoubleDouble], design: [DoubleDouble],
    columns p: Int
  ) -> Double? {
    let n = response.count
    // A constant regressor makes column j of the weighted design equal c·√wᵢ.
    let hasConstant = (0..<p).contains { j in
      let ratio = design[j].doubleValue / weights[0].doubleValue.squareRoot()
      return ratio != 0
        && (0..<n).allSatisfy { i in
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
