internal import CalibGSL

/// p(y* | x) = E over posterior samples (a_s, σ_s) of Πᵢ N(yᵢ; f(x; a_s), σᵢ²): the instrument
/// state integrated out by Monte Carlo over its MCMC samples (docs/nonlinear-fit.md). σᵢ is
/// the reading's u (given, or the standards' common u with the noise known), else the
/// sample's σ_s (σ estimated; the readings share it). For a noise fitted by likelihood, each
/// sample carries its own noise (σ(μ; η_s), Student's t with ν_s, or Poisson counts), and the
/// readings follow its law (docs/noise-models.md).
struct SampleAveragedLikelihood {
  let instrument: MeasuringInstrument
  /// The samples' parameters, column by column.
  let samples: ParameterColumns
  let readings: [Double]
  /// Reading i's variance under sample s, and −½·log of it, at `[s * readings.count + i]`
  /// (empty for a noise fitted by likelihood).
  let variances: [Double]
  let halfLogVariances: [Double]
  /// Each sample's noise, for a noise fitted by likelihood (nil otherwise), and the readings'
  /// u where they are its scale (`known`) or given.
  let noises: [NoiseFunction]?
  let uncertainties: [Double]?
  /// Σ log yᵢ! for Poisson counts.
  let logFactorials: Double

  /// - Precondition: `uncertainties`, `sigmas` (σ estimated) or `noises` is given.
  init(
    _ readings: [Double], uncertainties: [Double]?, instrument: MeasuringInstrument,
    samples: ParameterColumns, sigmas: [Double]?, noises: [NoiseFunction]? = nil
  ) {
    // Cannot trap: a reading has no u only when the noise is estimated (readingUncertainties),
    // and instrument files with samples and estimated noise carry sigma_samples or
    // noise_samples (InstrumentValidation; the fit writes them together).
    precondition(
      uncertainties != nil || sigmas != nil || noises != nil,
      "a reading needs its u, a σ per sample, or a noise per sample")
    self.instrument = instrument
    self.samples = samples
    self.noises = noises
    self.uncertainties = uncertainties
    self.readings = readings
    logFactorials =
      noises?.first?.model == .poisson
      ? readings.reduce(0.0) { $0 + Distributions.logGamma($1 + 1) } : 0
    var variances: [Double] = []
    if noises == nil {
      variances.reserveCapacity(samples.count * readings.count)
      for s in 0..<samples.count {
        for i in readings.indices {
          // Cannot trap: see the precondition above.
          let sd = uncertainties?[i] ?? sigmas![s]
          variances.append(sd * sd)
        }
      }
    }
    self.variances = variances
    halfLogVariances = variances.map { -0.5 * _log($0) }
  }

  /// Calls `body` with the log of each sample's term at x, a chunk of samples at a time, in
  /// order, in scratch space that `body` may overwrite (the model at a chunk of samples at
  /// once, `ParameterColumns.forEachChunk`).
  private func forEachChunkOfTerms(
    at x: Double, _ body: (UnsafeMutableBufferPointer<Double>) -> Void
  ) {
    let n = readings.count
    variances.withUnsafeBufferPointer { variances in
      halfLogVariances.withUnsafeBufferPointer { halfLogs in
        readings.withUnsafeBufferPointer { readings in
          samples.forEachChunk(at: x, of: instrument.model.compiledResponse) { start, terms in
            if let noises {
              for i in terms.indices { terms[i] = logTerm(noises[start + i], mean: terms[i]) }
            } else {
              // The mean at sample s becomes log Πᵢ N(yᵢ; mean, vᵢ) up to a constant.
              for i in terms.indices {
                let (mean, first) = (terms[i], (start + i) * n)
                var total = 0.0
                for j in 0..<n {
                  let residual = readings[j] - mean
                  total += halfLogs[first + j] - 0.5 * residual * residual / variances[first + j]
                }
                terms[i] = total
              }
            }
            body(terms)
          }
        }
      }
    }
  }

  /// log Πᵢ p(yᵢ | mean) under one sample's noise: Poisson counts, or normal or t with the
  /// scale σ(mean), or the readings' u where the noise is `known` or the readings carry it.
  private func logTerm(_ noise: NoiseFunction, mean: Double) -> Double {
    if noise.model == .poisson, uncertainties == nil {
      guard mean > 0 else { return -.infinity }
      return readings.reduce(-logFactorials) { $0 + $1 * _log(mean) - mean }
    }
    let sigma = noise.sigma(at: mean)
    var total = 0.0
    for i in readings.indices {
      let scale = uncertainties?[i] ?? sigma
      guard scale > 0 else { return -.infinity }
      total -= noise.negativeLogDensity(residual: readings[i] - mean, sigma: scale)
    }
    return total
  }

  /// log p(y* | x) up to a constant, by a streaming log-sum-exp over the samples.
  func logDensity(at x: Double) -> Double {
    var sum = LogSumExp()
    forEachChunkOfTerms(at: x) { terms in
      // A sample at which the model is not finite gives the reading no support there.
      for i in terms.indices where !terms[i].isFinite { terms[i] = -.infinity }
      sum.add(contentsOf: UnsafeBufferPointer(terms))
    }
    return sum.value(dividedBy: Double(samples.count))
  }

  /// sd of the sample terms over their mean, divided by √ESS, at x. A sample at which a term
  /// is not finite counts as a term of 0, as in `logDensity(at:)`.
  func monteCarloRelativeError(at x: Double, effectiveSampleSize: Double) -> Double {
    var terms: [Double] = []
    forEachChunkOfTerms(at: x) { terms.append(contentsOf: $0) }
    guard let top = terms.filter(\.isFinite).max() else { return .nan }
    let w = terms.map { $0.isFinite ? _exp($0 - top) : 0 }
    let mean = w.reduce(0, +) / Double(w.count)
    let variance = w.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(w.count - 1, 1))
    return variance.squareRoot() / mean / max(effectiveSampleSize, 1).squareRoot()
  }
}
