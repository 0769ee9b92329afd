import Foundation

/// Writes the measurement reports of an instrument with several outputs in the formats of
/// `calib measure --format`, one piece at a time (docs/report-file.md, "Several outputs"):
/// the same document as for one output (`calib-report/1`, `settings`, `observations`,
/// `summary`), whose observations hold reading vectors and, for several unknowns,
/// `quantities`, `correlation` and `joint`. CSV and table rows give each unknown's estimate,
/// sd and interval in columns named after it (`x1_estimate`, …), and after the coverage its
/// range-of-quantitation status and, with a dilution factor, its undiluted figures.
public struct MultiOutputReportEncoder {
  /// The format written.
  public let format: ReportEncoder.Format
  /// The unknowns' names, in the instrument's order.
  public let predictors: [String]
  private let encoder: JSONEncoder
  private var count = 0
  private var byStatus: [CoverageStatus: Int] = [:]
  private var errors = 0

  /// An encoder for `format` of the observations of an instrument with `predictors`.
  public init(format: ReportEncoder.Format, predictors: [String]) {
    self.format = format
    self.predictors = predictors
    encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  }

  /// The settings block of a report of an instrument with several outputs.
  public struct Settings: Codable, Sendable {
    /// The level of the intervals and of the joint region.
    public var level: Double
    /// `bayes`.
    public var method: MeasurementSettings.Method
    /// The prior range of each unknown.
    public var ranges: [String: ClosedRangeRecord]
    /// The coverage thresholds in use.
    public var thresholds: CoverageThresholds
    /// The instrument file, its model, its outputs and the hash of its calibration.
    public var instrument: String
    public var model: String
    public var outputs: [String]
    public var calibrationSHA256: String

    /// The settings of `measurer`, measuring with the instrument file `instrumentFile`.
    public init(measurer: MultiOutputMeasurer, instrumentFile: String) {
      let state = measurer.instrument.state
      level = measurer.settings.level
      method = measurer.settings.method
      ranges = Dictionary(
        uniqueKeysWithValues: zip(
          state.model.predictors,
          measurer.priorRanges.map { ClosedRangeRecord(lower: $0.lowerBound, upper: $0.upperBound) }
        ))
      thresholds = measurer.settings.thresholds
      instrument = instrumentFile
      model = state.model.spec
      outputs = state.model.responses
      calibrationSHA256 = state.provenance.inputSHA256
    }

    enum CodingKeys: String, CodingKey {
      case level, method, ranges, thresholds, instrument, model, outputs
      case calibrationSHA256 = "calibration_sha256"
    }
  }

  /// The CSV columns.
  public var csvColumns: [String] {
    ["id", "line", "readings"]
      + predictors.flatMap {
        ["\($0)_estimate", "\($0)_sd", "\($0)_lower", "\($0)_upper", "\($0)_p_above"]
      }
      + ["level", "status", "p_outside_domain", "from_manifold", "reasons"]
      + predictors.map { "\($0)_quantitation" } + ["dilution"]
      + predictors.flatMap {
        [
          "\($0)_undiluted_estimate", "\($0)_undiluted_sd", "\($0)_undiluted_lower",
          "\($0)_undiluted_upper",
        ]
      }
  }

  /// The index of the `status` column, and of `reasons` three after it.
  private var statusColumn: Int { 3 + 5 * predictors.count + 1 }

  /// What comes before the first observation.
  public func header(_ settings: Settings) throws -> [UInt8] {
    switch format {
    case .json:
      return Array("{\n  \"format\": \"calib-report/1\",\n  \"settings\": ".utf8)
        + (try encoder.encode(settings)) + Array(",\n  \"observations\": [".utf8)
    case .ndjson:
      return []
    case .csv:
      return Array((csvColumns.joined(separator: ",") + "\n").utf8)
    case .table:
      return Array(
        (tableRow(
          ["id", "n"] + predictors.map { "\($0) \(settings.level) interval" } + ["status"])
          + "\n").utf8)
    }
  }

  /// One observation.
  public mutating func observation(_ report: MultiOutputObservationReport) throws -> [UInt8] {
    let body = try body(report)
    return place(measured: report.coverage.status).withUTF8Buffer { Array($0) } + body
  }

  /// An observation that could not be measured: its `error` object and no numbers.
  public mutating func failure(_ failure: ObservationFailure) throws -> [UInt8] {
    let body = try body(failure)
    return place(measured: nil).withUTF8Buffer { Array($0) } + body
  }

  /// Places the next observation in the report, in input order, as
  /// `ReportEncoder.place(measured:)`: counts it, and gives the bytes that go before its body.
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

  /// An observation's own bytes, apart from its place in the report (see
  /// `ReportEncoder.body(_:)`): it changes nothing, so copies make them on several threads.
  public func body(_ report: MultiOutputObservationReport) throws -> [UInt8] {
    let bytes: [UInt8]
    let estimates = predictors.compactMap { report.quantities?[$0] ?? report.x }
    func number(_ value: Double?) -> String { value.flatMap { $0.isFinite ? "\($0)" : nil } ?? "" }
    /// Five significant digits, as the single-output table writes them.
    func short(_ value: Double?) -> String {
      value.map { $0.isFinite ? String(format: "%.5g", $0) : "—" } ?? "—"
    }
    switch format {
    case .json:
      bytes = try CompactJSONEncoder().encode(report)
    case .ndjson:
      bytes = try CompactJSONEncoder().encode(report) + [0x0A]
    case .csv:
      let row =
        [ReportEncoder.csvQuoted(report.id), "\(report.line)", "\(report.readings.count)"]
        + estimates.flatMap {
          [
            number($0.estimate), number($0.sd), number($0.interval.lower),
            number($0.interval.upper), number($0.pAbove?.probability),
          ]
        }
        + [
          number(estimates.first?.interval.level), report.coverage.status.rawValue,
          number(report.coverage.pOutsideDomain), number(report.coverage.metric.fromManifold),
          ReportEncoder.csvQuoted(report.coverage.reasons.joined(separator: "; ")),
        ]
        + predictors.map { report.quantitation?[$0]?.rawValue ?? "" }
        // Every unknown shares the sample's factor.
        + [number(predictors.first.flatMap { report.undiluted?[$0]?.factor })]
        + predictors.flatMap { name -> [String] in
          let undiluted = report.undiluted?[name]
          return [
            number(undiluted?.estimate), number(undiluted?.sd), number(undiluted?.interval.lower),
            number(undiluted?.interval.upper),
          ]
        }
      bytes = Array((row.joined(separator: ",") + "\n").utf8)
    case .table:
      let cells =
        [report.id, "\(report.readings.count)"]
        + estimates.map {
          "\(short($0.estimate)) [\(short($0.interval.lower)), \(short($0.interval.upper))]"
        } + [report.coverage.status.rawValue]
      bytes = Array((tableRow(cells) + "\n").utf8)
    }
    return bytes
  }

  /// The bytes of an observation that could not be measured, apart from its place.
  public func body(_ failure: ObservationFailure) throws -> [UInt8] {
    let bytes: [UInt8]
    switch format {
    case .json:
      bytes = try CompactJSONEncoder().encode(failure)
    case .ndjson:
      bytes = try CompactJSONEncoder().encode(failure) + [0x0A]
    case .csv:
      var row = [String](repeating: "", count: csvColumns.count)
      row[0] = ReportEncoder.csvQuoted(failure.id)
      row[1] = "\(failure.line)"
      row[statusColumn] = "error"
      row[statusColumn + 3] = ReportEncoder.csvQuoted(
        "\(failure.error.code.rawValue): \(failure.error.message)")
      bytes = Array((row.joined(separator: ",") + "\n").utf8)
    case .table:
      bytes = Array(
        (tableRow([failure.id, "—", "error", failure.error.message]) + "\n").utf8)
    }
    return bytes
  }

  /// A fixed-width line of the table format: id, readings, one estimate and interval per
  /// unknown, status.
  private func tableRow(_ cells: [String]) -> String {
    let widths = [10, 3] + Array(repeating: 34, count: predictors.count) + [0]
    return zip(cells, widths).map { cell, width in
      cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
    }.joined().trimmingCharacters(in: .whitespaces)
  }

  /// The counts so far.
  public var summary: ReportEncoder.Summary {
    ReportEncoder.Summary(observations: count, byStatus: byStatus, errors: errors)
  }

  /// What comes after the last observation.
  public func footer() throws -> [UInt8] {
    try ReportEncoder.footer(format: format, summary: summary, encoder: encoder)
  }
}
