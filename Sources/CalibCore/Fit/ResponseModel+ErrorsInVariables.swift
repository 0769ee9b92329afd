internal import CalibGSL

extension ResponseModel {
  /// Fits any model in one predictor to standards whose values x carry standard uncertainties
  /// u(x) (`--sx`) as well as their readings u(y) (`--sy`): errors in variables with the true
  /// value ξᵢ of each uncertain standard as a parameter of its own (docs/noise-models.md).
  ///
  /// θ = (a, ξ) minimizes χ²(a, ξ) = Σ (yᵢ − f(ξᵢ; a))²/u(yᵢ)² + Σ (xᵢ − ξᵢ)²/u(xᵢ)², the
  /// weighted orthogonal distance regression of Boggs & Rogers (ODRPACK; Contemp. Math. 112,
  /// 1990), which for a straight line is ISO/TS 28037 §7's generalized distance regression; a
  /// standard with u(x) = 0 keeps ξᵢ = xᵢ. GSL's trust-region Levenberg–Marquardt solves it,
  /// with the exact Jacobian, from the fit that ignores u(x). The covariance of θ is (JᵀJ)⁻¹ at
  /// the solution; its block of the model's parameters is their covariance with the ξ
  /// marginalized (the Laplace approximation of p(a | D) with the ξ integrated out), which is
  /// what a measurement integrates over. χ² is reported on n − p degrees of freedom.
  ///
  /// - Throws: `FitError.errorsInVariablesNeedResponseUncertainties` without u(y);
  ///   `FitError.unsupported` for several predictors; `FitError.notConverged`; what the fit
  ///   without u(x) throws.
  func errorsInVariablesFit(
    to data: CalibrationData, start: [String: Double], provenance: Provenance
  ) throws -> InstrumentState {
    guard predictors.count == 1 else {
      throw FitError.unsupported(
        "errors in variables are fitted for one predictor; this model has \(predictors.count)")
    }
    guard let uXValues = data.predictorUncertainties, let uYValues = data.responseUncertainties
    else {
      throw FitError.errorsInVariablesNeedResponseUncertainties
    }
    var exact = data
    exact.predictorUncertainties = nil
    let initial = try fit(to: exact, start: start, posterior: .laplace, provenance: provenance)
    let n = data.count
    let p = parameters.count
    let x = data.predictors.map { $0[0].doubleValue }
    let y = data.responses.map(\.doubleValue)
    let uX = uXValues.map(\.doubleValue)
    let uY = uYValues.map(\.doubleValue)
    // Each uncertain standard's slot in θ after the model's parameters.
    let free = x.indices.filter { uX[$0] > 0 }
    var slot = [Int?](repeating: nil, count: n)
    for (k, i) in free.enumerated() { slot[i] = p + k }
    let k = p + free.count
    let m = n + free.count
    func truth(_ theta: UnsafeBufferPointer<Double>, _ i: Int) -> Double {
      slot[i].map { theta[$0] } ?? x[i]
    }
    let residuals: TrustRegionSolver.Residuals = { theta, r in
      let a = Array(theta[..<p])
      for i in 0..<n {
        let value: Double = self.response(at: [truth(theta, i)], parameters: a)
        r[i] = (y[i] - value) / uY[i]
      }
      for (j, i) in free.enumerated() { r[n + j] = (x[i] - theta[p + j]) / uX[i] }
      return (0..<m).allSatisfy { r[$0].isFinite }
    }
    let jacobian: TrustRegionSolver.Jacobian = { theta, J in
      let a = Array(theta[..<p])
      for index in 0..<(m * k) { J[index] = 0 }
      for i in 0..<n {
        let xi = [truth(theta, i)]
        let g = self.parameterGradient(at: xi, parameters: a)
        for j in 0..<p { J[i * k + j] = -g[j] / uY[i] }
        if let s = slot[i] {
          J[i * k + s] = -self.predictorGradient(at: xi, parameters: a)[0] / uY[i]
        }
      }
      for (j, i) in free.enumerated() { J[(n + j) * k + p + j] = -1 / uX[i] }
      return (0..<(m * k)).allSatisfy { J[$0].isFinite }
    }
    let outcome = try TrustRegionSolver.solve(
      residuals: residuals, jacobian: jacobian, observations: m,
      start: initial.posterior.location + free.map { x[$0] }, method: .levenbergMarquardt)
    guard outcome.convergence != nil else {
      throw FitError.notConverged(
        tried: "errors in variables from the fit without u(x): "
          + (outcome.stop?.description ?? "no convergence"))
    }
    let theta = outcome.parameters
    var r = [Double](repeating: 0, count: m)
    var J = [Double](repeating: 0, count: m * k)
    let finite = theta.withUnsafeBufferPointer { view in
      r.withUnsafeMutableBufferPointer { residuals(view, $0) }
        && J.withUnsafeMutableBufferPointer { jacobian(view, $0) }
    }
    var information = [Double](repeating: 0, count: k * k)
    for i in 0..<m {
      for a in 0..<k where J[i * k + a] != 0 {
        for b in 0..<k { information[a * k + b] += J[i * k + a] * J[i * k + b] }
      }
    }
    guard finite, let inverse = Cholesky.inverse(information, size: k) else {
      throw FitError.notFinite("the covariance of the errors-in-variables fit")
    }
    let a = Array(theta[..<p])
    let covariance = (0..<p).map { i in (0..<p).map { j in inverse[i * k + j] } }
    let chi2 = r.reduce(0) { $0 + $1 * $1 }
    let dof = n - p
    var state = initial
    state.parameters = (0..<p).map { j in
      ParameterEstimate(
        name: parameters[j], estimate: a[j], stdError: covariance[j][j].squareRoot())
    }
    state.covariance = covariance
    state.fit.rss = chi2
    state.fit.chi2 = chi2
    state.fit.chi2PValue =
      dof > 0 ? Distributions.chiSquaredUpperTail(chi2, degreesOfFreedom: Double(dof)) : nil
    state.fit.residualSD = dof > 0 ? (chi2 / Double(dof)).squareRoot() : nil
    state.fit.method =
      "errors in variables: weighted orthogonal distance regression (Boggs & Rogers 1990) of"
      + " the standards' u(x) and the readings' u(y), the true x of each uncertain standard a"
      + " parameter, by GSL's Levenberg–Marquardt; covariance (JᵀJ)⁻¹ with the true x"
      + " marginalized"
    state.fit.refinementSteps = outcome.iterations
    state.fit.logLikelihood = nil
    state.fit.aic = nil
    state.fit.bic = nil
    state.posterior = PosteriorRecord(
      kind: linearStructure != nil ? .normal : .laplace, location: a, scale: covariance,
      s2: nil, dof: nil)
    // Each standard's effective variance u(yᵢ)² + f′(ξᵢ)²u(xᵢ)², for the leverages
    // g(ξᵢ)ᵀCg(ξᵢ)/vᵢ in [0, 1] and R² about the mean weighted by 1/vᵢ.
    var leverages: [Double] = [], weights: [Double] = []
    theta.withUnsafeBufferPointer { view in
      for i in 0..<n {
        let xi = [truth(view, i)]
        let g = parameterGradient(at: xi, parameters: a)
        let slope = predictorGradient(at: xi, parameters: a)[0]
        let v = uY[i] * uY[i] + slope * slope * uX[i] * uX[i]
        let h = (0..<p).reduce(0.0) { sum, j in
          sum + g[j] * (0..<p).reduce(0.0) { $0 + covariance[j][$1] * g[$1] }
        }
        leverages.append(min(max(h / v, 0), 1))
        weights.append(1 / v)
      }
    }
    let mean = zip(weights, y).map(*).reduce(0, +) / weights.reduce(0, +)
    let tss = zip(weights, y).map { $0 * ($1 - mean) * ($1 - mean) }.reduce(0, +)
    state.fit.rSquared = tss > 0 ? 1 - chi2 / tss : nil
    state.domain.leverage = leverages
    state.domain.maxLeverage = leverages.max() ?? 0
    state.domain.uX = uX
    return state
  }
}
