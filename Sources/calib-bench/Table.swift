import Foundation

/// The figures as a table for people, one line each, printed as they are taken.
enum Table {
  /// The header line and a rule under it.
  static let header: String = {
    let title =
      pad("figure", 28, left: true) + pad("readings", 11) + pad("thr", 4) + pad("per reading", 13)
      + pad("per second", 12) + pad("CPU/reading", 13) + "  notes"
    return title + "\n" + String(repeating: "-", count: 110)
  }()

  /// The line of `figure`.
  static func row(_ figure: Figure) -> String {
    let perReading = figure.perReadingSeconds.map(duration) ?? duration(figure.seconds) + " all"
    let rate = figure.perReadingSeconds.map { grouped(1 / $0) } ?? "—"
    let readings = figure.readings > 0 ? grouped(Double(figure.readings)) : "—"
    return pad(figure.name, 28, left: true) + pad(readings, 11)
      + pad("\(figure.threads)", 4) + pad(perReading, 13) + pad(rate, 12)
      + pad(figure.cpuPerReadingSeconds.map(duration) ?? "", 13) + "  "
      + notes(figure).joined(separator: "; ")
  }

  /// The figure's extras: memory, speed-up, instructions, ratio, agreement, target.
  static func notes(_ figure: Figure) -> [String] {
    var notes: [String] = []
    if let bytes = figure.peakResidentBytes {
      notes.append(String(format: "peak RSS %.1f MB", Double(bytes) / 1e6))
    }
    if let speedup = figure.speedup {
      notes.append(String(format: "speed-up %.2f", speedup))
      if let rounds = figure.roundSpeedups {
        notes.append("rounds " + rounds.map { String(format: "%.2f", $0) }.joined(separator: " "))
      }
    }
    if let identical = figure.identical { notes.append(identical ? "identical" : "DIFFERENT") }
    if let instructions = figure.instructionsPerReading {
      notes.append(String(format: "%.3f M instructions/reading", instructions / 1e6))
    }
    if let ratio = figure.ratio { notes.append("ratio " + grouped(ratio)) }
    if let ratio = figure.ratioOneThread { notes.append("1 thread " + grouped(ratio)) }
    if let ratio = figure.ratioCPU { notes.append("CPU " + grouped(ratio)) }
    if let agreement = figure.agreement {
      notes.append(
        String(format: "medians within %.2g%%", 100 * agreement.maxRelative)
          + (agreement.sane ? "" : " (NOT SANE)"))
    }
    if let target = figure.target { notes.append("target " + target) }
    return notes
  }

  /// `seconds` in µs, ms or s with four significant digits.
  static func duration(_ seconds: Double) -> String {
    switch seconds {
    case ..<1e-3: String(format: "%.4g µs", seconds * 1e6)
    case ..<1: String(format: "%.4g ms", seconds * 1e3)
    default: String(format: "%.4g s", seconds)
    }
  }

  /// `value` rounded, its thousands separated by spaces (`6 566`); small values with three
  /// significant digits.
  static func grouped(_ value: Double) -> String {
    guard value.isFinite else { return "—" }
    guard value >= 100 else { return String(format: "%.3g", value) }
    var digits = String(Int(value.rounded()))
    var groups: [String] = []
    while digits.count > 3 {
      groups.insert(String(digits.suffix(3)), at: 0)
      digits.removeLast(3)
    }
    return ([digits] + groups).joined(separator: " ")
  }

  /// `text` padded with spaces to `width` characters, on the right (`left`) or the left.
  static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return left ? text + fill : fill + text
  }
}
