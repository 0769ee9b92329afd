import Foundation

/// A table of an HTML page: a caption, column headings and rows of cells. A number is written
/// twice: rounded to six significant digits for the reader, and in full (the shortest text
/// that reads back as the same double, as in the JSON files) in the cell's `data-value`, so
/// that a script, or a test, can compare the page with the JSON.
struct HTMLTable {
  /// One cell: text, or a number (nil: not defined, shown as a dash).
  enum Cell {
    case text(String)
    case number(Double?)
    /// A number shown otherwise: a bound (`> 17.158`) where the posterior is cut by the range.
    case bound(String, Double)
  }

  let id: String
  let caption: String
  let headings: [String]
  var rows: [[Cell]] = []

  /// The table's HTML.
  var html: String {
    var out = "<table id=\"\(id)\">\n<caption>\(HTMLTable.escaped(caption))</caption>\n<thead><tr>"
    out += headings.map { "<th>\(HTMLTable.escaped($0))</th>" }.joined()
    out += "</tr></thead>\n<tbody>\n"
    for row in rows {
      out += "<tr>" + row.map(HTMLTable.cell).joined() + "</tr>\n"
    }
    return out + "</tbody>\n</table>\n"
  }

  /// A cell's HTML.
  static func cell(_ cell: Cell) -> String {
    switch cell {
    case .text(let text): return "<td>\(escaped(text))</td>"
    case .number(let value?) where value.isFinite:
      return "<td class=\"num\" data-value=\"\(full(value))\">\(rounded(value))</td>"
    case .number: return "<td class=\"num\">–</td>"
    case .bound(let text, let value):
      return "<td class=\"num bound\" data-value=\"\(full(value))\">\(escaped(text))</td>"
    }
  }

  /// A number in full, as the JSON files write it: the shortest decimal that reads back as the
  /// same double, a whole number without a decimal point.
  static func full(_ value: Double) -> String {
    Swift.abs(value) < 1e15 && value == value.rounded() ? String(Int64(value)) : "\(value)"
  }

  /// A number with six significant digits, as the reader sees it.
  static func rounded(_ value: Double) -> String { String(format: "%.6g", value) }

  /// `text` with the characters HTML reserves escaped.
  static func escaped(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(character)
      }
    }
    return out
  }
}
