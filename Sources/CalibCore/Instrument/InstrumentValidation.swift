internal import CalibGSL

/// The checks an instrument file passes before anything measures with it: every field the
/// engine relies on, and the agreement of the fields with each other and with the model
/// (docs/instrument-file.md, "Validation"). Each refusal names the JSON path of the field.
struct InstrumentValidation {
  let state: InstrumentState

  /// Relative tolerance of the checks that compare computed figures (symmetry of a matrix,
  /// s² against σ²): far above the rounding of the fit that wrote them (about 1e-16 relative;
  /// the file keeps every double exactly), far below any edit that would change a result.
  static let tolerance = 1e-9

  /// Eigenvalues of a covariance matrix scaled to unit diagonal (a correlation matrix, whose
  /// eigenvalues lie in [0, p]) may go this far below zero by rounding; below it the matrix
  /// is not positive semidefinite.
  static let eigenvalueTolerance = 1e-8

  /// Checks `state`; returns the model it describes.
  ///
  /// - Throws: `JSONFieldError` for the first field that is wrong.
  static func check(_ state: InstrumentState) throws(JSONFieldError) -> ResponseModel {
    try InstrumentValidation(state: state).check()
  }

  private func fail(_ path: String, _ message: String) -> JSONFieldError {
    JSONFieldError(path: path, message: message)
  }

  private func check() throws(JSONFieldError) -> ResponseModel {
    let model = try checkModel()
    let p = model.parameters.count
    try checkParameters(model)
    try checkMatrix(state.covariance, p: p, path: "$.covariance")
    try checkFit(p: p)
    try checkNoise()
    try checkPosterior(model)
    try checkDomain(model)
    try checkStandards()
    return model
  }

  /// `standards` and `quantitation`: one back-calculated standard per standard of the domain,
  /// with its x and reading; windows with lower ≤ upper; LLOQ ≤ ULOQ among the standards' x.
  private func checkStandards() throws(JSONFieldError) {
    if let standards = state.standards {
      guard standards.count == state.domain.y.count else {
        throw fail(
          "$.standards",
          "expected one back-calculated standard per standard (\(state.domain.y.count)), found \(standards.count)"
        )
      }
      for (i, standard) in standards.enumerated()
      where standard.x != state.domain.x.first?[i] || standard.y != state.domain.y[i] {
        throw fail(
          "$.standards[\(i)]",
          "expected the x and reading of standard \(i + 1) of the domain, found \(standard.x), \(standard.y)"
        )
      }
    }
    guard let quantitation = state.quantitation else { return }
    for (path, window) in [
      ("$.quantitation.recovery", quantitation.recovery),
      ("$.quantitation.recovery_lowest", quantitation.recoveryLowest),
    ] where !(window.lower <= window.upper) {
      throw fail(path, "expected lower ≤ upper, found \(window.lower), \(window.upper)")
    }
    if let lloq = quantitation.lloq, let uloq = quantitation.uloq, !(lloq <= uloq) {
      throw fail("$.quantitation", "expected lloq ≤ uloq, found \(lloq), \(uloq)")
    }
  }

  private func checkModel() throws(JSONFieldError) -> ResponseModel {
    let record = state.model
    guard !record.predictors.isEmpty else {
      throw fail("$.model.predictors", "expected at least one predictor")
    }
    for (k, name) in record.predictors.enumerated() {
      guard !name.isEmpty else {
        throw fail("$.model.predictors[\(k)]", "expected a column name, found an empty string")
      }
      guard !record.predictors[..<k].contains(name) else {
        throw fail("$.model.predictors[\(k)]", "the predictor '\(name.prefix(40))' is named twice")
      }
    }
    let model: ResponseModel
    do {
      model = try ResponseModel(spec: record.spec, predictors: record.predictors)
    } catch {
      throw fail("$.model.spec", "not a model calib reads: \(error)")
    }
    guard record.linear == model.isLinear else {
      throw fail(
        "$.model.linear",
        "is \(record.linear), but the model is \(model.isLinear ? "" : "not ")linear in its parameters"
      )
    }
    return model
  }

  private func checkParameters(_ model: ResponseModel) throws(JSONFieldError) {
    let names = state.parameters.map(\.name)
    guard names == model.parameters else {
      throw fail(
        "$.parameters",
        "expected the model's \(model.parameters.count) parameters \(model.parameters.joined(separator: ", ")), found \(names.count): \(names.joined(separator: ", ").prefix(80))"
      )
    }
    for (j, parameter) in state.parameters.enumerated() where !(parameter.stdError >= 0) {
      throw fail(
        "$.parameters[\(j)].std_error", "expected a standard error ≥ 0, found \(parameter.stdError)"
      )
    }
  }

  /// A p×p symmetric positive semidefinite matrix.
  private func checkMatrix(_ matrix: [[Double]], p: Int, path: String) throws(JSONFieldError) {
    guard matrix.count == p else {
      throw fail(
        path,
        "expected a \(p)×\(p) matrix (the model has \(p) parameters), found \(matrix.count) row\(matrix.count == 1 ? "" : "s")"
      )
    }
    for (i, row) in matrix.enumerated() where row.count != p {
      throw fail("\(path)[\(i)]", "expected a row of \(p) elements, found \(row.count)")
    }
    for i in 0..<p where !(matrix[i][i] >= 0) {
      throw fail(
        "\(path)[\(i)][\(i)]", "expected a variance ≥ 0 on the diagonal, found \(matrix[i][i])")
    }
    // Scaled to unit diagonal (zero variances left as they are), so that the tolerances are
    // relative whatever the parameters' units; a congruence by a positive diagonal keeps the
    // signs of the eigenvalues (Sylvester's law of inertia).
    let scale = (0..<p).map { matrix[$0][$0] > 0 ? 1 / matrix[$0][$0].squareRoot() : 1 }
    let scaled = (0..<p).map { i in (0..<p).map { j in matrix[i][j] * scale[i] * scale[j] } }
    for i in 0..<p {
      for j in 0..<i
      where !(Swift.abs(scaled[i][j] - scaled[j][i]) <= InstrumentValidation.tolerance) {
        throw fail(
          "\(path)[\(i)][\(j)]",
          "the matrix is not symmetric: \(matrix[i][j]) here, \(matrix[j][i]) at [\(j)][\(i)]")
      }
    }
    let eigenvalues: [Double]
    do {
      eigenvalues = try SymmetricEigenvalues.of(scaled)
    } catch {
      throw fail(path, "its eigenvalues cannot be computed: \(error)")
    }
    if let smallest = eigenvalues.first,
      !(smallest >= -InstrumentValidation.eigenvalueTolerance * Double(p))
    {
      throw fail(
        path,
        "the matrix is not positive semidefinite (scaled to unit diagonal, its smallest eigenvalue is \(smallest))"
      )
    }
  }

  private func checkFit(p: Int) throws(JSONFieldError) {
    let fit = state.fit
    guard fit.n >= p else {
      throw fail(
        "$.fit.n",
        "expected at least as many standards as the model's \(p) parameters, found \(fit.n)")
    }
    let q = state.noise.parameterNames.count
    guard fit.dof == fit.n - p - q else {
      throw fail(
        "$.fit.dof",
        q == 0
          ? "expected n − p = \(fit.n - p), found \(fit.dof)"
          : "expected n − p − \(q) (noise parameters) = \(fit.n - p - q), found \(fit.dof)")
    }
    guard fit.rss >= 0 else {
      throw fail("$.fit.rss", "expected a residual sum of squares ≥ 0, found \(fit.rss)")
    }
    for (value, key) in [(fit.residualSD, "residual_sd"), (fit.chi2, "chi2")] {
      if let value, !(value >= 0) {
        throw fail("$.fit.\(key)", "expected a value ≥ 0 or null, found \(value)")
      }
    }
    if let p = fit.chi2PValue, !(p >= 0 && p <= 1) {
      throw fail("$.fit.chi2_p_value", "expected a probability, found \(p)")
    }
    guard fit.conditionNumber >= 0 else {
      throw fail(
        "$.fit.condition_number", "expected a condition number ≥ 0, found \(fit.conditionNumber)")
    }
    for (value, key) in [(fit.logLikelihood, "log_likelihood"), (fit.aic, "aic"), (fit.bic, "bic")]
    where value.map({ !$0.isFinite }) == true {
      throw fail("$.fit.\(key)", "expected a finite number or none")
    }
    if let test = fit.heteroscedasticity,
      !(test.statistic >= 0 && test.pValue >= 0 && test.pValue <= 1 && test.slope.isFinite)
    {
      throw fail(
        "$.fit.heteroscedasticity", "expected a statistic ≥ 0, a probability and a finite slope")
    }
    if let test = fit.lackOfFit {
      guard test.pValue >= 0, test.pValue <= 1 else {
        throw fail("$.fit.lack_of_fit.p_value", "expected a probability, found \(test.pValue)")
      }
      guard test.groups >= 0, test.pureErrorDOF >= 0, test.lackOfFitDOF >= 0 else {
        throw fail("$.fit.lack_of_fit", "expected counts ≥ 0 for groups and degrees of freedom")
      }
    }
  }

  private func checkNoise() throws(JSONFieldError) {
    let noise = state.noise, posterior = state.posterior
    guard noise.dof == state.fit.dof else {
      throw fail("$.noise.dof", "expected fit.dof = \(state.fit.dof), found \(noise.dof)")
    }
    if let distribution = noise.distribution {
      guard
        distribution == .normal
          || [.constant, .known, .proportional, .linear, .power].contains(noise.model)
      else {
        throw fail(
          "$.noise.distribution",
          "expected normal with noise.model \"\(noise.model)\", found \(distribution)")
      }
    }
    if let nu = noise.fixedDegreesOfFreedom {
      guard noise.distribution == .student, nu > 0, nu.isFinite else {
        throw fail(
          "$.noise.fixed_df",
          "expected a positive ν with noise.distribution \"student\" only, found \(nu)")
      }
    }
    if let dof = noise.replicateDegreesOfFreedom {
      guard noise.model == .replicates, dof >= 3 else {
        throw fail(
          "$.noise.replicate_dof",
          "expected at least 3 degrees of freedom with noise.model \"replicates\" only, found"
            + " \(dof)")
      }
    } else if noise.model == .replicates {
      throw fail(
        "$.noise.replicate_dof",
        "expected the replicates' degrees of freedom with noise.model \"replicates\"")
    }
    if noise.isFittedByLikelihood {
      try checkVaryingNoise()
      return
    }
    switch noise.model {
    case .constant:
      guard let sigma = noise.sigma else {
        throw fail(
          "$.noise.sigma", "expected the estimate s with noise.model \"constant\", found null")
      }
      guard sigma >= 0 else { throw fail("$.noise.sigma", "expected s ≥ 0, found \(sigma)") }
      guard state.fit.dof > 0 else {
        throw fail(
          "$.fit.dof",
          "expected at least 1 degree of freedom with the noise estimated (noise.model \"constant\"), found \(state.fit.dof)"
        )
      }
      guard let s2 = posterior.s2 else {
        throw fail("$.posterior.s2", "expected s² with the noise estimated, found null")
      }
      guard Swift.abs(s2 - sigma * sigma) <= InstrumentValidation.tolerance * max(s2, sigma * sigma)
      else {
        throw fail("$.posterior.s2", "expected noise.sigma² = \(sigma * sigma), found \(s2)")
      }
      guard posterior.dof == state.fit.dof else {
        throw fail(
          "$.posterior.dof",
          "expected fit.dof = \(state.fit.dof) with the noise estimated, found \(posterior.dof.map { "\($0)" } ?? "null")"
        )
      }
    case .known:
      if let sigma = noise.sigma {
        throw fail(
          "$.noise.sigma",
          "expected null with noise.model \"known\" (u(y) given with the standards), found \(sigma)"
        )
      }
      guard state.domain.uY != nil else {
        throw fail(
          "$.domain.u_y",
          "expected the standards' uncertainties with noise.model \"known\", found none")
      }
      if posterior.sigmaSamples != nil {
        throw fail(
          "$.posterior.sigma_samples",
          "expected none with noise.model \"known\": σ is not estimated")
      }
    case .proportional, .linear, .power, .poisson, .replicates:
      try checkVaryingNoise()
    }
    if !noise.isFittedByLikelihood {
      if noise.parameters != nil {
        throw fail("$.noise.parameters", "expected none with noise.model \"\(noise.model)\"")
      }
      if noise.jointCovariance != nil {
        throw fail(
          "$.noise.joint_covariance", "expected none with noise.model \"\(noise.model)\"")
      }
    }
  }

  /// A noise whose σ varies with the response: its parameters, named as the model says, and
  /// the joint covariance, whose block of the model's parameters is `covariance`.
  private func checkVaryingNoise() throws(JSONFieldError) {
    let noise = state.noise, posterior = state.posterior
    let names = noise.parameterNames
    if let sigma = noise.sigma {
      throw fail(
        "$.noise.sigma", "expected null with noise.model \"\(noise.model)\", found \(sigma)")
    }
    if (state.domain.uY != nil) != (noise.model == .known) {
      throw fail(
        "$.domain.u_y",
        noise.model == .known
          ? "expected the standards' uncertainties with noise.model \"known\", found none"
          : "expected none with noise.model \"\(noise.model)\": σ is estimated")
    }
    guard let parameters = noise.parameters, parameters.map(\.name) == names else {
      throw fail(
        "$.noise.parameters",
        "expected the parameters \(names.joined(separator: ", ")) of noise.model \"\(noise.model)\""
      )
    }
    for (j, parameter) in parameters.enumerated()
    where !parameter.estimate.isFinite || !(parameter.stdError >= 0) {
      throw fail(
        "$.noise.parameters[\(j)]", "expected a finite estimate and a standard error ≥ 0")
    }
    if let j = names.firstIndex(of: "df"), !(parameters[j].estimate > 0) {
      throw fail(
        "$.noise.parameters[\(j)].estimate",
        "expected ν > 0 for the Student-t noise, found \(parameters[j].estimate)")
    }
    let p = state.parameters.count
    guard let joint = noise.jointCovariance else {
      throw fail("$.noise.joint_covariance", "expected the covariance of all the parameters")
    }
    try checkMatrix(joint, p: p + names.count, path: "$.noise.joint_covariance")
    for i in 0..<p {
      for j in 0..<p
      where
        !(Swift.abs(joint[i][j] - state.covariance[i][j])
        <= InstrumentValidation.tolerance
        * max(Swift.abs(joint[i][j]), (joint[i][i] * joint[j][j]).squareRoot()))
      {
        throw fail(
          "$.noise.joint_covariance[\(i)][\(j)]",
          "expected covariance[\(i)][\(j)] = \(state.covariance[i][j]), found \(joint[i][j])")
      }
    }
    guard posterior.s2 == nil, posterior.dof == nil, posterior.sigmaSamples == nil else {
      throw fail(
        "$.posterior",
        "expected the Laplace posterior or MCMC samples (no s2, dof or sigma_samples) with"
          + " noise.model \"\(noise.model)\"")
    }
  }

  private func checkPosterior(_ model: ResponseModel) throws(JSONFieldError) {
    let posterior = state.posterior
    let p = model.parameters.count
    // A sampled nonlinear posterior says `mcmc`; files written before that said `laplace`.
    let fittedNoise = state.noise.isFittedByLikelihood
    let sampled =
      (!model.isLinear || fittedNoise) && posterior.samples != nil && posterior.kind == .mcmc
    let expectedKind: PosteriorKind =
      sampled
      ? .mcmc
      : !model.isLinear || state.noise.isFittedByLikelihood
        ? .laplace
        : state.noise.model == .known ? .normal : .normalScaledInverseChi2
    guard posterior.kind == expectedKind else {
      throw fail(
        "$.posterior.kind",
        "expected \"\(expectedKind.rawValue)\" for a \(model.isLinear ? "linear" : "nonlinear") model with \(state.noise.model.rawValue) noise, found \"\(posterior.kind.rawValue)\""
      )
    }
    guard posterior.location.count == p else {
      throw fail(
        "$.posterior.location",
        "expected the \(p) parameters' values, found \(posterior.location.count)")
    }
    try checkMatrix(posterior.scale, p: p, path: "$.posterior.scale")
    if let samples = posterior.samples {
      guard !model.isLinear || fittedNoise else {
        throw fail(
          "$.posterior.samples", "expected none for a linear model, whose posterior is exact")
      }
      guard !samples.isEmpty else {
        throw fail("$.posterior.samples", "expected at least one sample, found an empty array")
      }
      for (s, sample) in samples.enumerated() where sample.count != p {
        throw fail(
          "$.posterior.samples[\(s)]",
          "expected a draw of the \(p) parameters, found \(sample.count) values")
      }
      if state.noise.model == .constant, !fittedNoise {
        guard let sigmas = posterior.sigmaSamples else {
          throw fail(
            "$.posterior.sigma_samples",
            "expected a σ per sample with the noise estimated (noise.model \"constant\"), found none"
          )
        }
        guard sigmas.count == samples.count else {
          throw fail(
            "$.posterior.sigma_samples",
            "expected one σ per sample (\(samples.count)), found \(sigmas.count)")
        }
        if let s = sigmas.firstIndex(where: { !($0 > 0) }) {
          throw fail("$.posterior.sigma_samples[\(s)]", "expected a σ > 0, found \(sigmas[s])")
        }
      }
      let names = state.noise.parameterNames
      if fittedNoise {
        guard let noise = posterior.noiseSamples, noise.count == samples.count else {
          throw fail(
            "$.posterior.noise_samples",
            "expected the noise parameters of each of the \(samples.count) samples")
        }
        for (s, draw) in noise.enumerated()
        where draw.count != names.count || !draw.allSatisfy(\.isFinite) {
          throw fail(
            "$.posterior.noise_samples[\(s)]",
            "expected a draw of the \(names.count) noise parameters, finite")
        }
      } else if posterior.noiseSamples != nil {
        throw fail("$.posterior.noise_samples", "expected none without noise parameters")
      }
    } else if posterior.sigmaSamples != nil || posterior.noiseSamples != nil {
      throw fail(
        "$.posterior\(posterior.sigmaSamples != nil ? ".sigma_samples" : ".noise_samples")",
        "expected none without posterior.samples")
    }
    if let sampler = posterior.sampler {
      try checkSampler(sampler, p: p + (fittedNoise ? state.noise.parameterNames.count : 0))
    }
    for (name, range) in (posterior.bounds ?? [:]).sorted(by: { $0.key < $1.key }) {
      guard model.parameters.contains(name) else {
        throw fail(
          "$.posterior.bounds.\(name.prefix(40))",
          "expected a parameter of the model (\(model.parameters.joined(separator: ", ")))")
      }
      if let lower = range.lower, let upper = range.upper, !(lower <= upper) {
        throw fail(
          "$.posterior.bounds.\(name)", "expected lower ≤ upper, found \(lower) > \(upper)")
      }
    }
  }

  private func checkSampler(_ sampler: SamplerRecord, p: Int) throws(JSONFieldError) {
    guard sampler.walkers >= 1, sampler.steps >= 0, sampler.burnIn >= 0, sampler.thin >= 1 else {
      throw fail("$.posterior.sampler", "expected walkers ≥ 1, steps ≥ 0, burn_in ≥ 0 and thin ≥ 1")
    }
    guard sampler.acceptance >= 0, sampler.acceptance <= 1 else {
      throw fail(
        "$.posterior.sampler.acceptance",
        "expected a fraction in [0, 1], found \(sampler.acceptance)")
    }
    guard sampler.rHat.count == p else {
      throw fail(
        "$.posterior.sampler.r_hat",
        "expected one R̂ per parameter (\(p)), found \(sampler.rHat.count)")
    }
    guard sampler.effectiveSampleSize.count == p else {
      throw fail(
        "$.posterior.sampler.effective_sample_size",
        "expected one per parameter (\(p)), found \(sampler.effectiveSampleSize.count)")
    }
    if let j = sampler.effectiveSampleSize.firstIndex(where: { !($0 > 0) }) {
      throw fail(
        "$.posterior.sampler.effective_sample_size[\(j)]",
        "expected a size > 0, found \(sampler.effectiveSampleSize[j])")
    }
  }

  private func checkDomain(_ model: ResponseModel) throws(JSONFieldError) {
    let domain = state.domain
    let n = state.fit.n
    let k = model.predictors.count
    func count<T>(_ values: [T], _ path: String, _ what: String) throws(JSONFieldError) {
      guard values.count == n else {
        throw fail(
          path, "expected \(what) of each of the n = \(n) standards, found \(values.count)")
      }
    }
    guard domain.x.count == k else {
      throw fail("$.domain.x", "expected one list per predictor (\(k)), found \(domain.x.count)")
    }
    for (j, values) in domain.x.enumerated() {
      try count(values, "$.domain.x[\(j)]", "the predictor")
    }
    try count(domain.y, "$.domain.y", "the reading")
    if let u = domain.uY {
      try count(u, "$.domain.u_y", "the uncertainty")
      if let i = u.firstIndex(where: { !($0 > 0) }) {
        throw fail("$.domain.u_y[\(i)]", "expected an uncertainty > 0, found \(u[i])")
      }
    }
    if let groups = domain.groups { try count(groups, "$.domain.groups", "the group") }
    if let u = domain.uX {
      try count(u, "$.domain.u_x", "the uncertainty")
      try checkPredictorUncertainties(u, model: model)
    }
    try count(domain.leverage, "$.domain.leverage", "the leverage")
    // A leverage is a diagonal element of a hat matrix (a projection): in [0, 1].
    if let i = domain.leverage.firstIndex(where: {
      !($0 >= -InstrumentValidation.tolerance && $0 <= 1 + InstrumentValidation.tolerance)
    }) {
      throw fail(
        "$.domain.leverage[\(i)]", "expected a leverage in [0, 1], found \(domain.leverage[i])")
    }
    // The writer takes these as the extremes of the values above, so they agree exactly.
    if let largest = domain.leverage.max(), domain.maxLeverage != largest {
      throw fail(
        "$.domain.max_leverage",
        "expected the largest leverage, \(largest), found \(domain.maxLeverage)")
    }
    guard domain.xRange.count == k else {
      throw fail(
        "$.domain.x_range", "expected one range per predictor (\(k)), found \(domain.xRange.count)")
    }
    for (j, range) in domain.xRange.enumerated() {
      try checkRange(
        range, of: domain.x[j], path: "$.domain.x_range[\(j)]",
        what: "the standards' values of \(model.predictors[j].prefix(40))")
    }
    try checkRange(
      domain.responseRange, of: domain.y, path: "$.domain.response_range",
      what: "the standards' readings")
  }

  /// `domain.u_x` (errors in the standards, `--sx`): one u(x) ≥ 0 per standard, for a model in
  /// one predictor with the noise known (generalized distance regression, errors in variables:
  /// docs/noise-models.md).
  private func checkPredictorUncertainties(
    _ u: [Double], model: ResponseModel
  ) throws(JSONFieldError) {
    guard model.predictors.count == 1 else {
      throw fail(
        "$.domain.u_x",
        "expected none: uncertain standards are fitted for a model in one predictor, and the"
          + " model '\(state.model.spec.prefix(40))' has \(model.predictors.count)")
    }
    guard state.noise.model == .known else {
      throw fail(
        "$.domain.u_x",
        "expected none with noise.model \"\(state.noise.model.rawValue)\": uncertain standards are fitted with the readings' u(y) known"
      )
    }
    if let i = u.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
      throw fail("$.domain.u_x[\(i)]", "expected an uncertainty ≥ 0, found \(u[i])")
    }
  }

  /// `range` is [min, max] of `values`, which are not empty (n ≥ p ≥ 1 is checked first).
  private func checkRange(
    _ range: ClosedRangeRecord, of values: [Double], path: String, what: String
  ) throws(JSONFieldError) {
    guard let lowest = values.min(), let highest = values.max() else {
      throw fail(path, "no standards to take a range of")
    }
    guard range.lower == lowest, range.upper == highest else {
      throw fail(
        path,
        "expected the range of \(what), [\(lowest), \(highest)], found [\(range.lower), \(range.upper)]"
      )
    }
  }
}
