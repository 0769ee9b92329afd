internal import CalibGSL

extension HeteroscedasticityTest {
  /// Koenker's Breusch–Pagan test of residuals `residuals` against the fitted responses
  /// `means`; nil with fewer than 3 standards, or where |μ̂| or the squared residuals do not
  /// vary (nothing to regress).
  init?(residuals: [Double], means: [Double]) {
    let n = residuals.count
    guard n >= 3, means.count == n else { return nil }
    let z = means.map { Swift.abs($0) }
    let e2 = residuals.map { $0 * $0 }
    let zMean = z.reduce(0, +) / Double(n)
    let eMean = e2.reduce(0, +) / Double(n)
    var szz = 0.0, sze = 0.0, see = 0.0
    for i in 0..<n {
      szz += (z[i] - zMean) * (z[i] - zMean)
      sze += (z[i] - zMean) * (e2[i] - eMean)
      see += (e2[i] - eMean) * (e2[i] - eMean)
    }
    guard szz > 0, see > 0 else { return nil }
    let rSquared = sze * sze / (szz * see)
    let statistic = Double(n) * rSquared
    guard statistic.isFinite else { return nil }
    self.init(
      statistic: statistic, dof: 1,
      pValue: Distributions.chiSquaredUpperTail(statistic, degreesOfFreedom: 1),
      slope: sze / szz)
  }
}
