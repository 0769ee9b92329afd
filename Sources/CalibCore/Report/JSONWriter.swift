/// Writes JSON into a byte buffer as the caller walks its value: objects whose members the
/// caller gives in key order, arrays, and the scalars in `CompactJSONEncoder`'s spelling (a
/// `Double` in its shortest round-trip form without a trailing `.0`, strings with `"`, `\` and
/// the control characters escaped). No whitespace. See `ObservationReport.json()`.
struct JSONWriter {
  /// The bytes written so far.
  private(set) var bytes: [UInt8] = []
  /// Whether the next member of the open object follows another (and needs a comma).
  private var follows = false
  /// The keys down to the value being written, for the path of a `NonFiniteResult`.
  private var path: [StaticString] = []

  init() {
    bytes.reserveCapacity(2048)
    path.reserveCapacity(8)
  }

  /// An object whose members `body` writes (in key order).
  mutating func object<E: Error>(_ body: (inout JSONWriter) throws(E) -> Void) throws(E) {
    bytes.append(UInt8(ascii: "{"))
    follows = false
    try body(&self)
    bytes.append(UInt8(ascii: "}"))
  }

  /// The member `key` of the open object, its value written by `body`.
  mutating func member<E: Error>(
    _ key: StaticString, _ body: (inout JSONWriter) throws(E) -> Void
  ) throws(E) {
    if follows { bytes.append(UInt8(ascii: ",")) }
    bytes.append(UInt8(ascii: "\""))
    key.withUTF8Buffer { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    path.append(key)
    try body(&self)
    path.removeLast()
    follows = true
  }

  /// An array of `elements`, each written by `body`.
  mutating func array<Element, E: Error>(
    _ elements: [Element], _ body: (inout JSONWriter, Element) throws(E) -> Void
  ) throws(E) {
    bytes.append(UInt8(ascii: "["))
    for (k, element) in elements.enumerated() {
      if k > 0 { bytes.append(UInt8(ascii: ",")) }
      try body(&self, element)
    }
    bytes.append(UInt8(ascii: "]"))
  }

  /// The member `key` holding `value`.
  mutating func number(_ key: StaticString, _ value: Double) throws(NonFiniteResult) {
    try member(key) { w throws(NonFiniteResult) in try w.number(value) }
  }

  /// The member `key` holding `value`, left out where it is nil (`encodeIfPresent`).
  mutating func optionalNumber(_ key: StaticString, _ value: Double?) throws(NonFiniteResult) {
    if let value { try number(key, value) }
  }

  /// The member `key` holding `value`, `null` where it is nil (`encode` of an optional).
  mutating func numberOrNull(_ key: StaticString, _ value: Double?) throws(NonFiniteResult) {
    try member(key) { w throws(NonFiniteResult) in
      guard let value else { return w.null() }
      try w.number(value)
    }
  }

  /// An array of numbers.
  mutating func numbers(_ values: [Double]) throws(NonFiniteResult) {
    try array(values) { w, value throws(NonFiniteResult) in try w.number(value) }
  }

  /// A number.
  ///
  /// - Throws: `NonFiniteResult` for NaN and the infinities, with the keys down to it.
  mutating func number(_ value: Double) throws(NonFiniteResult) {
    guard value.isFinite else {
      throw NonFiniteResult(path: path.map { "\($0)" }.joined(separator: "."))
    }
    appendJSONNumber(value, to: &bytes)
  }

  mutating func integer(_ value: Int) { bytes.append(contentsOf: value.description.utf8) }

  mutating func bool(_ value: Bool) {
    bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
  }

  mutating func null() { bytes.append(contentsOf: "null".utf8) }

  mutating func string(_ text: String) { appendJSONString(text, to: &bytes) }
}

/// Appends a finite `value` in its shortest round-trip form without a trailing `.0` (`2`,
/// `0.5`, `1e-05`), as `JSONEncoder` writes it.
func appendJSONNumber<Number: BinaryFloatingPoint & CustomStringConvertible>(
  _ value: Number, to bytes: inout [UInt8]
) {
  var text = value.description
  if text.hasSuffix(".0") { text.removeLast(2) }
  bytes.append(contentsOf: text.utf8)
}

/// Appends `text` as a JSON string, as `JSONEncoder` writes it without escaping slashes: `"`,
/// `\` and the control characters escaped (`\n`, `\t`, `\r`, `\b`, `\f`, else `\u00XX`), all
/// else as it is.
func appendJSONString(_ text: String, to bytes: inout [UInt8]) {
  let utf8 = text.utf8
  bytes.append(UInt8(ascii: "\""))
  // Most text needs no escape: one append.
  if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
    bytes.append(contentsOf: utf8)
    bytes.append(UInt8(ascii: "\""))
    return
  }
  let hex = Array("0123456789abcdef".utf8)
  for byte in utf8 {
    switch byte {
    case UInt8(ascii: "\""): bytes += [0x5C, 0x22]
    case UInt8(ascii: "\\"): bytes += [0x5C, 0x5C]
    case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
    case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
    case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
    case 0x08: bytes += [0x5C, UInt8(ascii: "b")]
    case 0x0C: bytes += [0x5C, UInt8(ascii: "f")]
    case 0..<0x20:
      bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
    default: bytes.append(byte)
    }
  }
  bytes.append(UInt8(ascii: "\""))
}
