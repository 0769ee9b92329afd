internal import CalibGSL

/// The measurement map of a measurer (`MeasurementMap`): which observations it answers, what
/// it interpolates, and how closely.
///
/// A map answers the observations whose posterior is a function of the mean reading ȳ alone
/// once their kind is fixed: one reading, or replicates with no scatter, of an instrument
/// whose state is integrated out exactly or through the linearized response (σ estimated: a
/// map per number of readings); readings with their u (a map per total weight Σuᵢ⁻²). Averaged
/// over posterior samples or by quadrature over the parameters, a map answers readings without
/// u that agree (one reading, or replicates all equal), a map per number of readings: each
/// exact point then costs a whole costly tabulation, but so does each reading without the map,
/// and a map is worth its cost past about the same number of readings (its pieces' points).
/// A replicate group with scatter S = Σ(yᵢ − ȳ)², σ estimated (constant, or a noise that
/// varies), has a posterior that is a function of ȳ and S: where `settings.scatterMap` allows,
/// a map of two coordinates per number of readings answers it, ȳ and v = log(1 + S/S₀(ȳ))
/// (`scatterCoordinate`, Measurer+Scatter.swift). Student-t noise takes each reading, not only
/// ȳ and S, and σ from replicate standards gives a group of small scatter a second mode where
/// σ(μ) → 0, whose mass changes too steeply with S for 12 points along v (every piece missed
/// at every depth): their groups with scatter take the exact path.
extension Measurer {
  /// The kind of observation a map answers: the number of readings (0 where it does not
  /// matter), the bits of the total weight Σuᵢ⁻² (0 without u), and whether the map spans
  /// the replicates' scatter as well.
  struct MapKey: Hashable, Sendable {
    let count: Int
    let weight: UInt64
    /// Whether the map spans the scatter of replicate groups as well (`MeasurementMap.scatter`).
    var scattered = false
  }

  /// The Chebyshev points along the scatter's coordinate v of a map of two coordinates: with 8,
  /// the pieces where the domain's ends hold much of the posterior (whose CDF there must hold
  /// to 10⁻¹⁰ absolutely) missed at every depth of halving ȳ; 12 certify them.
  static let scatterNodes = 12

  /// The Chebyshev points along ȳ of a piece of a map averaged over samples or by quadrature,
  /// where each exact point is a whole costly tabulation: with 12, a piece costs 25 exact
  /// points instead of 33, and the ELISA 4PL's pieces (averaged over its 1 280 samples and by
  /// quadrature) are all certified at the first level as with 16, within 7·10⁻¹² sd of the
  /// exact path where 16 gave 4·10⁻¹²; with 10, within 6·10⁻¹⁰ sd, too near the tolerance.
  /// A cheap map keeps `MeasurementMap.defaultNodes`, 16.
  static let costlyMapNodes = 12

  /// A location (mean, median, interval and HPD ends, mode) and the sd are certified to
  /// within this many posterior sd of the exact path; far within the 1e-6 sd of the tests.
  static let mapTolerance = 1e-9
  /// Where ℓ is cheap, the mode is interpolated only as the start of its Newton steps
  /// (`polishedMode`): to this many sd. Where it is costly (averaged over samples or by
  /// quadrature), the interpolated mode is the one reported, certified to `mapTolerance`.
  static let mapModeTolerance = 1e-6
  /// Probabilities (the CDF at the domain's ends and at the threshold), absolutely.
  static let mapProbabilityTolerance = 1e-10
  /// The most maps a measurer keeps; one more starts the set afresh (each map is a function
  /// of its kind alone, so which are kept changes no figure, only the time).
  static let mapLimit = 16

  /// The key of the map that answers `likelihood`, whose readings carry their u or not, or
  /// nil where none can.
  func mapKey(_ likelihood: ReadingLikelihood, readingsCarryU: Bool) -> MapKey? {
    if averagesOverParameters {
      guard !readingsCarryU, likelihood.within == 0 else { return nil }
      return MapKey(count: likelihood.count, weight: 0)
    }
    switch likelihood.kind {
    case .student, .varying:
      guard likelihood.within == 0 || settings.scatterMap else { return nil }
      return MapKey(count: likelihood.count, weight: 0, scattered: likelihood.within > 0)
    case .replicated:
      guard likelihood.within == 0 else { return nil }
      return MapKey(count: likelihood.count, weight: 0)
    case .gaussian(let weight), .mixture(let weight, _, _):
      return MapKey(count: 0, weight: weight.bitPattern)
    case .heavyTailed(_, let readings, _, _, _, let scales):
      // Student-t noise takes each reading: one, or replicates without u that agree.
      guard readings.count == 1 || (scales == nil && likelihood.within == 0) else { return nil }
      return MapKey(count: readings.count, weight: scales?.first?.bitPattern ?? 0)
    }
  }

  /// The posterior's summaries for `likelihood` from its map, or nil where the map does not
  /// answer (see the type's notes and `MeasurementMap`) or the settings' scope leaves it out.
  /// The classical methods take the exact path: their reports have no `numerical` record to
  /// say that a figure came from a map.
  ///
  /// - Parameters:
  ///   - likelihood: The observation's likelihood through the linearized response (or exact).
  ///   - readingsCarryU: Whether the readings carry their u.
  ///   - exactLogDensity: Makes the observation's ℓ by the settings' way of integrating a out,
  ///     for the mode's last steps and the densities at the range's ends where ℓ is cheap
  ///     (where it is costly, its making alone, a sum's terms over every sample or node that
  ///     do not depend on x, would cost a mapped reading more than the rest of it).
  /// - Throws: What making ℓ throws; `MeasurementMap.PieceBeingBuilt` where the piece is being
  ///   built by another measurer and `waitsForPieces` is false.
  func mappedSummary(
    _ likelihood: ReadingLikelihood, readingsCarryU: Bool,
    exactLogDensity: () throws -> (Double) -> Double
  ) throws -> PosteriorSummary? {
    guard settings.method == .bayes, let scope = settings.measurementMap,
      let key = mapKey(likelihood, readingsCarryU: readingsCarryU), scope == .all || key.weight == 0
    else { return nil }
    let map = maps[key] ?? makeMap(key, likelihood)
    // A map of the scatter that has no span of it (GSL found no F quantile) answers nothing.
    guard !key.scattered || map.scatter != nil,
      let (v, error, envelope) = try map.values(
        at: likelihood.meanReading, scatter: key.scattered ? scatterCoordinate(likelihood) : 0,
        waiting: waitsForPieces)
    else { return nil }
    // Outputs: mean, sd, median, interval, HPD, mode, CDF at the domain's ends [, threshold]
    // [, where ℓ is costly, the densities at the prior range's ends].
    let (mean, sd, median) = (v[0], v[1], v[2])
    guard sd > 0, v[3] <= median, median <= v[4], v[5] <= v[7], v[7] <= v[6] else { return nil }
    let probability = { (p: Double) in min(max(p, 0), 1) }
    let hasThreshold = settings.threshold(in: priorRange) != nil
    var evaluations = 0
    let mode: Double
    let bounds: (lower: Double, upper: Double)
    if averagesOverParameters {
      // Each evaluation of ℓ costs a sum over every sample or quadrature node: the mode and
      // the densities at the range's ends are the map's own, certified with the rest.
      mode = v[7]
      bounds = (probability(v[v.count - 2]), probability(v[v.count - 1]))
    } else {
      let exact = try exactLogDensity()
      func logDensity(_ x: Double) -> Double {
        evaluations += 1
        return exact(x)
      }
      mode = polishedMode(v[7], sd: sd, logDensity: logDensity)
      let peak = logDensity(mode)
      // The density relative to the mode's, as the tabulation gives it.
      bounds = boundDensities { x in
        let l = logDensity(x)
        return l > -.infinity ? _exp(min(l - peak, 600)) : 0
      }
    }
    return PosteriorSummary(
      mean: mean, sd: sd, median: median, credible: v[3]...v[4], hpd: [v[5]...v[6]],
      modes: [mode], bestMode: mode,
      domainCDF: (probability(v[8]), probability(v[9])),
      thresholdCDF: hasThreshold ? probability(v[10]) : nil,
      lowerBoundDensity: bounds.lower, upperBoundDensity: bounds.upper,
      numerical: NumericalError(
        integrationRelative: envelope[0],
        quantileTolerance: max(envelope[1], error * Self.mapTolerance * sd),
        densityEvaluations: evaluations, monteCarloRelative: envelope.count > 2 ? envelope[2] : nil,
        mapError: error * Self.mapTolerance))
  }

  /// A new map for observations of kind `key`, like `likelihood`, kept in `maps`.
  private func makeMap(_ key: MapKey, _ likelihood: ReadingLikelihood) -> MeasurementMap {
    if maps.count >= Self.mapLimit { maps.removeAll() }
    let prior = priorRange
    let hasThreshold = settings.threshold(in: priorRange) != nil
    let averaged = samples != nil
    let costly = averagesOverParameters
    let scatter = key.scattered ? scatterSpan(likelihood).map { ($0, Self.scatterNodes) } : nil
    let map = MeasurementMap(
      span: mapSpan, scatter: scatter, outputs: (hasThreshold ? 11 : 10) + (costly ? 2 : 0),
      envelopes: averaged ? 3 : 2,
      nodes: costly ? Self.costlyMapNodes : MeasurementMap.defaultNodes,
      exact: { [unowned self] y, v in
        // Averaged or by quadrature: `count` readings y (no u, no scatter; only a normal
        // noise with σ estimated, constant or varying, or Poisson counts, has a map of the
        // scatter, through `centered(at:within:)`).
        let readings = [Double](repeating: y, count: max(key.count, 1))
        var centered = likelihood.centered(at: y)
        if key.scattered {
          guard let scale = self.scatterScale(likelihood, at: y) else { return nil }
          centered = likelihood.centered(at: y, within: scale * _expm1(v))
        }
        guard let density = try? self.logDensity(centered, readings: readings, uncertainties: nil),
          let s = try? self.tabulatedSummary(
            centered, logDensity: density.logDensity, regions: true,
            costly: self.averagesOverParameters),
          s.modes.count == 1, s.hpd.count == 1, prior.lowerBound < s.modes[0],
          s.modes[0] < prior.upperBound
        else { return nil }
        // The Monte Carlo error, where there is one, is the piece's largest.
        let monteCarlo = density.averaged.map {
          [$0.monteCarloRelativeError(at: s.median, effectiveSampleSize: self.effectiveSampleSize)]
        }
        return [
          s.mean, s.sd, s.median, s.credible.lowerBound, s.credible.upperBound,
          s.hpd[0].lowerBound, s.hpd[0].upperBound, s.modes[0], s.domainCDF.lower,
          s.domainCDF.upper,
        ] + (s.thresholdCDF.map { [$0] } ?? [])
          + (costly ? [s.lowerBoundDensity, s.upperBoundDensity] : [])
          + [s.numerical.integrationRelative, s.numerical.quantileTolerance] + (monteCarlo ?? [])
      },
      accept: { exact, interpolated in
        let scale = Self.mapTolerance * exact[1]
        var error = 0.0
        for k in 0..<7 { error = max(error, Swift.abs(interpolated[k] - exact[k]) / scale) }
        // The mode to its own tolerance (1 at the tolerance, as for the other outputs).
        let modeTolerance = costly ? Self.mapTolerance : Self.mapModeTolerance
        error = max(error, Swift.abs(interpolated[7] - exact[7]) / (modeTolerance * exact[1]))
        // The probabilities, and the densities relative to the peak at the range's ends.
        for k in 8..<exact.count {
          error = max(
            error, Swift.abs(interpolated[k] - exact[k]) / Self.mapProbabilityTolerance)
        }
        return error.isNaN ? .infinity : error
      }, shared: sharedMaps.map { ($0, key) }, sharesPoints: costly)
    maps[key] = map
    return map
  }

  /// The mode of a unimodal posterior near `guess`, to about 1e-10 of its sd where its top is
  /// rounded: Newton steps on ℓ′ = 0, ℓ′ from fourth-order central differences at ±10⁻³·sd
  /// and ±2·10⁻³·sd and ℓ″ from second-order ones, each step taken only where it stays
  /// inside them and does not lower ℓ beyond its rounding, up to four while they shrink (a flat
  /// top, ℓ″ = 0, converges only linearly). Brent's method, which compares values of ℓ, places
  /// a mode only to about √ε of its width, a few 10⁻⁷ sd (10⁻⁶ sd for a reading far from the
  /// curve, where |ℓ| is in the hundreds). The steps stop where the differences' ℓ′ vanishes:
  /// second-order ones, (ℓ(x + h) − ℓ(x − h))/2h = ℓ′ + h²ℓ‴/6 + …, would stop h²ℓ‴/6|ℓ″| from
  /// the mode, 2·10⁻⁷ sd for the ELISA 4PL's skewed posteriors near its upper asymptote, and
  /// only where the step raised ℓ beyond its rounding, so that the mode jumped by that much
  /// between neighbouring readings; the fourth-order ones stop h⁴ closer.
  func polishedMode(
    _ guess: Double, sd: Double, logDensity: (Double) -> Double
  ) -> Double {
    let h = 1e-3 * sd
    var x = guess
    var here = logDensity(x)
    var last = Double.infinity
    for _ in 0..<4 {
      let (below, above) = (logDensity(x - h), logDensity(x + h))
      let (farBelow, farAbove) = (logDensity(x - 2 * h), logDensity(x + 2 * h))
      let curvature = (above - 2 * here + below) / (h * h)
      let slope = (8 * (above - below) - (farAbove - farBelow)) / (12 * h)
      let step = -slope / curvature
      guard curvature < 0, Swift.abs(step) < min(h, last), x + step > priorRange.lowerBound,
        x + step < priorRange.upperBound
      else { break }
      // Near the top, ℓ rises by ½|ℓ″|·step², which for a reading far from the curve (|ℓ| in
      // the hundreds) is below ℓ's own rounding: only a fall beyond it refuses the step.
      let next = logDensity(x + step)
      guard next >= here - 64 * Double.ulpOfOne * max(1, Swift.abs(here)) else { break }
      (x, here, last) = (x + step, next, Swift.abs(step))
      if last <= 1e-9 * sd { break }
    }
    return x
  }

  /// The readings a map spans: the instrument's mean response over the prior range, on 513
  /// points (where finite), widened by a tenth on each side.
  var mapSpan: ClosedRange<Double> {
    var low = Double.infinity, high = -Double.infinity
    for k in 0...512 {
      let x =
        priorRange.lowerBound + (priorRange.upperBound - priorRange.lowerBound) * Double(k)
        / 512
      let mean = linear.evaluate(at: x).mean
      guard mean.isFinite else { continue }
      (low, high) = (min(low, mean), max(high, mean))
    }
    guard low < high else { return 0...0 }
    let margin = 0.1 * (high - low)
    return (low - margin)...(high + margin)
  }
}
