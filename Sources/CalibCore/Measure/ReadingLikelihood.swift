internal import CalibGSL

/// log p(y* | x, calibration) up to a constant in x, for the readings of one observation,
/// with the instrument state integrated out exactly (docs/measurement.md):
///
/// - `student`: σ estimated, the readings share σ with the calibration. The m readings are
///   multivariate t_ν(μ(x)·1, s²(I + h(x)·11ᵀ)), so with d = ȳ − μ(x) and S = Σ(yᵢ − ȳ)²:
///   ℓ(x) = −½·log(1 + m·h) − ½(ν + m)·log(1 + [S + m·d²/(1 + m·h)]/(ν·s²)).
/// - `gaussian`: σ known (u(y) per reading, weights wᵢ = 1/uᵢ², W = Σwᵢ, ȳ the weighted
///   mean). Covariance diag(u²) + h(x)·11ᵀ gives ℓ(x) = −½·log(1 + W·h) − ½·W·d²/(1 + W·h).
/// - `mixture`: σ estimated for the instrument, but the readings carry their own u. Then
///   μ(x) is uncertain by σ²·h(x) with σ² ~ Scaled-Inv-χ²(ν, s²), and the mean reading by 1/W:
///   p = E_σ² N(d; 0, 1/W + σ²·h), the expectation taken by generalized Gauss–Laguerre
///   quadrature over χ²_ν (`FixedQuadrature.gaussLaguerre`).
struct ReadingLikelihood {
  enum Kind {
    case student(dof: Double, s2: Double, count: Double, within: Double)
    case gaussian(weight: Double)
    case mixture(weight: Double, variances: [Double], logWeights: [Double])
    /// A noise that varies, σ(μ) at the estimated noise parameters: the readings are
    /// multivariate t on ν = n − p − q degrees of freedom with scale c·σ(μ)² (c = n/ν undoes
    /// the maximum-likelihood scale's bias) — as a constant σ estimated is, the noise's own
    /// uncertainty taken into account the same way; Poisson counts (nothing estimated in the
    /// noise) are normal, ν infinite and c = 1.
    case varying(NoiseFunction, count: Double, within: Double, dof: Double, inflation: Double)
    /// σ from replicate standards: as `varying` with c = 1 (the replicates' variances estimate
    /// σ² without bias), on the variance function's local degrees of freedom
    /// ν(μ) = 2/τ(μ)², τ² = var(log σ̂(μ)²) (Satterthwaite; `NoiseVariance`).
    case replicated(NoiseFunction, count: Double, within: Double, variance: NoiseVariance)
    /// Student-t noise, ν and σ(μ) at their estimates (σ² inflated by c = n/(n − p − q) as
    /// for `varying`): the readings are independent t_ν(μ(x) + δ, c·σ(μ)²) given the shift δ of
    /// the mean response, δ ~ N(0, h(x)), taken out by the Gauss–Hermite rule whose nodes
    /// (times √2) and log weights (over √π) are given. With a known scale (`student:known`),
    /// `scales` are the readings' u, and c = 1.
    case heavyTailed(
      NoiseFunction, readings: [Double], inflation: Double, nodes: [Double], logWeights: [Double],
      scales: [Double]?)
  }

  let kind: Kind
  /// ȳ: the mean reading (weighted by 1/u² when the readings carry u).
  let meanReading: Double
  /// Number of readings.
  let count: Int
  /// The within-observation sum of squares Σ wᵢ(yᵢ − ȳ)² (wᵢ = 1 without u).
  let within: Double

  /// The likelihood of `observation`, whose readings carry `uncertainties`
  /// (`MeasuringInstrument.readingUncertainties(of:)`), under `instrument`.
  init(
    _ observation: Observation, uncertainties: [Double]?, instrument: MeasuringInstrument,
    laguerre: (Int) throws -> FixedQuadrature
  ) throws {
    let readings = observation.readings
    count = readings.count
    // Replicates that agree have that reading as their mean and no scatter, exactly (a sum
    // divided by the count can miss it by an ulp, which would leave them a scatter of 10⁻³⁴,
    // off the measurement map).
    let agree = !readings.isEmpty && readings.allSatisfy { $0 == readings[0] }
    if let uncertainties {
      let weights = uncertainties.map { 1 / ($0 * $0) }
      let total = weights.reduce(0, +)
      let mean = agree ? readings[0] : zip(weights, readings).map { $0 * $1 }.reduce(0, +) / total
      meanReading = mean
      within = zip(weights, readings).map { $0 * ($1 - mean) * ($1 - mean) }.reduce(0, +)
      if let noise = instrument.knownScaleNoise, let rule = instrument.hermite {
        // Student-t noise whose scale is each reading's u.
        kind = .heavyTailed(
          noise, readings: readings, inflation: 1,
          nodes: rule.nodes.map { $0 * 2.0.squareRoot() },
          logWeights: rule.weights.map { _log($0 / Double.pi.squareRoot()) },
          scales: uncertainties)
      } else if instrument.noiseKnown || instrument.noise != nil {
        kind = .gaussian(weight: total)
      } else {
        let nu = Double(instrument.dof)
        let rule = try laguerre(instrument.dof)
        let logNormalizer = Distributions.logGamma(nu / 2)
        // σ² = ν s²/(2t) with t ~ Gamma(ν/2): the rule integrates t^(ν/2−1)e^(−t).
        kind = .mixture(
          weight: total,
          variances: rule.nodes.map { nu * instrument.s2 / (2 * $0) },
          logWeights: rule.weights.map { _log($0) - logNormalizer })
      }
    } else {
      let mean = agree ? readings[0] : readings.reduce(0, +) / Double(count)
      meanReading = mean
      within = readings.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
      if let noise = instrument.noise, noise.nu.isFinite, let rule = instrument.hermite {
        kind = .heavyTailed(
          noise, readings: readings,
          inflation: Double(instrument.standardsX.count) / Double(instrument.dof),
          nodes: rule.nodes.map { $0 * 2.0.squareRoot() },
          logWeights: rule.weights.map { _log($0 / Double.pi.squareRoot()) }, scales: nil)
        return
      }
      if let noise = instrument.noise {
        let counts = noise.model == .poisson
        let nu = Double(instrument.dof)
        if let variance = instrument.replicateVariance {
          kind = .replicated(noise, count: Double(count), within: within, variance: variance)
          return
        }
        kind = .varying(
          noise, count: Double(count), within: within, dof: counts ? .infinity : nu,
          inflation: counts ? 1 : Double(instrument.standardsX.count) / nu)
        return
      }
      kind = .student(
        dof: Double(instrument.dof), s2: instrument.s2, count: Double(count), within: within)
    }
  }

  /// The same likelihood for readings whose mean is `y` instead, with the same count, scatter
  /// and weights: the point ȳ = y of a measurement map (`MeasurementMap`). Student-t noise
  /// takes each reading, not only their mean: its readings are taken to agree, all y (the maps
  /// answer only readings that do).
  func centered(at y: Double) -> ReadingLikelihood {
    centered(at: y, within: within)
  }

  /// The same likelihood for readings whose mean is `y` and, for the kinds σ estimated
  /// (`student`, `varying`, `replicated`), whose scatter is `within` instead, with the same
  /// count: the point (ȳ, v) of a map of the scatter as well (`Measurer.scatterCoordinate`).
  /// The other kinds keep their own scatter, `within` unused: none of them has a map of it.
  func centered(at y: Double, within: Double) -> ReadingLikelihood {
    var kind = self.kind
    var scatter = within
    switch kind {
    case .student(let nu, let s2, let m, _):
      kind = .student(dof: nu, s2: s2, count: m, within: within)
    case .varying(let noise, let m, _, let nu, let c):
      kind = .varying(noise, count: m, within: within, dof: nu, inflation: c)
    case .replicated(let noise, let m, _, let variance):
      kind = .replicated(noise, count: m, within: within, variance: variance)
    case .gaussian, .mixture, .heavyTailed:
      scatter = self.within
    }
    if case .heavyTailed(let noise, let readings, let c, let nodes, let logWeights, let scales) =
      kind
    {
      kind = .heavyTailed(
        noise, readings: [Double](repeating: y, count: readings.count), inflation: c,
        nodes: nodes, logWeights: logWeights, scales: scales)
    }
    return ReadingLikelihood(kind: kind, meanReading: y, count: count, within: scatter)
  }

  private init(kind: Kind, meanReading: Double, count: Int, within: Double) {
    self.kind = kind
    self.meanReading = meanReading
    self.count = count
    self.within = within
  }

  /// ℓ at a point where the instrument's mean response is `mean` and its leverage `leverage`.
  func logDensity(mean: Double, leverage h: Double) -> Double {
    let d = meanReading - mean
    switch kind {
    case .student(let nu, let s2, let m, let within):
      let a = 1 + m * h
      let q = (within + m * d * d / a) / (nu * s2)
      return -0.5 * _log(a) - 0.5 * (nu + m) * _log1p(q)
    case .gaussian(let w):
      let a = 1 + w * h
      return -0.5 * _log(a) - 0.5 * w * d * d / a
    case .mixture(let w, let variances, let logWeights):
      // log Σ ωₖ N(d; 0, 1/W + σₖ²h), by log-sum-exp.
      var sum = LogSumExp()
      for k in variances.indices {
        let v = 1 / w + variances[k] * h
        sum.add(logWeights[k] - 0.5 * _log(v) - 0.5 * d * d / v)
      }
      return sum.value()
    case .varying(let noise, let m, let within, let nu, let c):
      // t_ν(μ·1, σ̃²(I + h′·11ᵀ)) with σ̃² = c·σ(μ(x))², h′ = h/σ̃²:
      // ℓ = −m·log σ̃ − ½·log(1 + m·h′) − ½(ν + m)·log(1 + Q/ν), Q = [S + m·d²/(1 + m·h′)]/σ̃²
      // (ν = ∞: −Q/2).
      let sigma = noise.sigma(at: mean)
      guard sigma > 0 else { return -.infinity }
      let s2 = c * sigma * sigma
      let a = 1 + m * h / s2
      let q = (within + m * d * d / a) / s2
      let spread = -0.5 * m * _log(s2) - 0.5 * _log(a)
      return nu.isFinite ? spread - 0.5 * (nu + m) * _log1p(q / nu) : spread - 0.5 * q
    case .replicated(let noise, let m, let within, let variance):
      // As `varying` with c = 1 and ν = ν(μ(x)), which varies with x: the t's normalizer
      // log Γ((ν + m)/2) − log Γ(ν/2) − (m/2)·log ν is then part of ℓ.
      let sigma = noise.sigma(at: mean)
      guard sigma > 0 else { return -.infinity }
      let s2 = sigma * sigma
      let a = 1 + m * h / s2
      let q = (within + m * d * d / a) / s2
      let spread = -0.5 * m * _log(s2) - 0.5 * _log(a)
      let nu = variance.degreesOfFreedom(at: mean)
      guard nu.isFinite else { return spread - 0.5 * q }
      return Distributions.logGamma((nu + m) / 2) - Distributions.logGamma(nu / 2)
        - 0.5 * m * _log(nu) + spread - 0.5 * (nu + m) * _log1p(q / nu)
    case .heavyTailed(let noise, let readings, let c, let nodes, let logWeights, let scales):
      // log Σₖ ωₖ Πᵢ t_ν(yᵢ; μ + √h·tₖ, c·σ(μ)² or uᵢ²), by log-sum-exp.
      let sigma = c.squareRoot() * noise.sigma(at: mean)
      guard scales != nil || sigma > 0 else { return -.infinity }
      let spread = h.squareRoot()
      var sum = LogSumExp()
      for k in nodes.indices {
        let shifted = mean + spread * nodes[k]
        var term = logWeights[k]
        for (i, reading) in readings.enumerated() {
          term -= noise.negativeLogDensity(
            residual: reading - shifted, sigma: scales?[i] ?? sigma)
        }
        sum.add(term)
      }
      return sum.value()
    }
  }

  /// The variance of ȳ about μ(x) the classical methods use at leverage h, with its
  /// degrees of freedom (nil for a normal quantile): Graybill's pooled variance
  /// ((n−p)s² + (m−1)s_y²)/(n−p+m−1)·(1/m + h) on n−p+m−1 dof when σ is estimated,
  /// 1/W + h when the readings carry u; c·σ(μ)²/m + h on ν dof, with σ at the mean response
  /// μ, for a noise that varies.
  func classicalVariance(
    mean: Double, leverage h: Double, instrument: MeasuringInstrument
  ) -> (variance: Double, dof: Double?) {
    switch kind {
    case .varying(let noise, let m, _, let nu, let c):
      let sigma = noise.sigma(at: mean)
      return (c * sigma * sigma / m + h, nu.isFinite ? nu : nil)
    case .replicated(let noise, let m, _, let variance):
      let sigma = noise.sigma(at: mean)
      let nu = variance.degreesOfFreedom(at: mean)
      return (sigma * sigma / m + h, nu.isFinite ? nu : nil)
    case .heavyTailed(let noise, let readings, let c, _, _, let scales):
      // The t's scale for ȳ: a t quantile on ν with σ²/m, or 1/Σuᵢ⁻² (exact for one reading).
      let variance =
        scales.map { 1 / $0.reduce(0) { $0 + 1 / ($1 * $1) } }
        ?? c * noise.sigma(at: mean) * noise.sigma(at: mean) / Double(readings.count)
      return (variance + h, noise.nu)
    case .student(let nu, let s2, let m, let within):
      let pooled = (nu * s2 + within) / (nu + m - 1)
      return (pooled * (1 / m + h), nu + m - 1)
    case .gaussian(let w):
      return (1 / w + h, nil)
    case .mixture(let w, _, _):
      return (1 / w + instrument.s2 * h, Double(instrument.dof))
    }
  }
}

/// The uncertainty of log σ̂(μ)² for σ fitted to replicate standards: τ(μ)² = zᵀCz with
/// z = (1, log|μ|) and C the covariance of (c0, c1) in log σ² = c0 + c1·log|μ|, log|μ| held
/// within the range of the standards' responses (beyond it τ² would grow without bound as
/// |μ| → 0, and ν with it fall to 0: the measurement is then extrapolated, which the coverage
/// check says, and keeps the uncertainty of the nearest end).
struct NoiseVariance {
  /// C, row-major 2×2.
  let covariance: [Double]
  /// log|μ̂| at the standards, smallest and largest.
  let lowest: Double
  let highest: Double

  /// ν(μ) = 2/τ(μ)², the degrees of freedom of a variance estimate as uncertain as σ̂(μ)²
  /// (a sample variance on ν degrees of freedom has var(log s²) ≈ 2/ν); infinite where τ = 0.
  func degreesOfFreedom(at mean: Double) -> Double {
    let z = min(max(_log(Swift.abs(mean)), lowest), highest)
    let c = covariance
    let variance = c[0] + 2 * c[1] * z + c[3] * z * z
    return variance > 0 ? 2 / variance : .infinity
  }
}
