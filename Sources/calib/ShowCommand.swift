import ArgumentParser
import CalibCore
import Foundation

/// `calib show`: an instrument file as a short table for people.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Print an instrument file as a short human-readable summary."
  )

  @OptionGroup var instrument: InstrumentArgument

  func run() throws {
    try ExitStatus.reporting {
      switch try instrument.readAny() {
      case .single(let state):
        try OutputFile.write(Array(InstrumentSummary(state.state).text.utf8), to: "-")
      case .multiOutput(let state):
        try OutputFile.write(Array(MultiOutputSummary(state.state).text.utf8), to: "-")
      }
    }
  }
}

/// The text of `calib show`.
struct InstrumentSummary {
  let state: InstrumentState

  init(_ state: InstrumentState) { self.state = state }

  var text: String {
    var lines: [String] = []
    let model = state.model
    let alias =
      model.predictors.count == 1 && model.predictors[0] != "x"
      ? "   (x = \(model.predictors[0]))" : ""
    lines.append("instrument  \(model.response) = \(model.formula)   [\(model.spec)]\(alias)")
    let ranges = zip(model.predictors, state.domain.xRange).map {
      "\($0) in [\(format($1.lower)), \(format($1.upper))]"
    }
    lines.append(
      "standards   \(state.fit.n), \(ranges.joined(separator: ", ")); \(model.response) in [\(format(state.domain.responseRange.lower)), \(format(state.domain.responseRange.upper))]"
    )
    if let uX = state.domain.uX, let largest = uX.max() {
      lines.append(
        "            values uncertain: u(x) up to \(format(largest, digits: 4)), fitted with"
          + " errors in variables (the true x marginalized)")
    }
    let width = max(9, state.parameters.map(\.name.count).max() ?? 0)
    lines.append("")
    lines.append(
      pad("parameter", width) + "  " + pad("estimate", 16, right: true) + "  "
        + pad("std error", 12, right: true))
    for parameter in state.parameters {
      lines.append(
        pad(parameter.name, width) + "  " + pad(format(parameter.estimate), 16, right: true) + "  "
          + pad(format(parameter.stdError, digits: 4), 12, right: true))
    }
    lines.append("")
    let fit = state.fit
    var noise = "noise       "
    if let parameters = state.noise.parameters, state.noise.isFittedByLikelihood {
      let record = state.noise
      if record.distribution == .student {
        let scale = record.model == .constant ? "s0" : record.model.formula
        let nu =
          record.fixedDegreesOfFreedom.map { "ν = \(format($0, digits: 4)) fixed" }
          ?? "ν estimated as df"
        noise +=
          "Student's t (\(nu)) with scale σ = \(scale) (student:\(record.model)), fitted by"
          + " maximum likelihood"
      } else if let dof = record.replicateDegreesOfFreedom {
        noise += "σ = s0·|μ|^k (replicates), fitted to the replicates' variances (\(dof) dof)"
      } else {
        noise += "σ = \(record.model.formula) (\(record.model)), fitted by maximum likelihood"
      }
      lines.append(noise)
      noise = ""
      for parameter in parameters {
        lines.append(
          pad(parameter.name, width) + "  " + pad(format(parameter.estimate), 16, right: true)
            + "  " + pad(format(parameter.stdError, digits: 4), 12, right: true))
      }
    } else if let sigma = state.noise.sigma {
      noise += "σ estimated: s = \(format(sigma, digits: 4)) on \(fit.dof) dof"
    } else {
      noise += "u(y) known: χ² = \(format(fit.chi2 ?? .nan, digits: 4)) on \(fit.dof) dof"
      if let p = fit.chi2PValue { noise += ", p = \(format(p, digits: 3))" }
    }
    if !noise.isEmpty { lines.append(noise) }
    if let test = fit.heteroscedasticity {
      lines.append(
        "            Breusch–Pagan LM = \(format(test.statistic, digits: 4)), p = \(format(test.pValue, digits: 3)) (noise against the response)"
      )
    }
    if let test = fit.lackOfFit {
      lines.append(
        "lack of fit F = \(format(test.f, digits: 4)) on (\(test.lackOfFitDOF), \(test.pureErrorDOF)) dof, p = \(format(test.pValue, digits: 3)) (\(test.groups) groups of replicates)"
      )
    }
    if let aic = fit.aic, let bic = fit.bic, let logL = fit.logLikelihood {
      lines.append(
        "likelihood  log L = \(format(logL, digits: 6)), AIC = \(format(aic, digits: 6)), BIC = \(format(bic, digits: 6))"
      )
    }
    lines.append(
      "fit         R² = \(fit.rSquared.map { format($0, digits: 8) } ?? "undefined"), condition number \(format(fit.conditionNumber, digits: 3)), max leverage \(format(state.domain.maxLeverage, digits: 3))"
    )
    let posterior = state.posterior
    if let sampler = posterior.sampler, posterior.samples != nil {
      func figures(_ values: [Double]) -> String {
        values.map { $0.isFinite ? format($0, digits: 3) : "n/a" }.joined(separator: ", ")
      }
      lines.append(
        "posterior   \(posterior.kind): \(posterior.samples?.count ?? 0) samples,"
          + " R̂ \(figures(sampler.rHat)), effective sample sizes \(figures(sampler.effectiveSampleSize))"
      )
    } else {
      lines.append("posterior   \(posterior.kind)")
    }
    for warning in posterior.warnings ?? [] {
      lines.append("warning     \(warning)")
    }
    lines += standardsTable
    return lines.joined(separator: "\n") + "\n"
  }

  /// The back-calculated standards with their recovery and verdict, and the range of
  /// quantitation they define; nothing for a file without them.
  var standardsTable: [String] {
    guard let standards = state.standards, let quantitation = state.quantitation else {
      return []
    }
    func window(_ range: ClosedRangeRecord) -> String {
      "\(format(range.lower, digits: 4))–\(format(range.upper, digits: 4))%"
    }
    var lines = [
      "",
      "back-calculated standards (recovery \(window(quantitation.recovery)), lowest \(window(quantitation.recoveryLowest)))",
      pad("x", 14, right: true) + "  " + pad("reading", 14, right: true) + "  "
        + pad("x̂", 14, right: true) + "  " + pad("recovery %", 10, right: true) + "  verdict",
    ]
    for standard in standards {
      let verdict = standard.pass.map { $0 ? "pass" : "FAIL" } ?? "blank"
      lines.append(
        pad(format(standard.x), 14, right: true) + "  " + pad(format(standard.y), 14, right: true)
          + "  " + pad(standard.backCalculated.map { format($0) } ?? "n/a", 14, right: true) + "  "
          + pad(standard.recovery.map { format($0, digits: 4) } ?? "—", 10, right: true) + "  "
          + verdict)
    }
    let failed = standards.filter { $0.pass == false }.count
    lines.append(
      "quantitation LLOQ \(quantitation.lloq.map { format($0) } ?? "none"), ULOQ \(quantitation.uloq.map { format($0) } ?? "none")"
        + (failed > 0 ? "; \(failed) standard\(failed == 1 ? "" : "s") outside the window" : "")
    )
    return lines
  }

  func format(_ value: Double, digits: Int = 7) -> String {
    String(format: "%.\(digits)g", value)
  }

  func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
  }
}
