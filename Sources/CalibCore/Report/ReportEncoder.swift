import Foundation

/// Writes measurement reports in the three formats of `calib measure --format`, one piece at a
/// time so that a report of any length streams (docs/report-file.md):
///
/// - `json`: one `calib-report/1` document, one observation per line inside `observations`;
/// - `ndjson`: one observation object per line, in input order;
/// - `csv`: a header line, then one row per observation;
/// - `table`: fixed-width text for people: id, readings, estimate, interval, status, and
///   the modes and HPD pieces of a multimodal posterior.
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
  private var byStatus: [String: Int] = [:]

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
    public var method: String
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
      method = measurer.settings.method.rawValue
      range = ClosedRangeRecord(lower: measurer.priorRange.lowerBound, upper: measurer.priorRange.upperBound)
      rangeRule = measurer.settings.range == nil ? "default: the calibrated domain widened by its width on each side" : "given"
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
    /// How many got each coverage status.
    public var byStatus: [String: Int]

    enum CodingKeys: String, CodingKey {
      case observations
      case byStatus = "by_status"
    }
  }

  /// What comes before the first observation.
  public func header(_ settings: Settings) throws -> [UInt8] {
    switch format {
    case .json:
      return Array("{\n  \"format\": \"calib-report/1\",\n  \"settings\": ".utf8) + (try encoder.encode(settings)) + Array(",\n  \"observations\": [".utf8)
    case .ndjson:
      return []
    case .csv:
      return Array((Self.csvColumns.joined(separator: ",") + "\n").utf8)
    case .table:
      return Array((Self.tableRow(["id", "n", "estimate", "\(settings.method) \(settings.level) interval", "status"]) + "\n").utf8)
    }
  }

  /// One observation.
  public mutating func observation(_ report: ObservationReport) throws -> [UInt8] {
    count += 1
    byStatus[report.coverage.status, default: 0] += 1
    switch format {
    case .json:
      return Array((count == 1 ? "\n    " : ",\n    ").utf8) + (try encoder.encode(report))
    case .ndjson:
      return (try encoder.encode(report)) + [0x0A]
    case .csv:
      return Array((Self.csvRow(report).joined(separator: ",") + "\n").utf8)
    case .table:
      func number(_ v: Double?) -> String { v.map { String(format: "%.5g", $0) } ?? "∞" }
      let interval = report.x.interval.pieces.map { pieces in
        pieces.isEmpty ? "∅ (no x fits)" : pieces.map { "[\($0.lower.map { String(format: "%.5g", $0) } ?? "-∞"), \(number($0.upper))]" }.joined(separator: " ∪ ")
      } ?? "[\(report.x.interval.lower.map { String(format: "%.5g", $0) } ?? "-∞"), \(number(report.x.interval.upper))]"
      var row = [report.id, "\(report.readings.count)", number(report.x.estimate), interval, report.coverage.status]
      if let hpd = report.x.hpd, hpd.count > 1 {
        row.append("\(report.x.modes?.count ?? hpd.count) modes, HPD " + hpd.map { "[\(number($0.lower)), \(number($0.upper))]" }.joined(separator: " ∪ "))
      }
      return Array((Self.tableRow(row) + "\n").utf8)
    }
  }

  /// A fixed-width line of the table format.
  static func tableRow(_ cells: [String]) -> String {
    let widths = [10, 3, 12, 30, 14, 0]
    return zip(cells, widths).map { cell, width in
      cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
    }.joined().trimmingCharacters(in: .whitespaces)
  }

  /// The counts so far.
  public var summary: Summary { Summary(observations: count, byStatus: byStatus) }

  /// What comes after the last observation.
  public func footer() throws -> [UInt8] {
    if format == .table {
      let counts = summary.byStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
      return Array("\(summary.observations) observations: \(counts)\n".utf8)
    }
    guard format == .json else { return [] }
    return Array("\n  ],\n  \"summary\": ".utf8) + (try encoder.encode(summary)) + Array("\n}\n".utf8)
  }

  /// The CSV columns.
  public static let csvColumns = [
    "id", "line", "readings", "mean_reading", "method", "estimate", "mean", "sd", "median", "level", "lower", "upper",
    "bounded", "hpd", "status", "p_outside_domain", "reasons",
  ]

  static func csvRow(_ report: ObservationReport) -> [String] {
    func number(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
    func quoted(_ text: String) -> String {
      text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
    let x = report.x
    let hpd = x.hpd?.map { "\(number($0.lower)):\(number($0.upper))" }.joined(separator: ";") ?? ""
    let meanReading = report.coverage.reading.mean
    return [
      quoted(report.id), "\(report.line)", "\(report.readings.count)", number(meanReading), x.method, number(x.estimate),
      number(x.mean), number(x.sd), number(x.median), number(x.interval.level), number(x.interval.lower),
      number(x.interval.upper), x.interval.bounded ? "true" : "false", hpd, report.coverage.status,
      number(report.coverage.pOutsideDomain), quoted(report.coverage.reasons.joined(separator: "; ")),
    ]
  }
}
