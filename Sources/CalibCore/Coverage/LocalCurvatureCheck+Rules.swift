import Foundation

/// The model's side of the local curvature test, and the sentences its outcomes give in a
/// coverage report.
extension LocalCurvatureCheck {
  /// The model's curvature coefficients at `x` (∂²f/∂xᵢ∂xⱼ for i ≤ j, halved for i = j, in the
  /// order of `OutputCurvature`), by central differences of its gradient in x, with a step
  /// of 10⁻⁵ of each axis's scale (the span of its standards, |xᵢ| or 1, the largest), and at
  /// most 10⁻³|xᵢ| away from 0, so that the step does not cross x = 0, where models such as
  /// the 4pl begin.
  static func modelCurvature(
    at x: [Double], standards: [[Double]], gradient: ([Double]) -> [Double]
  ) -> [Double] {
    let k = x.count
    let rows = (0..<k).map { i -> [Double] in
      let span = (standards[i].max() ?? 0) - (standards[i].min() ?? 0)
      let scale = max(span, Swift.abs(x[i]), 1) * 1e-5
      let h = x[i] == 0 ? scale : min(scale, Swift.abs(x[i]) * 1e-3)
      var up = x, down = x
      up[i] += h
      down[i] -= h
      let (above, below) = (gradient(up), gradient(down))
      return (0..<k).map { (above[$0] - below[$0]) / (2 * h) }
    }
    var coefficients: [Double] = []
    for i in 0..<k {
      for j in i..<k {
        let mixed = (rows[i][j] + rows[j][i]) / 2
        coefficients.append(i == j ? mixed / 2 : mixed)
      }
    }
    return coefficients
  }

  /// Why a measurement whose neighbourhood is not local is `sparse`.
  static func sparseReason(_ check: LocalCurvatureCheck, predictors: [String]) -> String {
    let k = predictors.count
    let needed = (k + 1) * (k + 2) / 2
    let at =
      k == 1
      ? "x̂ = \(format(check.estimate[0]))"
      : "(\(predictors.joined(separator: ", "))) = (\(check.estimate.map(format).joined(separator: ", ")))"
    let what = k == 1 ? "levels" : "design points"
    let count = check.standards.count
    if count < needed {
      return
        "the calibration has \(count) distinct \(what): \(needed) are needed near \(at) to tell the response's curvature from noise"
    }
    if check.outputs == nil {
      return
        "the calibration's \(what) do not fix a local quadratic near \(at): the response's curvature there cannot be told from noise"
    }
    let fixing = k == 1 ? "" : " that fix a local quadratic"
    // No reach: a distance that is not finite, x̂ outside where the design's spacing is
    // defined (at or below 0 for levels spaced in log x).
    let distance =
      check.reach.map { "reach \(format($0)) typical spacings away" }
      ?? "lie at no finite number of typical spacings from it (the design is spaced where x̂ is not)"
    return
      "the \(count) distinct \(what) nearest \(at)\(fixing) \(distance): too few nearby to tell the response's curvature here from noise"
  }

  /// Why a measurement's neighbourhood curves unlike the model, for `output`.
  static func disagreementReason(_ curvature: OutputCurvature, output: String) -> String {
    let figures: String
    if curvature.residual.count == 1 {
      figures =
        "the residuals' curvature \(format(curvature.residual[0])) ± \(format(curvature.standardError[0]))\(curvature.model.map { " beyond the model's \(format($0[0]))" } ?? "")"
    } else {
      figures =
        "the residuals' curvature coefficients (\(curvature.residual.map(format).joined(separator: ", ")))"
    }
    let dof = curvature.dof.map { " and \($0)" } ?? ""
    return
      "the standards near the estimate curve unlike the model in output \(output): \(figures) (F = \(format(curvature.statistic)) on \(curvature.residual.count)\(dof) degrees of freedom, p = \(format(curvature.pValue)))"
  }

  /// A figure in a reason: three significant digits.
  private static func format(_ value: Double) -> String { String(format: "%.3g", value) }
}
