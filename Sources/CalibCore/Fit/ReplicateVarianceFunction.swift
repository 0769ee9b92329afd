internal import CalibGSL

/// The variance function σ = s0·|μ|^k fitted to the sample variances of replicate standards
/// by a gamma regression with log link (`ResponseModel.replicateNoiseFit`).
struct ReplicateVarianceFunction {
  /// c = (c0, c1) of log σ² = c0 + c1·log|μ|, and the inverse of its expected information.
  let coefficients: [Double]
  let covariance: [Double]
  /// Σ dⱼ over the groups with replicates.
  let degreesOfFreedom: Int
  /// Each standard's group mean reading (its own reading where it has no replicates).
  let startingMeans: [Double]

  /// σ(μ) = s0·|μ|^k at the estimates.
  var function: NoiseFunction { NoiseFunction(model: .replicates, parameters: eta) }

  /// (s0, k) = (e^(c0/2), c1/2).
  var eta: [Double] { [_exp(coefficients[0] / 2), coefficients[1] / 2] }

  /// The covariance of (s0, k): J·Cov(c)·Jᵀ with J = diag(s0/2, ½).
  var etaCovariance: [[Double]] {
    let scale: [Double] = [eta[0] / 2, 0.5]
    var result: [[Double]] = [[0, 0], [0, 0]]
    for i in 0..<2 {
      for j in 0..<2 { result[i][j] = scale[i] * covariance[i * 2 + j] * scale[j] }
    }
    return result
  }

  /// Fits the variance function to the replicate groups of `data`.
  ///
  /// - Throws: `FitError.tooFewReplicates`; `InputError` at a group whose mean reading is 0.
  init(_ data: CalibrationData) throws {
    var rows: [(z: Double, variance: Double, dof: Double)] = []
    var means = data.responses.map(\.doubleValue)
    var distinct = Set<Double>()
    for group in try data.replicateGroups() {
      let readings = group.map { data.responses[$0].doubleValue }
      let mean = readings.reduce(0, +) / Double(readings.count)
      for i in group { means[i] = mean }
      guard readings.count > 1 else { continue }
      let ss = readings.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
      let d = Double(readings.count - 1)
      // A mean within its own standard error of 0 (a blank) has no power for a scale: its
      // log|ȳ| would be anything, and rule the fit.
      guard Swift.abs(mean) > (ss / d / Double(readings.count)).squareRoot() else {
        throw InputError(
          file: data.source, line: data.lines[group[0]],
          message: "the replicates of this standard have a mean reading of \(mean), within its"
            + " standard error of 0: the replicates noise model's σ = s0·|μ|^k needs responses"
            + " away from 0 (the linear noise model has a floor s0)")
      }
      rows.append((_log(Swift.abs(mean)), ss / d, d))
      distinct.insert(Swift.abs(mean))
    }
    let dof = Int(rows.reduce(0.0) { $0 + $1.dof })
    guard distinct.count >= 2, dof >= 3, rows.contains(where: { $0.variance > 0 }) else {
      throw FitError.tooFewReplicates(groups: rows.count, dof: dof)
    }
    // The expected information Σ dⱼ/2·zⱼzⱼᵀ does not depend on c.
    var information = [Double](repeating: 0, count: 4)
    for row in rows {
      let z = [1, row.z]
      for i in 0..<2 { for j in 0..<2 { information[i * 2 + j] += row.dof / 2 * z[i] * z[j] } }
    }
    guard let inverse = Cholesky.inverse(information, size: 2) else {
      throw FitError.tooFewReplicates(groups: rows.count, dof: dof)
    }
    func q(_ c: [Double]) -> Double {
      rows.reduce(0.0) { sum, row in
        let logVariance = c[0] + c[1] * row.z
        return sum + row.dof / 2 * (logVariance + row.variance * _exp(-logVariance))
      }
    }
    // Start: σ² the pooled variance, flat in μ.
    let pooled = rows.reduce(0.0) { $0 + $1.dof * $1.variance } / Double(dof)
    var c = [_log(pooled), 0.0]
    var converged = false
    for _ in 0..<200 {
      var score = [0.0, 0.0]
      for row in rows {
        let ratio = row.variance * _exp(-(c[0] + c[1] * row.z))
        score[0] += row.dof / 2 * (ratio - 1)
        score[1] += row.dof / 2 * (ratio - 1) * row.z
      }
      let step = [
        inverse[0] * score[0] + inverse[1] * score[1],
        inverse[2] * score[0] + inverse[3] * score[1],
      ]
      let decrement = step[0] * score[0] + step[1] * score[1]
      if decrement <= 1e-28 * max(1, Swift.abs(q(c))) {
        converged = true
        break
      }
      // Scoring steps halved until Q decreases.
      var length = 1.0
      let current = q(c)
      while length >= 1e-12 {
        let trial = [c[0] + length * step[0], c[1] + length * step[1]]
        if q(trial) < current {
          c = trial
          break
        }
        length /= 2
      }
      if length < 1e-12 {
        converged = decrement <= 1e-12 * max(1, Swift.abs(current))
        break
      }
    }
    guard converged, c.allSatisfy(\.isFinite) else {
      throw FitError.notConverged(tried: "the variance function fitted to the replicates")
    }
    coefficients = c
    covariance = inverse
    degreesOfFreedom = dof
    startingMeans = means
  }

  /// The instrument state: the weighted fit `weighted` (known σᵢ = σ(μ̂ᵢ)) recorded as a fit
  /// with the `replicates` noise.
  func state(
    from weighted: InstrumentState, data: CalibrationData, model: ResponseModel
  ) -> InstrumentState {
    var state = weighted
    let p = model.parameters.count
    let n = data.count
    let a = state.posterior.location
    let noise = function
    var logLikelihood = -0.5 * Double(n) * _log(2 * Double.pi)
    for i in 0..<n {
      let mean: Double = model.response(at: data.predictors[i].map(\.doubleValue), parameters: a)
      logLikelihood -= noise.negativeLogDensity(
        residual: data.responses[i].doubleValue - mean, sigma: noise.sigma(at: mean))
    }
    let names = NoiseModel.replicates.parameterNames
    let etaCovariance = etaCovariance
    let estimates = (0..<2).map { j in
      ParameterEstimate(
        name: names[j], estimate: eta[j], stdError: etaCovariance[j][j].squareRoot())
    }
    let joint =
      (0..<p).map { i in state.covariance[i] + [0, 0] }
      + (0..<2).map { j in [Double](repeating: 0, count: p) + etaCovariance[j] }
    // rss and the residual sd of the raw residuals, in units of y, as for the other noise
    // models; χ² (the weighted fit's rss) stays Σ(rᵢ/σᵢ)².
    state.fit.rss = (0..<n).reduce(0.0) { sum, i in
      let r =
        data.responses[i].doubleValue
        - (model.response(at: data.predictors[i].map(\.doubleValue), parameters: a) as Double)
      return sum + r * r
    }
    state.fit.dof = n - p - 2
    state.fit.residualSD = (state.fit.rss / Double(n - p - 2)).squareRoot()
    state.fit.chi2PValue = nil
    state.fit.lackOfFit = nil
    state.fit.heteroscedasticity = nil
    state.fit.setLikelihood(logLikelihood, parameters: p + 2)
    state.fit.method =
      "weighted least squares, σ = s0·|μ|^k fitted to the variances of \(degreesOfFreedom)"
      + " degrees of freedom of replicates (gamma regression, Fisher scoring)"
    state.noise = NoiseRecord(
      model: .replicates, sigma: nil, dof: n - p - 2, parameters: estimates,
      jointCovariance: joint, replicateDegreesOfFreedom: degreesOfFreedom)
    state.posterior = PosteriorRecord(
      kind: .laplace, location: a, scale: state.covariance, s2: nil, dof: nil)
    state.domain.uY = nil
    return state
  }
}
