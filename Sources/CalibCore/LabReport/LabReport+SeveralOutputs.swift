extension LabReport {
  /// The report of an instrument with several outputs (docs/report.md, "Several outputs"): the
  /// joint fit and each output's, the noise covariance, the back-calculated standards per
  /// unknown, the plot (one block per output; with several unknowns none), and the measured
  /// samples with every unknown's estimate. Limits per DIN 32645 are defined for one output;
  /// the page says so.
  public init(
    instrument: MultiOutputInstrument, observations: [MultiOutputObservationReport],
    failures: [ObservationFailure], plot: CalibrationPlot?, inputs: [Input], version: String,
    command: [String]
  ) {
    let state = instrument.state
    let (predictors, responses) = (state.model.predictors, state.model.responses)
    let e = HTMLTable.escaped
    var body = "<h1>Calibration report: \(e(responses.joined(separator: ", ")))</h1>\n"
    body += "<p class=\"lead\">\(responses.count) outputs (\(e(responses.joined(separator: ", "))))"
    body += " of \(e(predictors.joined(separator: ", "))), model \(e(state.model.spec)), fitted to"
    body += " \(state.fit.n) standards (\(e(state.provenance.input))).</p>\n"
    var fit = HTMLTable(id: "fit", caption: "Joint fit", headings: ["figure", "value"])
    fit.rows = [
      [.text("model"), .text(state.model.spec)],
      [.text("outputs"), .number(Double(responses.count))],
      [.text("standards (n)"), .number(Double(state.fit.n))],
      [.text("degrees of freedom"), .number(Double(state.fit.dof))],
      [.text("predictive degrees of freedom"), .number(Double(state.fit.predictiveDOF))],
      [.text("log-likelihood"), .number(state.fit.logLikelihood)],
      [.text("converged"), .text(state.fit.converged ? "yes" : "no")],
    ]
    let outputs = state.outputs.enumerated().map { Self.fitTables($1, suffix: "-\($0 + 1)") }
    body += Self.section("instrument", "Instrument and fit", fit.html + outputs.joined())
    body += Self.section("noise", "Noise model", Self.covarianceTables(state))
    body += Self.section(
      "standards", "Back-calculated standards", Self.standardsTable(state, predictors))
    body += Self.section(
      "limits", "Detection and quantification limits",
      "<p>Not given: the limits of DIN 32645 / ISO 11843-2 are defined for an instrument with "
        + "one output.</p>\n")
    body += Self.section(
      "plot", "Calibration plot",
      plot.map { "<figure>\n" + Self.inlineSVG($0.svg) + "</figure>\n" }
        ?? "<p>With several unknowns there is no one curve to draw: calib coverage maps the "
        + "instrument.</p>\n")
    body += Self.section(
      "samples", "Measured samples",
      Self.samplesTable(observations, failures: failures, predictors: predictors))
    body += Self.section(
      "provenance", "Provenance",
      Self.provenanceTable(state.provenance, inputs: inputs, version: version, command: command))
    self.init(
      title: "calib report: \(responses.joined(separator: ", "))", body: body,
      failures: failures.count)
  }

  /// The noise covariance and correlation of the outputs.
  private static func covarianceTables(_ state: MultiOutputState) -> String {
    let responses = state.model.responses
    var tables = ""
    for (id, caption, matrix) in [
      (
        "noise-covariance", "Noise covariance (\(state.noise.structure.rawValue))",
        state.noise.covariance
      ),
      ("noise-correlation", "Noise correlation", state.noise.correlation),
    ] {
      var table = HTMLTable(id: id, caption: caption, headings: [""] + responses)
      table.rows = matrix.enumerated().map { [.text(responses[$0])] + $1.map { .number($0) } }
      tables += table.html
    }
    return tables + "<p>Noise scale: \(state.noise.scale.rawValue).</p>\n"
  }

  private static func standardsTable(_ state: MultiOutputState, _ predictors: [String]) -> String {
    guard let standards = state.standards, let quantitation = state.quantitation else {
      return "<p>This instrument file records no back-calculated standards.</p>\n"
    }
    var headings = predictors + state.model.responses
    for name in predictors {
      headings += ["back-calculated \(name)", "recovery of \(name) (%)", "\(name) pass"]
    }
    var table = HTMLTable(
      id: "back-calculated", caption: "Each standard's readings measured with the instrument",
      headings: headings)
    table.rows = standards.map { standard in
      var cells: [HTMLTable.Cell] = standard.x.map { .number($0) } + standard.y.map { .number($0) }
      for a in predictors.indices {
        cells += [
          .number(standard.backCalculated[a]), .number(standard.recovery[a]),
          .text(standard.pass[a].map { $0 ? "pass" : "fail" } ?? "–"),
        ]
      }
      return cells
    }
    let n = HTMLTable.rounded
    let (r, low) = (quantitation.recovery, quantitation.recoveryLowest)
    let ranges = predictors.indices.map { a in
      "\(HTMLTable.escaped(predictors[a])): LLOQ \(quantitation.lloq[a].map(n) ?? "none"), "
        + "ULOQ \(quantitation.uloq[a].map(n) ?? "none")"
    }
    return table.html
      + "<p>Acceptance: recovery \(n(r.lower))–\(n(r.upper))% (\(n(low.lower))–\(n(low.upper))% "
      + "at each unknown's lowest standard). \(ranges.joined(separator: "; ")).</p>\n"
  }

  private static func samplesTable(
    _ observations: [MultiOutputObservationReport], failures: [ObservationFailure],
    predictors: [String]
  ) -> String {
    guard !observations.isEmpty || !failures.isEmpty else {
      return "<p>No samples were given.</p>\n"
    }
    var headings = ["id", "line"]
    for name in predictors {
      headings += [
        "\(name) estimate", "\(name) sd", "\(name) lower", "\(name) upper",
        "\(name) quantitation", "\(name) undiluted",
      ]
    }
    headings += ["status", "reasons"]
    var table = HTMLTable(id: "measurements", caption: "Each sample's unknowns", headings: headings)
    var rows: [(line: Int, cells: [HTMLTable.Cell])] = observations.map { report in
      var cells: [HTMLTable.Cell] = [.text(report.id), .number(Double(report.line))]
      for name in predictors {
        let x = predictors.count == 1 ? report.x : report.quantities?[name]
        cells += [
          .number(x?.estimate), .number(x?.sd), .number(x?.interval.lower),
          .number(x?.interval.upper),
          .text(report.quantitation?[name]?.rawValue ?? "–"),
          .number(report.undiluted?[name]?.estimate),
        ]
      }
      cells += [
        .text(report.coverage.status.rawValue),
        .text(report.coverage.reasons.joined(separator: "; ")),
      ]
      return (report.line, cells)
    }
    rows += failures.map { failure in
      var cells: [HTMLTable.Cell] = [.text(failure.id), .number(Double(failure.line))]
      for _ in predictors {
        cells += [.number(nil), .number(nil), .number(nil), .number(nil), .text("–"), .number(nil)]
      }
      return (failure.line, cells + [.text("not measured"), .text(failure.error.message)])
    }
    table.rows = rows.sorted { $0.line < $1.line }.map(\.cells)
    return table.html
  }
}
