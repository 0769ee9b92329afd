import CalibCore

extension MultiOutputSummary {
  /// The back-calculated standards of an instrument with several outputs: per unknown its x,
  /// x̂ and recovery, then the verdicts, and the range of quantitation of each unknown;
  /// nothing for a file without them.
  var standardsTable: [String] {
    guard let standards = state.standards, let quantitation = state.quantitation else {
      return []
    }
    let single = InstrumentSummary(state.outputs[0])
    let predictors = state.model.predictors
    func window(_ range: ClosedRangeRecord) -> String {
      "\(single.format(range.lower, digits: 4))–\(single.format(range.upper, digits: 4))%"
    }
    func cell(_ text: String) -> String { single.pad(text, 14, right: true) }
    var lines = [
      "",
      "back-calculated standards (recovery \(window(quantitation.recovery)), lowest \(window(quantitation.recoveryLowest)))",
      predictors.map { cell($0) + "  " + cell("x̂ \($0)") + "  " + cell("recovery %") }
        .joined(separator: "  ") + "  verdict",
    ]
    for standard in standards {
      let cells = predictors.indices.map { a in
        cell(single.format(standard.x[a])) + "  "
          + cell(standard.backCalculated[a].map { single.format($0) } ?? "n/a") + "  "
          + cell(standard.recovery[a].map { single.format($0, digits: 4) } ?? "—")
      }
      let verdicts = predictors.indices.map { a in
        let verdict = standard.pass[a].map { $0 ? "pass" : "FAIL" } ?? "blank"
        return predictors.count == 1 ? verdict : "\(predictors[a]) \(verdict)"
      }
      lines.append(
        cells.joined(separator: "  ") + "  " + verdicts.joined(separator: ", "))
    }
    let limits = predictors.indices.map { a in
      let lloq = quantitation.lloq[a].map { single.format($0) } ?? "none"
      let uloq = quantitation.uloq[a].map { single.format($0) } ?? "none"
      return (predictors.count == 1 ? "" : "\(predictors[a]) ") + "LLOQ \(lloq), ULOQ \(uloq)"
    }
    let failed = standards.filter { $0.pass.contains(false) }.count
    lines.append(
      "quantitation " + limits.joined(separator: "; ")
        + (failed > 0
          ? "; \(failed) standard\(failed == 1 ? "" : "s") outside a window" : ""))
    return lines
  }
}
