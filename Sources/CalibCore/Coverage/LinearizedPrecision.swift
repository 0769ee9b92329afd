/// How precisely one reading vector at x tells x, to first order, for an instrument with
/// several outputs (docs/coverage.md, "Several outputs"): with J = ∂μ/∂x (m × k), the noise
/// Σ(x) and the instrument's uncertainty G(x)·K·G(x)ᵀ (G the parameter gradients, K the
/// joint covariance of the parameters), V = Σ(x) + GKGᵀ and
///
///     Cov(x̂) ≈ (Jᵀ V⁻¹ J)⁻¹,
///
/// the multivariate form of the delta method's √(σ²(1 + h))/|dμ/dx|. One more standard at z,
/// read once, updates K by rank m (Woodbury): K′ = K − KGzᵀ Vz⁻¹ GzK, so that
/// G K′ Gᵀ = GKGᵀ − A Vz⁻¹ Aᵀ with A = G K Gzᵀ.
struct LinearizedPrecision {
  /// x.
  let x: [Double]
  /// V = Σ(x) + GKGᵀ, row-major m × m.
  let predictive: [Double]
  /// J, row-major m × k.
  let sensitivity: [Double]
  /// G·K, row-major m × P, and G, likewise (zero outside each output's block).
  let gradientsTimesK: [Double]
  let gradients: [Double]
  /// Σ(x)⁻¹, row-major m × m, where Σ(x) is positive definite.
  let metric: [Double]?
  let outputs: Int
  let unknowns: Int

  /// The figures at `x` of `predictive`'s instrument.
  init(_ predictive: JointPredictive, at x: [Double]) {
    let m = predictive.outputs, k = x.count
    let total = predictive.offsets.last.map { $0 + predictive.estimates[m - 1].count } ?? 0
    var gradients = [Double](repeating: 0, count: m * total)
    var sensitivity = [Double](repeating: 0, count: m * k)
    for j in 0..<m {
      let model = predictive.models[j], a = predictive.estimates[j]
      for (r, g) in model.parameterGradient(at: x, parameters: a).enumerated() {
        gradients[j * total + predictive.offsets[j] + r] = g
      }
      for (c, d) in model.predictorGradient(at: x, parameters: a).enumerated() {
        sensitivity[j * k + c] = d
      }
    }
    let noise = predictive.noiseCovariance(atMeans: predictive.means(at: x))
    let gk = Self.product(gradients, predictive.covariance, rows: m, inner: total, columns: total)
    var v = noise
    for i in 0..<m {
      for j in 0..<m {
        v[i * m + j] += (0..<total).reduce(0.0) {
          $0 + gk[i * total + $1] * gradients[j * total + $1]
        }
      }
    }
    self.x = x
    self.predictive = v
    self.sensitivity = sensitivity
    self.gradients = gradients
    gradientsTimesK = gk
    metric = Cholesky.inverse(noise, size: m)
    outputs = m
    unknowns = k
  }

  /// Whether every figure at x is finite (the model and its gradients are defined there).
  var isFinite: Bool {
    predictive.allSatisfy(\.isFinite) && sensitivity.allSatisfy(\.isFinite)
      && gradients.allSatisfy(\.isFinite)
  }

  /// √(jₐᵀ Σ⁻¹ jₐ) for each unknown a: the change of the response vector per unit of xₐ, in
  /// noise sd (the metric's length of ∂μ/∂xₐ); nil where Σ(x) is singular.
  var metricSensitivity: [Double]? {
    guard let metric else { return nil }
    let m = outputs, k = unknowns
    return (0..<k).map { a in
      var sum = 0.0
      for i in 0..<m {
        for j in 0..<m {
          sum += sensitivity[i * k + a] * metric[i * m + j] * sensitivity[j * k + a]
        }
      }
      return max(sum, 0).squareRoot()
    }
  }

  /// A = G(x)·K·G(z)ᵀ, row-major m × m.
  func crossCovariance(with z: LinearizedPrecision) -> [Double] {
    let m = outputs, total = gradients.count / max(m, 1)
    return (0..<(m * m)).map { e in
      let (i, j) = (e / m, e % m)
      return (0..<total).reduce(0.0) {
        $0 + gradientsTimesK[i * total + $1] * z.gradients[j * total + $1]
      }
    }
  }

  /// The sd of each unknown from one reading vector at x, (Jᵀ V⁻¹ J)⁻¹ on the diagonal,
  /// with V less `reduction` (A Vz⁻¹ Aᵀ for one more standard at z, or nothing); nil where
  /// the information is singular (a reading does not tell x there).
  func standardDeviations(less reduction: [Double]? = nil) -> [Double]? {
    let m = outputs, k = unknowns
    var v = predictive
    if let reduction {
      for e in v.indices { v[e] -= reduction[e] }
    }
    guard let inverse = Cholesky.inverse(v, size: m) else { return nil }
    let vj = Self.product(inverse, sensitivity, rows: m, inner: m, columns: k)
    var information = [Double](repeating: 0, count: k * k)
    for a in 0..<k {
      for b in 0..<k {
        information[a * k + b] = (0..<m).reduce(0.0) {
          $0 + sensitivity[$1 * k + a] * vj[$1 * k + b]
        }
      }
    }
    guard let covariance = Cholesky.inverse(information, size: k) else { return nil }
    let sd = (0..<k).map { covariance[$0 * k + $0].squareRoot() }
    return sd.allSatisfy(\.isFinite) ? sd : nil
  }

  /// A·Vz⁻¹·Aᵀ for A = `cross` (m × m) and `z`'s predictive covariance; nil where it is
  /// singular.
  static func reduction(cross: [Double], at z: LinearizedPrecision) -> [Double]? {
    let m = z.outputs
    guard let inverse = Cholesky.inverse(z.predictive, size: m) else { return nil }
    let ai = product(cross, inverse, rows: m, inner: m, columns: m)
    return (0..<(m * m)).map { e in
      let (i, j) = (e / m, e % m)
      return (0..<m).reduce(0.0) { $0 + ai[i * m + $1] * cross[j * m + $1] }
    }
  }

  /// The product of row-major matrices a (rows × inner) and b (inner × columns).
  static func product(
    _ a: [Double], _ b: [Double], rows: Int, inner: Int, columns: Int
  ) -> [Double] {
    var c = [Double](repeating: 0, count: rows * columns)
    for i in 0..<rows {
      for l in 0..<inner where a[i * inner + l] != 0 {
        let ail = a[i * inner + l]
        for j in 0..<columns { c[i * columns + j] += ail * b[l * columns + j] }
      }
    }
    return c
  }
}
