import Foundation

/// An SVG document built element by element: shapes in page coordinates, text escaped, numbers
/// written with two decimals (a hundredth of a unit on a page 800 units wide).
struct SVGCanvas {
  let width: Double
  let height: Double
  private var elements: [String] = []

  init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  /// A number as written in the file.
  static func number(_ value: Double) -> String {
    let text = String(format: "%.2f", value)
    return text == "-0.00" ? "0.00" : text
  }

  /// `text` with the characters XML reserves escaped.
  static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  mutating func add(_ element: String) { elements.append(element) }

  /// Starts a group whose drawing is clipped to a rectangle, named `id`; `endClip` ends it.
  mutating func beginClip(id: String, _ x: Double, _ y: Double, _ w: Double, _ h: Double) {
    let n = Self.number
    add(
      "<clipPath id=\"\(id)\"><rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\"/></clipPath>"
    )
    add("<g clip-path=\"url(#\(id))\">")
  }

  mutating func endClip() { add("</g>") }

  mutating func line(
    _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
    width: Double = 1, dash: String? = nil
  ) {
    let n = Self.number
    add(
      "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
        + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
  }

  mutating func rectangle(
    _ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String = "none",
    opacity: Double = 1
  ) {
    let n = Self.number
    add(
      "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(w, 0)))\" height=\"\(n(max(h, 0)))\" fill=\"\(fill)\" stroke=\"\(stroke)\" fill-opacity=\"\(n(opacity))\"/>"
    )
  }

  mutating func circle(_ x: Double, _ y: Double, radius: Double, fill: String, stroke: String) {
    let n = Self.number
    add(
      "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(radius))\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"1\"/>"
    )
  }

  /// An open line through `points`; the pieces between non-finite points are left out.
  mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2) {
    for piece in Self.finitePieces(points) where piece.count > 1 {
      let path = piece.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
      add(
        "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\" stroke-linejoin=\"round\"/>"
      )
    }
  }

  /// The area between two lines over the same page x.
  mutating func band(
    _ x: [Double], lower: [Double], upper: [Double], fill: String, opacity: Double
  ) {
    let points = x.indices.map { (x[$0], lower[$0], upper[$0]) }
    var piece: [(Double, Double, Double)] = []
    func flush() {
      guard piece.count > 1 else {
        piece = []
        return
      }
      let top = piece.map { "\(Self.number($0.0)),\(Self.number($0.2))" }
      let bottom = piece.reversed().map { "\(Self.number($0.0)),\(Self.number($0.1))" }
      add(
        "<polygon points=\"\((top + bottom).joined(separator: " "))\" fill=\"\(fill)\" fill-opacity=\"\(Self.number(opacity))\" stroke=\"none\"/>"
      )
      piece = []
    }
    for point in points {
      if point.0.isFinite && point.1.isFinite && point.2.isFinite {
        piece.append(point)
      } else {
        flush()
      }
    }
    flush()
  }

  mutating func text(
    _ text: String, _ x: Double, _ y: Double, size: Double = 13, anchor: String = "middle",
    rotate: Bool = false, fill: String = "#222222"
  ) {
    let n = Self.number
    let transform = rotate ? " transform=\"rotate(-90 \(n(x)) \(n(y)))\"" : ""
    add(
      "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(transform)>\(Self.escaped(text))</text>"
    )
  }

  /// The document.
  var document: String {
    let n = Self.number
    return
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
      + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
      + elements.joined(separator: "\n") + "\n</svg>\n"
  }

  private static func finitePieces(_ points: [(Double, Double)]) -> [[(Double, Double)]] {
    var pieces: [[(Double, Double)]] = [[]]
    for point in points {
      if point.0.isFinite && point.1.isFinite {
        pieces[pieces.count - 1].append(point)
      } else if !(pieces.last?.isEmpty ?? true) {
        pieces.append([])
      }
    }
    return pieces
  }
}
