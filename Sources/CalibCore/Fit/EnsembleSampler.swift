internal import CalibGSL

/// Samples from a posterior by the affine-invariant ensemble sampler of Goodman & Weare
/// (Commun. Appl. Math. Comput. Sci. 5, 2010), stretch move a = 2, driven by GSL's seeded
/// Mersenne Twister. Deterministic: the same seed gives the same samples.
///
/// Diagnostics: the Gelman–Rubin potential scale reduction R̂ across the walkers, each
/// walker's second half taken as a chain (Gelman et al., BDA3 §11.4), and the effective sample
/// size from the integrated autocorrelation time of the walker-averaged chain with Sokal's
/// automatic window (c = 5), as in Foreman-Mackey et al. (PASP 125, 2013).
struct EnsembleSampler {
  /// log p up to a constant; −∞ outside the support.
  let logDensity: ([Double]) -> Double
  let walkers: Int
  let burnIn: Int
  let steps: Int
  let thin: Int

  struct Result {
    /// Kept draws, walker by walker interleaved per step.
    var samples: [[Double]]
    var acceptance: Double
    var rHat: [Double]
    var effectiveSampleSize: [Double]
  }

  /// Runs the ensemble from walkers drawn around `center` with the Cholesky factor `spread`
  /// (row-major lower triangle of a covariance).
  func run(center: [Double], spread: [Double], random: RandomNumbers) -> Result {
    let p = center.count
    var positions: [[Double]] = []
    var logs: [Double] = []
    var tries = 0
    while positions.count < walkers && tries < walkers * 100 {
      tries += 1
      let z = (0..<p).map { _ in random.normal() }
      let point = Cholesky.point(at: z, factor: spread, center: center)
      let l = logDensity(point)
      if l.isFinite { positions.append(point); logs.append(l) }
    }
    while positions.count < walkers { positions.append(center); logs.append(logDensity(center)) }

    var kept: [[Double]] = []
    var chains = [[[Double]]](repeating: [], count: walkers)
    var accepted = 0, proposed = 0
    for step in 0..<(burnIn + steps) {
      for k in 0..<walkers {
        var other = random.integer(below: walkers - 1)
        if other >= k { other += 1 }
        let u = random.uniform()
        let z = (u + 1) * (u + 1) / 2  // g(z) ∝ 1/√z on [1/2, 2]
        let proposal = (0..<p).map {
          positions[other][$0] + z * (positions[k][$0] - positions[other][$0])
        }
        let l = logDensity(proposal)
        let logRatio = Double(p - 1) * _log(z) + l - logs[k]
        proposed += 1
        if l.isFinite, _log(max(random.uniform(), 1e-300)) < logRatio {
          positions[k] = proposal
          logs[k] = l
          accepted += 1
        }
        if step >= burnIn {
          chains[k].append(positions[k])
          if (step - burnIn) % thin == 0 { kept.append(positions[k]) }
        }
      }
    }
    return Result(
      samples: kept, acceptance: Double(accepted) / Double(max(proposed, 1)),
      rHat: (0..<p).map { EnsembleSampler.potentialScaleReduction(chains, parameter: $0) },
      effectiveSampleSize: (0..<p).map {
        EnsembleSampler.effectiveSampleSize(chains, parameter: $0)
      })
  }

  /// R̂ of one parameter over the walkers' chains.
  static func potentialScaleReduction(_ chains: [[[Double]]], parameter j: Int) -> Double {
    let m = Double(chains.count)
    let n = Double(chains[0].count)
    guard m > 1, n > 1 else { return .nan }
    let means = chains.map { chain in chain.reduce(0.0) { $0 + $1[j] } / n }
    let grand = means.reduce(0, +) / m
    let between = n / (m - 1) * means.reduce(0.0) { $0 + ($1 - grand) * ($1 - grand) }
    let within =
      zip(chains, means).reduce(0.0) { total, pair in
        total + pair.0.reduce(0.0) { $0 + ($1[j] - pair.1) * ($1[j] - pair.1) } / (n - 1)
      } / m
    guard within > 0 else { return 1 }
    return (((n - 1) / n * within + between / n) / within).squareRoot()
  }

  /// The effective number of independent draws of one parameter: walkers·steps/τ.
  static func effectiveSampleSize(_ chains: [[[Double]]], parameter j: Int) -> Double {
    let n = chains[0].count
    guard n > 2 else { return .nan }
    let average = (0..<n).map { t in chains.reduce(0.0) { $0 + $1[t][j] } / Double(chains.count) }
    let mean = average.reduce(0, +) / Double(n)
    let variance = average.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
    guard variance > 0 else { return Double(n * chains.count) }
    var tau = 1.0
    for lag in 1..<n {
      var c = 0.0
      for t in 0..<(n - lag) { c += (average[t] - mean) * (average[t + lag] - mean) }
      tau += 2 * c / (Double(n) * variance)
      if Double(lag) >= 5 * tau { break }
    }
    return Double(n * chains.count) / max(tau, 1)
  }
}
