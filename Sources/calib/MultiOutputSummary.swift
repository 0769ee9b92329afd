import CalibCore
import Foundation

/// The text of `calib show` for an instrument with several outputs: each output's model and
/// estimates, then the noise covariance between the outputs and its degrees of freedom, and
/// the back-calculated standards with the range of quantitation of each unknown.
struct MultiOutputSummary {
  let state: MultiOutputState

  init(_ state: MultiOutputState) { self.state = state }

  var text: String {
    let single = InstrumentSummary(state.outputs[0])
    let model = state.model
    var lines: [String] = []
    let ranges = zip(model.predictors, state.domain.xRange).map {
      "\($0) in [\(single.format($1.lower)), \(single.format($1.upper))]"
    }
    lines.append(
      "instrument  \(model.responses.count) outputs (\(model.responses.joined(separator: ", "))) of \(model.predictors.joined(separator: ", "))   [\(model.spec)]"
    )
    lines.append("standards   \(state.fit.n), \(ranges.joined(separator: ", "))")
    for output in state.outputs {
      lines.append("output      \(output.model.response) = \(output.model.formula)")
    }
    let width = max(9, state.parameters.map(\.name.count).max() ?? 0)
    lines.append("")
    lines.append(
      single.pad("parameter", width) + "  " + single.pad("estimate", 16, right: true) + "  "
        + single.pad("std error", 12, right: true))
    for parameter in state.parameters {
      lines.append(
        single.pad(parameter.name, width) + "  "
          + single.pad(single.format(parameter.estimate), 16, right: true) + "  "
          + single.pad(single.format(parameter.stdError, digits: 4), 12, right: true))
    }
    let noise = state.noise
    lines.append("")
    lines.append(
      "noise       normal, \(noise.scale) scale per output, \(noise.structure) covariance between the outputs, ν = \(state.fit.dof) (predictive t: \(state.fit.predictiveDOF) degrees of freedom)"
    )
    let nameWidth = max(12, model.responses.map(\.count).max() ?? 0)
    func row(_ name: String, _ values: [Double]) -> String {
      single.pad(name, nameWidth) + "  "
        + values.map { single.pad(single.format($0, digits: 4), 12, right: true) }
        .joined(separator: "  ")
    }
    lines.append(
      String(repeating: " ", count: nameWidth) + "  "
        + model.responses.map { single.pad($0, 12, right: true) }.joined(separator: "  "))
    let sds = noise.covariance.indices.map { noise.covariance[$0][$0].squareRoot() }
    lines.append(row(noise.scale == .constant ? "noise sd" : "sd / σⱼ(μ)", sds))
    lines.append("correlation")
    for (name, values) in zip(model.responses, noise.correlation) {
      lines.append(row("  " + name, values))
    }
    lines += standardsTable
    lines.append("")
    return lines.joined(separator: "\n")
  }
}
