/// ℓ for σ estimated, integrated out at each node of the rule (`QuadratureMarginalization`).
///
/// The m readings are a multivariate t_n(f·1, (RSS/n)·I) about f = f(x; a_k), whose density is
/// ∝ (RSS/n)^(−m/2)·(1 + S/RSS)^(−(n+m)/2), S the sum of squares of the readings about f. With
/// S = S_w + m·(ȳ − f)², S_w their scatter about their mean ȳ, and c = RSS + S_w, it is
/// (RSS/n)^(−m/2)·(RSS/c)^p times r^p, p = (n+m)/2, r = c/(c + m·(ȳ − f)²). The first part
/// times the node's weight is fixed for an observation (`StudentTerms.factors`, relative to
/// the largest, whose log is `logLargest`); r^p, 1 where f = ȳ, is made at each x by products
/// and a square root: no logarithm or exponential per node (log1p and exp took 40% of the
/// time at each x), and no underflow from the readings' own scatter, which for hundreds of
/// readings would take (RSS/(RSS + S))^p below the smallest double at every x.
extension QuadratureMarginalization {
  /// What ℓ needs of one observation's readings at every node, made once per observation.
  struct StudentTerms {
    /// The fixed part of each node's term, relative to the largest, and the largest's log
    /// (empty where `logFactors` is used instead).
    let factors: [Double]
    let logLargest: Double
    /// c/m for each node, so that r = (c/m)/(c/m + (ȳ − f)²); and ȳ.
    let shifted: [Double]
    let mean: Double
    /// p = (n + m)/2 rounded down, and whether n + m is odd (a half more).
    let wholePower: Int
    let halfPower: Bool
    /// p itself.
    var exponent: Double { Double(wholePower) + (halfPower ? 0.5 : 0) }
    /// The logs of the fixed parts, where one that carries weight lies more than e³⁰⁰ below
    /// the largest (nil otherwise): with hundreds of readings they can span more than a double
    /// holds, while r^p, larger at such a node (its residual sum and so its c larger), makes
    /// up for it, and such a node may then set the sum's reference r and take the others'
    /// (r/top)^p below the smallest double. Within e³⁰⁰, a term lost so is under e⁻⁴⁰⁰ of the
    /// term at the reference. Those observations take each node's term as a logarithm instead.
    let logFactors: [Double]?

    init(_ rule: QuadratureMarginalization, readings: [Double]) {
      let m = Double(readings.count)
      let mean = readings.reduce(0, +) / m
      let scatter = readings.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
      let p = 0.5 * (Double(rule.n) + m)
      let logs = rule.weights.indices.map { k in
        rule.weights[k] > 0
          ? _log(rule.weights[k]) - 0.5 * m * rule.logScales[k]
            - p * _log1p(scatter / rule.residualSums[k])
          : -.infinity
      }
      let largest = logs.max() ?? 0
      logFactors = logs.contains { $0 > -.infinity && $0 < largest - 300 } ? logs : nil
      (factors, logLargest) = (logFactors == nil ? logs.map { _exp($0 - largest) } : [], largest)
      shifted = rule.residualSums.map { ($0 + scatter) / m }
      self.mean = mean
      wholePower = (rule.n + readings.count) / 2
      halfPower = (rule.n + readings.count) % 2 == 1
    }

    /// rᵖ by binary powering (and a square root for the half).
    func power(_ r: Double) -> Double {
      var (result, base, p) = (halfPower ? r.squareRoot() : 1.0, r, wholePower)
      while p > 0 {
        if p & 1 == 1 { result *= base }
        base *= base
        p >>= 1
      }
      return result
    }
  }

  /// ℓ at x where the fixed parts span more than a double holds (`StudentTerms.logFactors`):
  /// log Σ exp(log factor_k + p·log r_k), a log per node.
  func logDensity(at x: Double, student: StudentTerms, logFactors: [Double]) -> Double {
    var sum = LogSumExp()
    let p = student.exponent
    logFactors.withUnsafeBufferPointer { logFactors in
      student.shifted.withUnsafeBufferPointer { shifted in
        columns.forEachChunk(at: x, of: instrument.model.compiledResponse) { start, terms in
          for i in terms.indices {
            let (d, c) = (student.mean - terms[i], shifted[start + i])
            let term = logFactors[start + i] + p * _log(c / (c + d * d))
            // A NaN term (the model undefined at x) makes ℓ NaN, and so −∞, as elsewhere.
            terms[i] = logFactors[start + i] > -.infinity ? term : -.infinity
          }
          sum.add(contentsOf: UnsafeBufferPointer(terms))
        }
      }
    }
    return sum.value()
  }

  /// ℓ at x: Σ factor_k·r_k^p as top^p·Σ factor_k·(r_k/top)^p, top the largest r so far, a
  /// chunk of nodes at a time (the sum rescaled when a chunk holds a larger one), so that the
  /// sum underflows only for terms 10³⁰⁸ below the one at the largest r. Many readings make p
  /// large: r^p alone would leave ℓ = −∞ a few sd of one reading from ȳ. Only nodes that
  /// carry weight set top (as in the sum itself): a node whose fixed part underflowed to 0,
  /// with a large residual sum and so a large r, would otherwise take every weighted node's
  /// (r/top)^p toward underflow. A node whose term is NaN (the model undefined at x) makes ℓ
  /// −∞ there, as the other forms of ℓ do.
  ///
  /// A chunk's nodes are taken in passes that the compiler vectorizes or in SIMD lanes
  /// (`ratios`, `powerSum`), each node's numbers by the same operations as one at a time; a
  /// chunk's sum is four running sums joined pairwise, then the last nodes one by one. The
  /// order is fixed by the rule alone: the same bits for every reading, thread and shard.
  func logDensity(at x: Double, student: StudentTerms) -> Double {
    var (total, top, undefined) = (0.0, 0.0, false)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: ParameterColumns.chunk) { scratch in
      student.factors.withUnsafeBufferPointer { factors in
        student.shifted.withUnsafeBufferPointer { shifted in
          columns.forEachChunk(at: x, of: instrument.model.compiledResponse) { start, means in
            // Cannot trap: a chunk holds at least one node, and factors and shifted one per
            // node.
            let (f, c) = (factors.baseAddress! + start, shifted.baseAddress! + start)
            let r = means.baseAddress!
            let (largest, nan) = Self.ratios(
              r, count: means.count, mean: student.mean, shifted: c, factors: f)
            if nan { undefined = true }
            if largest > top {
              if top > 0 { total *= student.power(top / largest) }
              top = largest
            }
            guard top > 0 else { return }
            // Cannot trap: the capacity is positive.
            total += Self.powerSum(
              r, count: means.count, top: top, factors: f, student: student,
              powers: scratch.baseAddress!)
          }
        }
      }
    }
    guard !undefined, total > 0 else { return -.infinity }
    return student.logLargest + student.exponent * _log(top) + _log(total)
  }

  /// r = c/(c + (ȳ − f)²) in place of the `count` means f at `r`, c/m at `shifted`: the
  /// largest r among the nodes that carry weight (`factors` above 0), and whether one of
  /// theirs is NaN.
  private static func ratios(
    _ r: UnsafeMutablePointer<Double>, count n: Int, mean: Double,
    shifted c: UnsafePointer<Double>, factors f: UnsafePointer<Double>
  ) -> (largest: Double, nan: Bool) {
    typealias Lanes = SIMD4<Double>
    let center = Lanes(repeating: mean)
    var most = Lanes(repeating: 0)
    var nan = SIMDMask<SIMD4<Int64>>(repeating: false)
    var i = 0
    while i + 4 <= n {
      let d = center - Lanes.load(r + i)
      let shift = Lanes.load(c + i)
      let ratio = shift / (shift + d * d)
      ratio.store(to: r + i)
      let weighted = Lanes.load(f + i) .> 0
      most.replace(with: ratio, where: weighted .& (ratio .> most))
      nan = nan .| (weighted .& (ratio .!= ratio))
      i += 4
    }
    var (largest, undefined) = (most.max(), any(nan))
    while i < n {
      let d = mean - r[i]
      let ratio = c[i] / (c[i] + d * d)
      r[i] = ratio
      if f[i] > 0 {
        if ratio > largest { largest = ratio }
        if ratio.isNaN { undefined = true }
      }
      i += 1
    }
    return (largest, undefined)
  }

  /// Σ factor_k·(r_k/top)^p over the `count` ratios at `r`, which it overwrites, in passes
  /// over them that the compiler vectorizes: r_k/top as r_k·(1/top) (a product costs a small
  /// part of a quotient) where 1/top is finite (a top below 2⁻¹⁰²⁴, a reading some 10¹⁵⁴
  /// residual scales from every node, takes the quotients), the square roots
  /// (`squareRoots`) into `powers`, the binary powering, and the sum of the weighted terms.
  private static func powerSum(
    _ r: UnsafeMutablePointer<Double>, count n: Int, top: Double,
    factors f: UnsafePointer<Double>, student: StudentTerms, powers: UnsafeMutablePointer<Double>
  ) -> Double {
    let inverse = 1 / top
    if inverse.isFinite {
      for i in 0..<n { r[i] *= inverse }
    } else {
      for i in 0..<n { r[i] /= top }
    }
    if student.halfPower {
      squareRoots(of: r, into: powers, count: n)
    } else {
      powers.update(repeating: 1, count: n)
    }
    var p = student.wholePower
    while p > 0 {
      if p & 1 == 1 {
        for i in 0..<n { powers[i] *= r[i] }
      }
      for i in 0..<n { r[i] *= r[i] }
      p >>= 1
    }
    typealias Lanes = SIMD4<Double>
    var sums = Lanes(repeating: 0)
    var i = 0
    while i + 4 <= n {
      let factor = Lanes.load(f + i)
      sums += (factor * Lanes.load(powers + i)).replacing(with: 0, where: .!(factor .> 0))
      i += 4
    }
    var sum = (sums[0] + sums[1]) + (sums[2] + sums[3])
    while i < n {
      if f[i] > 0 { sum += f[i] * powers[i] }
      i += 1
    }
    return sum
  }
}

extension SIMD4<Double> {
  /// The four doubles at `pointer`, which need not be aligned.
  @inline(__always)
  fileprivate static func load(_ pointer: UnsafePointer<Double>) -> Self {
    UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
  }

  /// Stores the four lanes at `pointer`, which need not be aligned.
  @inline(__always)
  fileprivate func store(to pointer: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
  }
}
