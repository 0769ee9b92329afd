extension ResponseModel {
  /// The instrument state with the `replicates` noise: a variance function estimated from
  /// the scatter of replicate standards alone, then the model by weighted least squares
  /// (docs/noise-models.md).
  ///
  /// Each group j of mⱼ ≥ 2 standards at one x (`CalibrationData.replicateGroups`) has a
  /// sample variance sⱼ² on dⱼ = mⱼ − 1 degrees of freedom, distributed as σⱼ²·χ²_dⱼ/dⱼ under
  /// normal noise. The variance function log σ² = c0 + c1·log|ȳⱼ| (σ = s0·|μ|^k with
  /// s0 = e^(c0/2), k = c1/2: the precision profile of immunoassays) is fitted to them by
  /// maximum likelihood, a gamma regression with log link: Fisher scoring on
  /// Q(c) = Σ dⱼ/2·[log σⱼ² + sⱼ²/σⱼ²], whose expected information Σ dⱼ/2·zⱼzⱼᵀ
  /// (zⱼ = (1, log|ȳⱼ|)) inverts to the covariance of c. Taking σ at the groups' mean readings
  /// keeps the variance function free of the mean model (a lack of fit does not inflate it).
  /// The model is then fitted with weights 1/σ(μ̂ᵢ)², iterated until the weights settle, and
  /// its covariance is that of known weights; the joint covariance is block-diagonal.
  ///
  /// - Throws: `FitError.tooFewReplicates`; `InputError` for a group whose mean reading is 0
  ///   (no power of it is a scale); `FitError.notConverged` when the weights do not settle;
  ///   what the weighted fit throws.
  func replicateNoiseFit(
    _ data: CalibrationData, start: [String: Double], provenance: Provenance
  ) throws -> InstrumentState {
    let profile = try ReplicateVarianceFunction(data)
    var weighted = data
    func uncertainties(_ means: [Double]) throws -> [DoubleDouble] {
      try means.indices.map { i in
        let sigma = profile.function.sigma(at: means[i])
        guard sigma > 0, sigma.isFinite else {
          throw FitError.notFinite("σ = s0·|μ|^k at the fitted response of line \(data.lines[i])")
        }
        return DoubleDouble(sigma)
      }
    }
    // Start from σ at each standard's own group mean, then at the fitted curve.
    weighted.responseUncertainties = try uncertainties(profile.startingMeans)
    var state = try fit(to: weighted, start: start, posterior: .laplace, provenance: provenance)
    var settled = false
    for _ in 0..<50 {
      let means = data.predictors.map {
        response(at: $0.map(\.doubleValue), parameters: state.posterior.location) as Double
      }
      let next = try uncertainties(means)
      let change =
        zip(next, weighted.responseUncertainties ?? next).map {
          Swift.abs($0.doubleValue / $1.doubleValue - 1)
        }.max() ?? 0
      weighted.responseUncertainties = next
      state = try fit(to: weighted, start: start, posterior: .laplace, provenance: provenance)
      if change <= 1e-13 {
        settled = true
        break
      }
    }
    guard settled else {
      throw FitError.notConverged(
        tried: "weighted least squares with σ from the replicates: the weights did not settle")
    }
    return profile.state(from: state, data: data, model: self)
  }
}
