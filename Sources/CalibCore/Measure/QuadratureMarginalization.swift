internal import CalibGSL

/// p(y* | x) = ∫ p(y* | x, a) p(a | D) da by a product Gauss–Hermite rule in the coordinates
/// that whiten the Laplace posterior (deterministic numerical integration over a, for
/// instruments with few parameters: docs/nonlinear-fit.md).
///
/// With a = â + √2·L·t (L the Cholesky factor of the Laplace covariance), each node t_k of the
/// product rule carries the weight w_k·e^(|t_k|²)·p(a_k | D), normalized to sum 1: the rule
/// integrates against the exact posterior, the Gaussian serving only to place the nodes. With σ
/// estimated, σ is integrated out per node (nodes outside the parameters' bounds weigh 0):
/// the readings are a multivariate t with n degrees of freedom about f(x; a_k), scale
/// RSS(a_k)/n.
///
/// With a noise that varies (docs/noise-models.md), the rule runs over all the parameters
/// θ = (a, η) in the coordinates of their joint Laplace covariance, each node weighing the
/// likelihood exp(−L(θ_k)) of the standards (times the prior of a Student-t noise's ν where
/// it is estimated, `NoiseForm.logDegreesOfFreedomPrior`), and the readings at a node are
/// normal (or Student's t, ν among η where it is estimated) about f(x; a_k) with
/// σ(f(x; a_k); η_k), or the readings' u where the noise's scale is `known`.
struct QuadratureMarginalization {
  let instrument: MeasuringInstrument
  /// The nodes a_k (the model's parameters) and their normalized weights.
  let nodes: [[Double]]
  let weights: [Double]
  /// The nodes column by column, for the model at all of them at once.
  let columns: ParameterColumns
  /// RSS(a_k) (σ estimated) per node, and log(RSS(a_k)/n).
  let residualSums: [Double]
  let logScales: [Double]
  let n: Int
  /// The noise function at each node, for a noise that varies; empty otherwise.
  let noiseFunctions: [NoiseFunction]

  /// Points per dimension so that the product stays within `budget` nodes (20 at most).
  static func pointsPerDimension(_ p: Int, budget: Double = 20_000) -> Int {
    max(3, min(20, Int(_exp(_log(budget) / Double(p)))))
  }

  init(_ state: Instrument, instrument: MeasuringInstrument) throws {
    if let estimates = state.noise.parameters, let joint = state.noise.jointCovariance,
      state.noise.isFittedByLikelihood
    {
      try self.init(
        varying: state, instrument: instrument, noise: estimates.map(\.estimate),
        covariance: joint)
    } else {
      try self.init(fixedNoise: state, instrument: instrument)
    }
  }

  /// The rule over a, for a constant or known noise.
  private init(fixedNoise state: Instrument, instrument: MeasuringInstrument) throws {
    noiseFunctions = []
    let p = state.parameters.count
    let rule = try FixedQuadrature.gaussHermite(
      points: QuadratureMarginalization.pointsPerDimension(p))
    let factor = Cholesky.lowerFactor(of: state.covariance)
    let bounds = ParameterBounds(state.posterior.bounds, parameters: state.parameters.map(\.name))
    let x = state.domain.x[0], y = state.domain.y
    let weightsY =
      state.domain.uY.map { $0.map { 1 / ($0 * $0) } } ?? [Double](repeating: 1, count: y.count)
    let noiseKnown = state.noise.model == .known
    let rows = x.map { [$0] }
    func rss(_ a: [Double]) -> Double {
      instrument.model.residualSumOfSquares(at: a, x: rows, y: y, weights: weightsY)
    }
    /// With uncertain standards (`domain.u_x`), −2·log p(D | a) with each standard's true x
    /// integrated out, linearized about its given x (exact for a straight line): each reading
    /// normal about f(xᵢ; a) with variance u(yᵢ)² + f′(xᵢ; a)²·u(xᵢ)².
    func errorsInVariables(_ a: [Double], _ uX: [Double]) -> Double {
      var total = 0.0
      for i in x.indices {
        let slope = instrument.model.predictorGradient(at: rows[i], parameters: a)[0]
        let v = 1 / weightsY[i] + slope * slope * uX[i] * uX[i]
        let r = y[i] - (instrument.model.response(at: rows[i], parameters: a) as Double)
        total += r * r / v + _log(v)
      }
      return total
    }
    var nodes: [[Double]] = [], logWeights: [Double] = [], sums: [Double] = []
    QuadratureMarginalization.forEachNode(of: rule, dimension: p) { t, logRule in
      let a = Cholesky.point(at: t, factor: factor, center: state.posterior.location)
      let value = rss(a)
      if value.isFinite, bounds.admit(a) {
        let logPosterior =
          state.domain.uX.map { -0.5 * errorsInVariables(a, $0) }
          ?? (noiseKnown ? -0.5 * value : -0.5 * Double(y.count) * _log(value))
        nodes.append(a)
        logWeights.append(logPosterior + logRule)
        sums.append(value)
      }
    }
    let (kept, weights) = QuadratureMarginalization.pruned(logWeights)
    self.instrument = instrument
    self.nodes = kept.map { nodes[$0] }
    self.weights = weights
    self.residualSums = kept.map { sums[$0] }
    self.n = y.count
    columns = ParameterColumns(self.nodes)
    logScales = self.residualSums.map { _log($0 / Double(y.count)) }
  }

  /// The rule over θ = (a, η) for a noise that varies, η̂ = `noise` and the joint covariance
  /// `covariance`.
  private init(
    varying state: Instrument, instrument: MeasuringInstrument, noise: [Double],
    covariance: [[Double]]
  ) throws {
    let p = state.parameters.count
    let k = covariance.count
    // A noise's parameters make the posterior wider and more skewed than the model's alone:
    // twice the node budget, 14 points per axis for four parameters (docs/noise-models.md).
    let rule = try FixedQuadrature.gaussHermite(
      points: QuadratureMarginalization.pointsPerDimension(k, budget: 40_000))
    let form = NoiseForm(state.noise)
    // The posterior of θ is the fit's; the reading's noise is the measured form's.
    let measured = state.measuredNoiseForm
    let likelihood = NoiseLikelihood(
      model: instrument.model, form: form, x: state.domain.x[0].map { [$0] }, y: state.domain.y,
      knownSigmas: form.model == .known ? state.domain.uY : nil)
    // The rule runs in (a, φ(η)) (`NoiseCoordinates`), with the Laplace covariance carried
    // there by the Jacobian: C_φ = G·C·Gᵀ, G = diag(I, ∂φ/∂η) at η̂.
    let magnitudes = state.standardResponseMagnitudes
    let coordinates = NoiseCoordinates(
      form: form, low: magnitudes.min() ?? 0, high: magnitudes.max() ?? 0)
    let transformed = coordinates.phi(noise)
    let center = state.posterior.location + (transformed ?? noise)
    let carried =
      transformed != nil
      ? coordinates.carried(covariance, modelParameters: p, at: noise) : covariance
    /// The rule's points in (a, φ), θ = (a, η) at each, and log(rule weight × posterior).
    func placed(
      center: [Double], covariance: [[Double]]
    ) -> (
      points: [[Double]], thetas: [[Double]], logWeights: [Double]
    ) {
      let factor = Cholesky.lowerFactor(of: covariance)
      var points: [[Double]] = [], thetas: [[Double]] = [], logWeights: [Double] = []
      QuadratureMarginalization.forEachNode(of: rule, dimension: k) { t, logRule in
        let point = Cholesky.point(at: t, factor: factor, center: center)
        let (eta, logJacobian) =
          transformed != nil ? coordinates.eta(Array(point[p...])) : (Array(point[p...]), 0)
        let theta = Array(point[..<p]) + eta
        if let value = likelihood.negativeLog(theta) {
          points.append(point)
          thetas.append(theta)
          let nu = form.estimatesDegreesOfFreedom ? eta[eta.count - 1] : nil
          logWeights.append(
            -value + logJacobian + logRule + (nu.map(NoiseForm.logDegreesOfFreedomPrior) ?? 0))
        }
      }
      return (points, thetas, logWeights)
    }
    // With four parameters or more the node budget leaves 14 points per axis or fewer, too
    // few to follow a posterior wider and more skewed than its Laplace approximation: the
    // Laplace Gaussian places a first rule, and the posterior's mean and covariance under it
    // place the rule used (adaptive Gauss–Hermite by moments; docs/noise-models.md). With
    // three or fewer, 20 points on the Laplace Gaussian integrate it to 5e-5 sd, better than
    // the moments' rule.
    let first = placed(center: center, covariance: carried)
    let moments =
      k < 4
      ? nil
      : QuadratureMarginalization.moments(
        of: first.points, weights: QuadratureMarginalization.normalized(first.logWeights))
    let used = moments.flatMap { placed(center: $0.mean, covariance: $0.covariance) } ?? first
    let (kept, weights) = QuadratureMarginalization.pruned(used.logWeights)
    self.instrument = instrument
    self.nodes = kept.map { Array(used.thetas[$0][..<p]) }
    self.weights = weights
    let functions = kept.map { measured.function(Array(used.thetas[$0][p...])) }
    self.residualSums = []
    self.n = state.domain.y.count
    self.noiseFunctions = functions
    columns = ParameterColumns(self.nodes)
    logScales = []
  }

  /// Visits every node of the product of `rule` over `dimension` coordinates, the first
  /// coordinate turning fastest: t = √2·(the rule's nodes), and the log of the product of the
  /// rule's weights times e^(|t|²/2), which turns the rule for e^(−|t|²/2) into one for a plain
  /// integral in t.
  private static func forEachNode(
    of rule: FixedQuadrature, dimension k: Int, _ body: (_ t: [Double], _ logRule: Double) -> Void
  ) {
    let m = rule.nodes.count
    var index = [Int](repeating: 0, count: k)
    repeat {
      let t = index.map { rule.nodes[$0] * 2.0.squareRoot() }
      body(
        t,
        index.reduce(0.0) { $0 + _log(rule.weights[$1]) } + t.reduce(0.0) { $0 + $1 * $1 / 2 })
      var j = 0
      while j < k {
        index[j] += 1
        if index[j] < m { break }
        index[j] = 0
        j += 1
      }
      if j == k { break }
    } while true
  }

  /// The mean and covariance of `points` under `weights` (summing to 1); nil where the
  /// covariance is not positive definite (too few points carry weight).
  private static func moments(
    of points: [[Double]], weights: [Double]
  ) -> (mean: [Double], covariance: [[Double]])? {
    guard let k = points.first?.count else { return nil }
    var mean = [Double](repeating: 0, count: k)
    for (point, w) in zip(points, weights) {
      for j in 0..<k { mean[j] += w * point[j] }
    }
    var covariance = [Double](repeating: 0, count: k * k)
    for (point, w) in zip(points, weights) where w > 0 {
      for i in 0..<k {
        let di = point[i] - mean[i]
        for j in 0...i { covariance[i * k + j] += w * di * (point[j] - mean[j]) }
      }
    }
    for i in 0..<k {
      for j in 0..<i { covariance[j * k + i] = covariance[i * k + j] }
    }
    guard Cholesky.inverse(covariance, size: k) != nil else { return nil }
    return (mean, Cholesky.rows(covariance, size: k))
  }

  /// The nodes kept and their weights exp(ℓₖ), normalized to sum 1 over them. Nodes below
  /// 10⁻¹⁶ of the largest weight are dropped: together they weigh less than 4·10⁻¹² of the
  /// total (a pruned product rule; in four dimensions about 40% of the nodes, the corners,
  /// where the rule's and the posterior's tails meet), and each term of p(y* | x) costs a
  /// model evaluation at every x.
  private static func pruned(_ logWeights: [Double]) -> (kept: [Int], weights: [Double]) {
    let weights = normalized(logWeights)
    let largest = weights.max() ?? 0
    let kept = weights.indices.filter { weights[$0] >= 1e-16 * largest }
    // All kept: the weights as they are (dividing by their sum again would move their bits).
    guard kept.count < weights.count else { return (kept, weights) }
    let keptTotal = kept.reduce(0.0) { $0 + weights[$1] }
    return (kept, kept.map { weights[$0] / keptTotal })
  }

  /// exp(ℓₖ) normalized to sum 1, taken relative to the largest ℓ.
  private static func normalized(_ logWeights: [Double]) -> [Double] {
    let top = logWeights.max() ?? 0
    let raw = logWeights.map { _exp($0 - top) }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
  }

  /// log p(y* | x) up to a constant as a function of x, for the readings and their u (given,
  /// or the standards' common u when the noise is known); without u, σ is integrated out per
  /// node. What does not depend on x is computed here, once per observation.
  func logDensity(readings: [Double], uncertainties: [Double]?) -> (Double) -> Double {
    let logFactorials =
      noiseFunctions.first?.model == .poisson
      ? readings.reduce(0.0) { $0 + Distributions.logGamma($1 + 1) } : 0
    guard noiseFunctions.isEmpty, uncertainties == nil else {
      return { x in
        self.logDensity(
          at: x, readings: readings, uncertainties: uncertainties, logFactorials: logFactorials)
      }
    }
    let student = StudentTerms(self, readings: readings)
    if let logFactors = student.logFactors {
      return { x in self.logDensity(at: x, student: student, logFactors: logFactors) }
    }
    return { x in self.logDensity(at: x, student: student) }
  }

  /// ℓ at x for the readings with their u, or with a noise that varies; `logFactorials`
  /// Σ log yᵢ! for Poisson counts.
  private func logDensity(
    at x: Double, readings: [Double], uncertainties: [Double]?, logFactorials: Double
  ) -> Double {
    var total = 0.0
    // The term of node k whose mean response at x is `mean`: a value, not an update of the
    // captured total, which a closure would pay a dynamic exclusivity check for at each node.
    func term(_ k: Int, mean: Double) -> Double {
      guard weights[k] > 0 else { return 0 }
      var logTerm: Double
      if !noiseFunctions.isEmpty, uncertainties == nil, noiseFunctions[k].model == .poisson {
        // Counts: Σ y·log μ − μ − log y!, the log of a probability (≤ 0: no overflow).
        logTerm = mean > 0 ? -logFactorials : -.infinity
        for reading in readings where mean > 0 { logTerm += reading * _log(mean) - mean }
      } else if !noiseFunctions.isEmpty, uncertainties == nil {
        let sigma = noiseFunctions[k].sigma(at: mean)
        logTerm = 0
        for reading in readings {
          logTerm -= noiseFunctions[k].negativeLogDensity(residual: reading - mean, sigma: sigma)
        }
        if !(sigma > 0) { logTerm = -.infinity }
      } else if let u = uncertainties, noiseFunctions.first?.model == .known {
        // Student-t noise whose scale is each reading's u.
        logTerm = 0
        for i in readings.indices {
          logTerm -= noiseFunctions[k].negativeLogDensity(
            residual: readings[i] - mean, sigma: u[i])
        }
      } else {
        // Cannot trap: σ estimated (no noise function, no u) takes `StudentTerms`; every
        // other case that comes here has u.
        let u = uncertainties!
        logTerm = 0
        for i in readings.indices {
          logTerm +=
            -_log(u[i]) - 0.5 * (readings[i] - mean) * (readings[i] - mean) / (u[i] * u[i])
        }
      }
      return weights[k] * _exp(logTerm)
    }
    // Σ of the terms at every node, the model a chunk of nodes at a time, each chunk summed
    // apart.
    func sumOfTerms() -> Double {
      var all = 0.0
      columns.forEachChunk(at: x, of: instrument.model.compiledResponse) { start, means in
        var sum = 0.0
        for i in means.indices { sum += term(start + i, mean: means[i]) }
        all += sum
      }
      return all
    }
    let p = nodes.first?.count ?? 0
    if noiseFunctions.isEmpty {
      total += sumOfTerms()
    } else {
      // A linear model with a noise that varies: its regressors once per x, a dot product per
      // node (the rule has up to 20 000 nodes). Scratch without heap allocation.
      withUnsafeTemporaryAllocation(of: Double.self, capacity: p) { regressors in
        if let offset = instrument.linearTerms(at: x, regressors: regressors) {
          for k in nodes.indices {
            var sum = offset
            for j in 0..<p { sum += regressors[j] * nodes[k][j] }
            total += term(k, mean: sum)
          }
        } else {
          total += sumOfTerms()
        }
      }
    }
    return total > 0 ? _log(total) : -.infinity
  }
}
