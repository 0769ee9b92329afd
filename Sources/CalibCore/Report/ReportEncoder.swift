import Foundation

/// Writes measurement reports in the three formats of `calib measure --format`, one piece at a
/// time so that a report of any length streams (docs/report-file.md):
///
/// - `json`: one `calib-report/1` document, one observation per line inside `observations`;
/// - `ndjson`: one observation object per line, in input order;
/// - `csv`: a header line, then one row per observation;
/// - `table`: fixed-width text for people: id, readings, estimate, interval, status, and
///   notes: the modes and HPD pieces of a multimodal posterior, an estimate below the LLOQ or
///   above the ULOQ.
///
/// Keys are sorted and numbers written in their shortest round-trip form, so the same input
/// gives the same bytes.
public struct ReportEncoder {
  /// The output formats.
  public enum Format: String, CaseIterable, Sendable {
    case json, ndjson, csv, table
  }

  /// The format written.
  public let format: Format
  private let encoder: JSONEncoder
  private var count = 0
  private var byStatus: [CoverageStatus: Int] = [:]
  private var errors = 0

  /// An encoder for `format`, with no observation written yet.
  public init(format: Format) {
    self.format = format
    encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  }

  /// The report's settings block.
  public struct Settings: Codable, Sendable {
    /// The interval level.
    public var level: Double
    /// `bayes`, `inversion` or `wald`.
    public var method: MeasurementSettings.Method
    /// The prior range of x in use.
    public var range: ClosedRangeRecord
    /// How the range was chosen: `given` or the default rule.
    public var rangeRule: String
    /// The coverage thresholds in use.
    public var thresholds: CoverageThresholds
    /// The instrument file, its model and the hash of the calibration it was fitted to.
    public var instrument: String
    public var model: String
    public var calibrationSHA256: String

    /// The settings of `measurer`, measuring with the instrument file `instrumentFile`.
    public init(measurer: Measurer, instrumentFile: String) {
      level = measurer.settings.level
      method = measurer.settings.method
      range = ClosedRangeRecord(
        lower: measurer.priorRange.lowerBound, upper: measurer.priorRange.upperBound)
      rangeRule =
        measurer.settings.range == nil
        ? "default: the calibrated domain widened by its width on each side" : "given"
      thresholds = measurer.settings.thresholds
      instrument = instrumentFile
      model = measurer.instrument.model.spec
      calibrationSHA256 = measurer.instrument.provenance.inputSHA256
    }

    enum CodingKeys: String, CodingKey {
      case level, method, range, thresholds, instrument, model
      case rangeRule = "range_rule"
      case calibrationSHA256 = "calibration_sha256"
    }
  }

  /// The counts of the report's `summary`.
  public struct Summary: Codable, Sendable, Equatable {
    /// Observations reported.
    public var observations: Int
    /// How many got each coverage status (the observations measured).
    public var byStatus: [CoverageStatus: Int]
    /// How many could not be measured (reported with an `error` object instead).
    public var errors: Int

    enum CodingKeys: String, CodingKey {
      case observations, errors
      case byStatus = "by_status"
    }
  }

  /// What comes before the first observation.
  public func header(_ settings: Settings) throws -> [UInt8] {
    switch format {
    case .json:
      return Array("{\n  \"format\": \"calib-report/1\",\n  \"settings\": ".utf8)
        + (try encoder.encode(settings)) + Array(",\n  \"observations\": [".utf8)
    case .ndjson:
      return []
    case .csv:
      return Array((Self.csvColumns.joined(separator: ",") + "\n").utf8)
    case .table:
      return Array(
        (Self.tableRow([
          "id", "n", "estimate", "\(settings.method.rawValue) \(settings.level) interval", "status",
        ]) + "\n").utf8)
    }
  }

  /// One observation.
  ///
  /// - Throws: `NonFiniteResult` when a figure of the report is NaN or infinite where the
  ///   format has no null for it (nothing is written, nothing counted: report the
  ///   observation with `failure(_:)` instead).
  public mutating func observation(_ report: ObservationReport) throws -> [UInt8] {
    let body = try body(report)
    return place(measured: report.coverage.status).withUTF8Buffer { Array($0) } + body
  }

  /// An observation that could not be measured: its `error` object and no numbers.
  public mutating func failure(_ failure: ObservationFailure) throws -> [UInt8] {
    let body = try body(failure)
    return place(measured: nil).withUTF8Buffer { Array($0) } + body
  }

  /// An observation's own bytes, apart from its place in the report: the JSON object (and
  /// its line end for ndjson), the CSV row, or the table line. It changes nothing, so that
  /// copies of the encoder make the bytes on several threads; they are then written in input
  /// order, each after what `place(measured:)` gives for it.
  ///
  /// - Throws: `NonFiniteResult` as `observation(_:)`.
  public func body(_ report: ObservationReport) throws -> [UInt8] {
    var bytes: [UInt8] = []
    try body(report, into: &bytes)
    return bytes
  }

  /// Appends an observation's own bytes (`body(_:)`) to `bytes`, where a thread that writes
  /// many reports gathers them (in JSON and NDJSON with no allocation of their own); appends
  /// nothing where it throws. Such a thread keeps the spellings of the numbers in `spellings`
  /// (its own), which changes no byte.
  ///
  /// - Throws: `NonFiniteResult` as `observation(_:)`.
  public func body(
    _ report: ObservationReport, spellings: JSONNumberSpellings? = nil,
    into bytes: inout [UInt8]
  ) throws {
    if let path = report.nonFinitePath { throw NonFiniteResult(path: path) }
    switch format {
    case .json, .ndjson:
      try report.json(
        terminator: format == .ndjson ? 0x0A : nil, spellings: spellings, into: &bytes)
    case .csv:
      bytes.append(contentsOf: (Self.csvRow(report).joined(separator: ",") + "\n").utf8)
    case .table:
      bytes.append(contentsOf: (Self.tableRow(Self.tableCells(report)) + "\n").utf8)
    }
  }

  /// The bytes of an observation that could not be measured, apart from its place (see
  /// `body(_:)`).
  public func body(_ failure: ObservationFailure) throws -> [UInt8] {
    switch format {
    case .json:
      return try CompactJSONEncoder().encode(failure)
    case .ndjson:
      return try CompactJSONEncoder().encode(failure) + [0x0A]
    case .csv:
      var row = [String](repeating: "", count: Self.csvColumns.count)
      row[0] = Self.csvQuoted(failure.id)
      row[1] = "\(failure.line)"
      row[2] = "\(failure.readings.count)"
      row[Self.csvColumns.firstIndex(of: "status") ?? 0] = "error"
      row[Self.csvColumns.firstIndex(of: "reasons") ?? 0] = Self.csvQuoted(
        "\(failure.error.code.rawValue): \(failure.error.message)")
      return Array((row.joined(separator: ",") + "\n").utf8)
    case .table:
      let cells = [
        failure.id, "\(failure.readings.count)", "—", "error: \(failure.error.code.rawValue)",
        "error", failure.error.message,
      ]
      return Array((Self.tableRow(cells) + "\n").utf8)
    }
  }

  /// Places the next observation in the report, in input order: counts it in the summary
  /// (`measured`: its coverage status, nil for an observation that could not be measured) and
  /// gives the bytes that go before its body (`body(_:)`), the separator of the JSON
  /// document's array (none in the other formats).
  public mutating func place(measured: CoverageStatus?) -> StaticString {
    count += 1
    if let measured {
      byStatus[measured, default: 0] += 1
    } else {
      errors += 1
    }
    guard format == .json else { return "" }
    return count == 1 ? "\n    " : ",\n    "
  }

  /// The cells of an observation's line in the table format.
  static func tableCells(_ report: ObservationReport) -> [String] {
    func number(_ v: Double?) -> String {
      guard let v else { return "∞" }
      return v.isFinite ? String(format: "%.5g", v) : "—"
    }
    func lower(_ v: Double?) -> String { v == nil ? "-∞" : number(v) }
    let interval =
      report.x.interval.pieces.map { pieces in
        pieces.isEmpty
          ? "∅ (no x fits)"
          : pieces.map { "[\(lower($0.lower)), \(number($0.upper))]" }.joined(separator: " ∪ ")
      } ?? "[\(lower(report.x.interval.lower)), \(number(report.x.interval.upper))]"
    let estimate =
      report.x.components != nil && report.coverage.priorBound == nil
      ? "ambiguous" : estimateText(report, number: number)
    var row = [
      report.id, "\(report.readings.count)", estimate, interval, report.coverage.status.rawValue,
    ]
    // Notes: the modes and HPD pieces of a posterior with several, and an estimate outside
    // the range of quantitation.
    var notes: [String] = []
    if let hpd = report.x.hpd, hpd.count > 1 {
      notes.append(
        "\(report.x.modes?.count ?? hpd.count) modes, HPD "
          + hpd.map { "[\(number($0.lower)), \(number($0.upper))]" }.joined(separator: " ∪ "))
    }
    switch report.quantitation {
    case .belowLLOQ: notes.append("below the LLOQ")
    case .aboveULOQ: notes.append("above the ULOQ")
    case .within, nil: break
    }
    if !notes.isEmpty { row.append(notes.joined(separator: "; ")) }
    return row
  }

  /// A fixed-width line of the table format.
  static func tableRow(_ cells: [String]) -> String {
    let widths = [10, 3, 12, 30, 14, 0]
    return zip(cells, widths).map { cell, width in
      cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
    }.joined().trimmingCharacters(in: .whitespaces)
  }

  /// The counts so far.
  public var summary: Summary { Summary(observations: count, byStatus: byStatus, errors: errors) }

  /// What comes after the last observation.
  public func footer() throws -> [UInt8] {
    try Self.footer(format: format, summary: summary, encoder: encoder)
  }

  /// What comes after the last observation in `format`, with the counts `summary`: the
  /// table's closing line, or the JSON document's `summary` and closing brace.
  static func footer(
    format: Format, summary: Summary, encoder: JSONEncoder
  ) throws -> [UInt8] {
    if format == .table {
      var counts = summary.byStatus.sorted { $0.key.rawValue < $1.key.rawValue }
        .map { "\($0.key.rawValue) \($0.value)" }
      if summary.errors > 0 { counts.append("errors \(summary.errors)") }
      return Array("\(summary.observations) observations: \(counts.joined(separator: ", "))\n".utf8)
    }
    guard format == .json else { return [] }
    return Array("\n  ],\n  \"summary\": ".utf8) + (try encoder.encode(summary))
      + Array("\n}\n".utf8)
  }

  /// The CSV columns.
  public static let csvColumns = [
    "id", "line", "readings", "mean_reading", "method", "estimate", "mean", "sd", "median", "level",
    "lower", "upper",
    "bounded", "hpd", "status", "p_outside_domain", "reasons", "threshold", "p_above",
    "quantitation", "dilution", "undiluted_estimate", "undiluted_sd", "undiluted_lower",
    "undiluted_upper",
  ]

  /// The estimate as the table and CSV show it: a bound where the prior range cuts the
  /// posterior (`> 19.98`: x lies above the interval's lower end, toward the upper bound of
  /// the range; `< …` toward the lower), `none` where no x gives the reading (classical), the
  /// number otherwise.
  static func estimateText(_ report: ObservationReport, number: (Double?) -> String) -> String {
    let x = report.x
    if x.method == .bayes, let bound = report.coverage.priorBound {
      return bound >= x.estimate ? "> \(number(x.interval.lower))" : "< \(number(x.interval.upper))"
    }
    if x.solutions?.isEmpty == true { return "none" }
    return number(x.estimate)
  }

  /// A CSV field, quoted when it holds a comma, a quote or a line break.
  static func csvQuoted(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
      ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }

  static func csvRow(_ report: ObservationReport) -> [String] {
    /// A number, or an empty field (null) for none or one that is not finite.
    func number(_ value: Double?) -> String { value.flatMap { $0.isFinite ? "\($0)" : nil } ?? "" }
    let quoted = csvQuoted
    let x = report.x
    let hpd = x.hpd?.map { "\(number($0.lower)):\(number($0.upper))" }.joined(separator: ";") ?? ""
    let meanReading = report.coverage.reading.mean
    return [
      quoted(report.id), "\(report.line)", "\(report.readings.count)", number(meanReading),
      x.method.rawValue,
      estimateText(report, number: number),
      number(x.mean), number(x.sd), number(x.median), number(x.interval.level),
      number(x.interval.lower),
      number(x.interval.upper), x.interval.bounded ? "true" : "false", hpd,
      report.coverage.status.rawValue,
      number(report.coverage.pOutsideDomain),
      quoted(report.coverage.reasons.joined(separator: "; ")),
      number(x.pAbove?.threshold), number(x.pAbove?.probability),
      report.quantitation?.rawValue ?? "", number(report.undiluted?.factor),
      number(report.undiluted?.estimate), number(report.undiluted?.sd),
      number(report.undiluted?.interval.lower), number(report.undiluted?.interval.upper),
    ]
  }
}
