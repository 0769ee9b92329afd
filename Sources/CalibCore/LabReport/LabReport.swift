import Foundation

/// The report a lab files (docs/report.md): one self-contained HTML page, inline CSS and SVG and
/// nothing fetched (its Content-Security-Policy forbids it), that shows the instrument, its fit
/// and noise model, the back-calculated standards, the detection and quantification limits,
/// the calibration plot, the measured samples with their coverage status, and where it all
/// came from. Every number in a table also carries its full value in `data-value`, the number
/// of the JSON files.
public struct LabReport: Sendable {
  /// One input file of the report: what it is, its path as given, and the SHA-256 of its
  /// bytes (hexadecimal).
  public struct Input: Sendable {
    /// What the file is ("instrument", "observations").
    public let role: String
    /// The path as given on the command line.
    public let path: String
    /// SHA-256 of the file's bytes.
    public let sha256: String

    /// An input of role `role` read from `path`, with the SHA-256 of its bytes.
    public init(role: String, path: String, sha256: String) {
      self.role = role
      self.path = path
      self.sha256 = sha256
    }
  }

  /// The page.
  public let html: String
  /// The samples that could not be measured (listed on the page with their errors).
  public let failures: Int

  /// The report of `instrument`, with the measured `observations` (and those that could not
  /// be measured, `failures`), the detection limits (or why there are none), the calibration
  /// plot, and the provenance: the input files, the calib version, and the command line.
  public init(
    instrument: Instrument, observations: [ObservationReport], failures: [ObservationFailure],
    limits: Result<DetectionLimits, MeasurementError>, plot: CalibrationPlot,
    inputs: [Input], version: String, command: [String]
  ) {
    let state = instrument.state
    var body = "<h1>Calibration report: \(HTMLTable.escaped(state.model.response))</h1>\n"
    body += "<p class=\"lead\">\(HTMLTable.escaped(state.model.response)) = "
    body += "\(HTMLTable.escaped(state.model.formula)), fitted to \(state.fit.n) standards "
    body += "of \(HTMLTable.escaped(state.model.predictors.joined(separator: ", "))) "
    body += "(\(HTMLTable.escaped(state.provenance.input))).</p>\n"
    body += Self.section("instrument", "Instrument and fit", Self.fitTables(state))
    body += Self.section("noise", "Noise model", Self.noiseTable(state))
    body += Self.section("standards", "Back-calculated standards", Self.standardsTable(state))
    body += Self.section("limits", "Detection and quantification limits", Self.limits(limits))
    body += Self.section(
      "plot", "Calibration plot", "<figure>\n" + Self.inlineSVG(plot.svg) + "</figure>\n")
    body += Self.section(
      "samples", "Measured samples",
      Self.samplesTable(observations, failures: failures, predictor: state.model.predictors[0]))
    body += Self.section(
      "provenance", "Provenance",
      Self.provenanceTable(state.provenance, inputs: inputs, version: version, command: command))
    self.init(
      title: "calib report: \(state.model.response)", body: body, failures: failures.count)
  }

  /// The page titled `title` around the sections in `body`, with `failures` samples that
  /// could not be measured.
  init(title: String, body: String, failures: Int) {
    html = Self.page(title: title, body: body)
    self.failures = failures
  }

  // MARK: - Sections

  /// The fit's figures and parameters; `suffix` tells the tables of several outputs apart.
  static func fitTables(_ state: InstrumentState, suffix: String = "") -> String {
    let fit = state.fit
    let caption = suffix.isEmpty ? "Fit" : "Fit of \(state.model.response)"
    var summary = HTMLTable(id: "fit" + suffix, caption: caption, headings: ["figure", "value"])
    let figures: [(String, HTMLTable.Cell)] = [
      ("model", .text(state.model.spec)), ("formula", .text(state.model.formula)),
      ("standards (n)", .number(Double(fit.n))), ("degrees of freedom", .number(Double(fit.dof))),
      ("residual sum of squares", .number(fit.rss)), ("residual sd", .number(fit.residualSD)),
      ("R²", .number(fit.rSquared)), ("χ²", .number(fit.chi2)),
      ("χ² p-value", .number(fit.chi2PValue)),
      ("lack of fit p-value", .number(fit.lackOfFit?.pValue)),
      ("heteroscedasticity p-value", .number(fit.heteroscedasticity?.pValue)),
      ("method", .text(fit.method)), ("converged", .text(fit.converged ? "yes" : "no")),
      ("condition number", .number(fit.conditionNumber)),
    ]
    summary.rows = figures.map { [.text($0.0), $0.1] }
    var parameters = HTMLTable(
      id: "parameters" + suffix,
      caption: suffix.isEmpty ? "Parameters" : "Parameters of \(state.model.response)",
      headings: ["parameter", "estimate", "standard error"])
    parameters.rows = state.parameters.map {
      [.text($0.name), .number($0.estimate), .number($0.stdError)]
    }
    let n = HTMLTable.rounded
    let domain = state.domain.xRange.map { "[\(n($0.lower)), \(n($0.upper))]" }
      .joined(separator: ", ")
    return summary.html + parameters.html
      + "<p>Calibrated domain of \(HTMLTable.escaped(state.model.predictors.joined(separator: ", "))): "
      + "\(HTMLTable.escaped(domain)).</p>\n"
  }

  private static func noiseTable(_ state: InstrumentState) -> String {
    let noise = state.noise
    var table = HTMLTable(id: "noise-model", caption: "Noise", headings: ["figure", "value"])
    table.rows = [
      [.text("model"), .text(noise.model.rawValue)], [.text("σ"), .number(noise.sigma)],
      [.text("degrees of freedom"), .number(Double(noise.dof))],
    ]
    for parameter in noise.parameters ?? [] {
      table.rows.append([.text(parameter.name), .number(parameter.estimate)])
    }
    if let distribution = noise.distribution {
      table.rows.append([.text("distribution"), .text(distribution.rawValue)])
    }
    return table.html
  }

  private static func standardsTable(_ state: InstrumentState) -> String {
    guard let standards = state.standards, let quantitation = state.quantitation else {
      return "<p>This instrument file records no back-calculated standards.</p>\n"
    }
    var table = HTMLTable(
      id: "back-calculated", caption: "Each standard's reading measured with the instrument",
      headings: ["x", "reading", "back-calculated x", "recovery (%)", "pass"])
    table.rows = standards.map {
      [
        .number($0.x), .number($0.y), .number($0.backCalculated), .number($0.recovery),
        .text($0.pass.map { $0 ? "pass" : "fail" } ?? "–"),
      ]
    }
    let (r, low, n) = (quantitation.recovery, quantitation.recoveryLowest, HTMLTable.rounded)
    return table.html
      + "<p>Acceptance: recovery \(n(r.lower))–\(n(r.upper))% (\(n(low.lower))–\(n(low.upper))% "
      + "at the lowest standard). LLOQ \(quantitation.lloq.map(n) ?? "none"), ULOQ "
      + "\(quantitation.uloq.map(n) ?? "none").</p>\n"
  }

  private static func limits(_ limits: Result<DetectionLimits, MeasurementError>) -> String {
    switch limits {
    case .failure(let error):
      return "<p>Not given: \(HTMLTable.escaped(error.description)).</p>\n"
    case .success(let limits):
      let settings = limits.settings
      var table = HTMLTable(
        id: "detection-limits", caption: "DIN 32645 / ISO 11843-2",
        headings: ["limit", "x", "reading"])
      table.rows = [
        [
          .text("critical value"), .number(limits.criticalValue.x), .number(limits.criticalValue.y),
        ],
        [
          .text("detection limit"), .number(limits.detectionLimit.x),
          .number(limits.detectionLimit.y),
        ],
        [
          .text("quantification limit"), .number(limits.quantificationLimit.x),
          .number(limits.quantificationLimit.y),
        ],
      ]
      let notes = limits.warnings.map { "<p class=\"warning\">\(HTMLTable.escaped($0))</p>\n" }
      return table.html
        + "<p>α = \(HTMLTable.rounded(settings.alpha)), β = \(HTMLTable.rounded(settings.beta)), "
        + "k = \(HTMLTable.rounded(settings.k)), "
        + "\(settings.replicates) reading(s) per sample, method \(settings.method.rawValue).</p>\n"
        + notes.joined()
    }
  }

  private static func samplesTable(
    _ observations: [ObservationReport], failures: [ObservationFailure], predictor: String
  ) -> String {
    guard !observations.isEmpty || !failures.isEmpty else {
      return "<p>No samples were given.</p>\n"
    }
    let level = observations.first.map { "\(Int(($0.x.interval.level * 100).rounded()))%" } ?? ""
    var table = HTMLTable(
      id: "measurements", caption: "Each sample's \(predictor)",
      headings: [
        "id", "line", "mean reading", "estimate", "sd", "\(level) lower", "\(level) upper",
        "status", "quantitation", "dilution", "undiluted estimate", "reasons",
      ])
    var rows: [(line: Int, cells: [HTMLTable.Cell])] = observations.map { report in
      let readings = report.readings
      let mean = readings.reduce(0, +) / Double(max(readings.count, 1))
      return (
        report.line,
        [
          .text(report.id), .number(Double(report.line)), .number(mean),
          estimateCell(report.x.estimate, report), .number(report.x.sd),
          .number(report.x.interval.lower), .number(report.x.interval.upper),
          .text(report.coverage.status.rawValue), .text(report.quantitation?.rawValue ?? "–"),
          .number(report.undiluted?.factor),
          report.undiluted.map { estimateCell($0.estimate, report, factor: $0.factor) }
            ?? .number(nil),
          .text(report.coverage.reasons.joined(separator: "; ")),
        ]
      )
    }
    rows += failures.map { failure in
      let cells: [HTMLTable.Cell] =
        [.text(failure.id), .number(Double(failure.line)), .number(nil)]
        + [.number(nil), .number(nil), .number(nil), .number(nil), .text("not measured")]
        + [.text("–"), .number(nil), .number(nil), .text(failure.error.message)]
      return (failure.line, cells)
    }
    table.rows = rows.sorted { $0.line < $1.line }.map(\.cells)
    return table.html
  }

  /// An estimate (times a dilution `factor`) as the table shows it: a bound where the prior
  /// range cuts the posterior (`> 17.158`: x lies above the interval's lower end), the number
  /// otherwise; its full value in `data-value` either way.
  private static func estimateCell(
    _ value: Double, _ report: ObservationReport, factor: Double = 1
  ) -> HTMLTable.Cell {
    let x = report.x
    guard x.method == .bayes, let bound = report.coverage.priorBound else { return .number(value) }
    let text =
      bound >= x.estimate
      ? x.interval.lower.map { "> " + HTMLTable.rounded(factor * $0) }
      : x.interval.upper.map { "< " + HTMLTable.rounded(factor * $0) }
    return text.map { .bound($0, value) } ?? .number(value)
  }

  static func provenanceTable(
    _ provenance: Provenance, inputs: [Input], version: String, command: [String]
  ) -> String {
    var table = HTMLTable(
      id: "provenance-table", caption: "Inputs", headings: ["file", "path", "SHA-256"])
    table.rows = [
      [
        .text("calibration"), .text(provenance.input), .text(provenance.inputSHA256),
      ]
    ]
    table.rows += inputs.map { [.text($0.role), .text($0.path), .text($0.sha256)] }
    let fitCommand = provenance.command.joined(separator: " ")
    return table.html
      + "<p>Written by calib \(HTMLTable.escaped(version)) (GSL \(HTMLTable.escaped(provenance.gslVersion))): "
      + "<code>\(HTMLTable.escaped(command.joined(separator: " ")))</code>. The instrument was fitted by calib "
      + "\(HTMLTable.escaped(provenance.calibVersion)): <code>\(HTMLTable.escaped(fitCommand))</code>.</p>\n"
  }

  // MARK: - The page

  static func section(_ id: String, _ title: String, _ content: String) -> String {
    "<section id=\"\(id)\">\n<h2>\(HTMLTable.escaped(title))</h2>\n\(content)</section>\n"
  }

  /// The SVG document without its XML prolog, scaled to the page's width.
  static func inlineSVG(_ svg: String) -> String {
    svg.replacingOccurrences(of: "<svg xmlns", with: "<svg class=\"plot\" xmlns")
  }

  private static func page(title: String, body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(HTMLTable.escaped(title))</title>
    <style>
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; margin: 2em auto;
      max-width: 60em; padding: 0 1em; line-height: 1.4; }
    h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; }
    table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
    caption { text-align: left; font-weight: bold; padding: 0.2em 0; }
    th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    td.bound { font-style: italic; }
    section { overflow-x: auto; }
    svg.plot { width: 100%; height: auto; }
    .warning { color: #a6761d; }
    @media print { section { break-inside: avoid; } }
    </style>
    </head>
    <body>
    \(body)</body>
    </html>

    """
  }
}
