/// The predictive law of the mean of r reading vectors of an instrument with several outputs
/// at a given x, with the instrument state integrated out (docs/geometry.md):
///
///     ȳ | x ~ t_ν′(f(x; â), Λ),   Λ = (Σ(x)/r + G(x)·K·G(x)ᵀ)·ν/ν′,
///
/// Σ(x) = D(x)·Σ̃·D(x) with D(x) = diag σⱼ(μⱼ(x)) at the fitted noise parameters (D = I for a
/// constant noise),
/// G the block-diagonal matrix of the outputs' parameter gradients at x and K the joint
/// covariance of their estimates. For a full Σ, ν′ = ν − m + 1: for models linear in their
/// parameters with the same regressors, this is the exact predictive under the prior
/// p(B, Σ) ∝ |Σ|^−(m+1)/2 (the matrix-t of Brown 1982; Box and Tiao 1973 §8.4), and its
/// linearization otherwise. For a diagonal Σ the outputs are independent t's, each with its
/// own ν.
struct JointPredictive {
  let models: [ResponseModel]
  let estimates: [[Double]]
  /// Σ̃, row-major m×m.
  let sigma: [Double]
  /// Each output's σ(μ) at its fitted noise parameters; nil for a constant noise.
  let scales: [NoiseFunction]?
  /// K, row-major P×P, and each output's first row in it.
  let covariance: [Double]
  let offsets: [Int]
  let structure: OutputCovarianceStructure
  /// ν of each output's variance (all equal for a full Σ).
  let dof: [Int]
  /// ν′ of a full Σ's predictive.
  let predictiveDOF: Int

  init(_ instrument: MultiOutputInstrument) {
    let state = instrument.state
    models = instrument.outputs.map(\.responseModel)
    estimates = state.outputs.map(\.posterior.location)
    sigma = state.noise.covariance.flatMap { $0 }
    scales =
      state.noise.scale == .constant
      ? nil
      : instrument.outputs.map {
        $0.measuredNoiseForm.function(($0.noise.parameters ?? []).map(\.estimate))
      }
    covariance = state.covariance.flatMap { $0 }
    var offsets: [Int] = []
    var total = 0
    for a in estimates {
      offsets.append(total)
      total += a.count
    }
    self.offsets = offsets
    structure = state.noise.structure
    dof = state.noise.dof
    predictiveDOF = state.fit.predictiveDOF
  }

  var outputs: Int { models.count }

  /// The responses f(x; â) of every output.
  func means(at x: [Double]) -> [Double] {
    (0..<outputs).map { models[$0].response(at: x, parameters: estimates[$0]) }
  }

  /// The responses and the predictive covariance Σ̂/r + GKGᵀ (row-major m×m) at x, for the
  /// mean of `replicates` reading vectors.
  func moments(at x: [Double], replicates: Int) -> (mean: [Double], covariance: [Double]) {
    let m = outputs
    let total = covariance.count == 0 ? 0 : Int(Double(covariance.count).squareRoot())
    var mean = [Double](repeating: 0, count: m)
    var gradients: [[Double]] = []
    for j in 0..<m {
      mean[j] = models[j].response(at: x, parameters: estimates[j])
      gradients.append(models[j].parameterGradient(at: x, parameters: estimates[j]))
    }
    var v = noiseCovariance(atMeans: mean).map { $0 / Double(replicates) }
    for i in 0..<m {
      for j in 0...i {
        var sum = 0.0
        for (r, gr) in gradients[i].enumerated() {
          let row = (offsets[i] + r) * total + offsets[j]
          for (c, gc) in gradients[j].enumerated() { sum += gr * covariance[row + c] * gc }
        }
        v[i * m + j] += sum
        if i != j { v[j * m + i] += sum }
      }
    }
    return (mean, v)
  }

  /// The noise covariance Σ(x) = D·Σ̃·D of one reading vector whose responses are `means`
  /// (row-major m×m).
  func noiseCovariance(atMeans means: [Double]) -> [Double] {
    let m = outputs
    let d = (0..<m).map { scales?[$0].sigma(at: means[$0]) ?? 1 }
    return (0..<(m * m)).map { sigma[$0] * d[$0 / m] * d[$0 % m] }
  }

  /// The squared Mahalanobis distance of `reading` from `mean` in the metric `covariance`
  /// (row-major m×m), and log|covariance|; nil where it is not positive definite.
  static func mahalanobis(
    _ reading: [Double], mean: [Double], covariance: [Double]
  ) -> (distance2: Double, logDeterminant: Double)? {
    let m = reading.count
    guard let factor = Cholesky.strictFactor(of: covariance, size: m) else { return nil }
    var z = [Double](repeating: 0, count: m)
    var distance2 = 0.0, logDeterminant = 0.0
    for i in 0..<m {
      var sum = reading[i] - mean[i]
      for l in 0..<i { sum -= factor[i * m + l] * z[l] }
      z[i] = sum / factor[i * m + i]
      distance2 += z[i] * z[i]
      logDeterminant += 2 * _log(factor[i * m + i])
    }
    return (distance2, logDeterminant)
  }

  /// log p(ȳ | x) up to a constant that does not depend on x; −∞ where the model is not
  /// defined at x. Allocates nothing on the heap: the hot loop of the grid.
  func logDensity(of reading: [Double], at x: [Double], replicates: Int) -> Double {
    let m = outputs, k = x.count
    let total = offsets.last.map { $0 + estimates[m - 1].count } ?? 0
    let widest = estimates.map(\.count).max() ?? 0
    // Scratch: slots (k + p), gradients (P), means (m), V (m·m), solve (m), D (m).
    let size = k + widest + total + m + m * m + m + m
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: size) { scratch in
      let slots = UnsafeMutableBufferPointer(rebasing: scratch[0..<(k + widest)])
      let gradients = scratch.baseAddress! + k + widest
      let means = gradients + total
      let v = means + m
      let z = v + m * m
      let d = z + m
      for (a, value) in x.enumerated() { slots[a] = value }
      for j in 0..<m {
        let a = estimates[j]
        for l in a.indices { slots[k + l] = a[l] }
        let view = UnsafeBufferPointer(rebasing: slots[0..<(k + a.count)])
        means[j] = models[j].compiledResponse.evaluate(view)
        for l in a.indices {
          gradients[offsets[j] + l] = models[j].compiledParameterDerivatives[l].evaluate(view)
        }
      }
      let scale = 1 / Double(replicates)
      for j in 0..<m { d[j] = scales?[j].sigma(at: means[j]) ?? 1 }
      for i in 0..<m {
        for j in 0...i {
          var sum = sigma[i * m + j] * d[i] * d[j] * scale
          if structure == .full || i == j {
            for r in 0..<estimates[i].count {
              let row = (offsets[i] + r) * total + offsets[j]
              let gr = gradients[offsets[i] + r]
              for c in 0..<estimates[j].count {
                sum += gr * covariance[row + c] * gradients[offsets[j] + c]
              }
            }
          }
          v[i * m + j] = sum
        }
      }
      switch structure {
      case .full:
        // Cholesky of V in its lower triangle, then the whitened residual.
        var logDeterminant = 0.0, distance2 = 0.0
        for i in 0..<m {
          for j in 0...i {
            var sum = v[i * m + j]
            for l in 0..<j { sum -= v[i * m + l] * v[j * m + l] }
            if i == j {
              guard sum > 0, sum.isFinite else { return -.infinity }
              v[i * m + i] = sum.squareRoot()
              logDeterminant += 2 * _log(v[i * m + i])
            } else {
              v[i * m + j] = sum / v[j * m + j]
            }
          }
          var residual = reading[i] - means[i]
          for l in 0..<i { residual -= v[i * m + l] * z[l] }
          z[i] = residual / v[i * m + i]
          distance2 += z[i] * z[i]
        }
        guard distance2.isFinite else { return -.infinity }
        // Λ = V·ν/ν′: dᵀΛ⁻¹d/ν′ = dᵀV⁻¹d/ν; log|Λ| = log|V| + m·log(ν/ν′), a constant.
        let nu = Double(dof[0]), nuPrime = Double(predictiveDOF)
        return -0.5 * logDeterminant - (nuPrime + Double(m)) / 2 * _log1p(distance2 / nu)
      case .diagonal:
        var sum = 0.0
        for j in 0..<m {
          let variance = v[j * m + j]
          guard variance > 0, variance.isFinite else { return -.infinity }
          let r = reading[j] - means[j]
          let nu = Double(dof[j])
          sum += -0.5 * _log(variance) - (nu + 1) / 2 * _log1p(r * r / (variance * nu))
        }
        return sum.isFinite ? sum : -.infinity
      }
    }
  }
}
