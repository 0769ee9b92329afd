internal import CalibGSL

extension ResponseModel {
  /// For a straight line in one predictor, a + b·x with no offset (`line`, `poly:1`, or a
  /// formula such as `b0 + b1*x`): the indices of its intercept and slope parameters; nil
  /// for any other model. What `--sx` (generalized distance regression) fits.
  var straightLineSlotsForDistanceRegression: (intercept: Int, slope: Int)? {
    guard predictors.count == 1, let linear = linearStructure, linear.basis.count == 2,
      linear.offset.numberValue == 0
    else { return nil }
    let constant = linear.basis.firstIndex { $0.numberValue == 1 }
    let slope = linear.basis.firstIndex {
      if case .symbol(let name) = $0 { return name == predictors[0] }
      return false
    }
    guard let constant, let slope, constant != slope else { return nil }
    return (constant, slope)
  }

  /// Fits a straight line to standards whose values x carry standard uncertainties u(x)
  /// (`--sx`) as well as their readings u(y) (`--sy`): generalized distance regression,
  /// ISO/TS 28037:2010 §7, York et al., Am. J. Phys. 72, 367 (2004)
  /// (`StraightLineDistanceRegression`; docs/noise-models.md).
  ///
  /// The instrument is a linear one with the noise known: its posterior is a ~ N(â, C) with
  /// C the fit's covariance of (a, b), which is what a measurement integrates over; χ² is
  /// reported on n − 2 degrees of freedom; `domain.u_x` records the standards' u(x) and
  /// `fit.method` the method.
  ///
  /// The line's intercept and slope are the model's parameters at `slots`.
  ///
  /// - Throws: `FitError.errorsInVariablesNeedResponseUncertainties` for standards without
  ///   u(y) (ISO/TS 28037 §7 weighs each by u²(y) + b²u²(x): a common u(y) is given as a column
  ///   of equal values); `FitError.tooFewStandards`, `collinearTerms`,
  ///   `notConverged`, `notFinite`.
  func distanceRegressionFit(
    to data: CalibrationData, slots: (intercept: Int, slope: Int), provenance: Provenance
  ) throws -> InstrumentState {
    guard let uXValues = data.predictorUncertainties, let uYValues = data.responseUncertainties
    else {
      throw FitError.errorsInVariablesNeedResponseUncertainties
    }
    let n = data.count
    guard n >= 2 else {
      throw FitError.tooFewStandards(have: n, need: 2, reason: "a straight line has 2 parameters")
    }
    let x = data.predictors.map { $0[0].doubleValue }
    let y = data.responses.map(\.doubleValue)
    let uX = uXValues.map(\.doubleValue)
    let uY = uYValues.map(\.doubleValue)
    let fit = try StraightLineDistanceRegression(x: x, uX: uX, y: y, uY: uY)

    // The model's parameter order: the intercept and the slope where the model has them.
    var coefficients = [0.0, 0.0]
    coefficients[slots.intercept] = fit.intercept
    coefficients[slots.slope] = fit.slope
    let order = [slots.intercept, slots.slope]
    var covariance = [[0.0, 0.0], [0.0, 0.0]]
    for (i, oi) in order.enumerated() {
      for (j, oj) in order.enumerated() { covariance[oi][oj] = fit.covariance[i][j] }
    }
    let estimates = (0..<2).map { j in
      ParameterEstimate(
        name: parameters[j], estimate: coefficients[j], stdError: covariance[j][j].squareRoot())
    }
    let dof = n - 2
    let chi2 = fit.chiSquared
    // R² about the mean weighted by the effective weights 1/(u²(y) + b²u²(x)).
    let weights = (0..<n).map { 1 / (uY[$0] * uY[$0] + fit.slope * fit.slope * uX[$0] * uX[$0]) }
    let mean = zip(weights, y).map(*).reduce(0, +) / weights.reduce(0, +)
    let tss = zip(weights, y).map { $0 * ($1 - mean) * ($1 - mean) }.reduce(0, +)
    let statistics = FitStatistics(
      n: n, dof: dof, rss: chi2,
      residualSD: dof > 0 ? (chi2 / Double(dof)).squareRoot() : nil,
      chi2: chi2,
      chi2PValue: dof > 0
        ? Distributions.chiSquaredUpperTail(chi2, degreesOfFreedom: Double(dof)) : nil,
      rSquared: tss > 0 ? 1 - chi2 / tss : nil,
      lackOfFit: nil,
      converged: true,
      method:
        "generalized distance regression (ISO/TS 28037:2010 §7; York et al. 2004): the standards' "
        + "u(x) and the readings' u(y), Gauss–Newton on χ²(a, b) = Σ(y − a − b·x)²/(u(y)² + "
        + "b²·u(x)²), covariance (JᵀJ)⁻¹ at the solution",
      conditionNumber: fit.conditionNumber,
      refinementSteps: fit.iterations,
      solver: nil)
    var domain = DomainRecord(
      x: [x], y: y, uY: uY, groups: data.groups,
      leverage: fit.leverages.map { min(max($0, 0), 1) },
      maxLeverage: fit.leverages.map { min(max($0, 0), 1) }.max() ?? 0,
      // Cannot trap: n ≥ 2 was checked above.
      xRange: [ClosedRangeRecord(lower: x.min()!, upper: x.max()!)],
      responseRange: ClosedRangeRecord(lower: y.min()!, upper: y.max()!))
    domain.uX = uX
    let linear = linearStructure
    return InstrumentState(
      format: InstrumentState.currentFormat,
      model: ModelRecord(
        spec: spec, formula: formula, predictors: predictors, response: data.responseName,
        linear: true, basis: linear?.basis.map(\.description), offset: nil),
      parameters: estimates,
      covariance: covariance,
      fit: statistics,
      noise: NoiseRecord(model: .known, sigma: nil, dof: dof),
      posterior: PosteriorRecord(
        kind: .normal, location: coefficients, scale: covariance, s2: nil, dof: nil),
      domain: domain,
      provenance: provenance)
  }
}
