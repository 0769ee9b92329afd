/// Writes JSON into a byte buffer as the caller walks its value: objects whose members the
/// caller gives in key order, arrays, and the scalars in `CompactJSONEncoder`'s spelling (a
/// `Double` in its shortest round-trip form without a trailing `.0`, strings with `"`, `\` and
/// the control characters escaped). No whitespace. See `ObservationReport.json()`.
///
/// The bytes live in a buffer of its own, grown by doubling, that `append(to:terminator:)`
/// copies out: a report is some 1.6 kB written a few bytes at a time, and an array's append
/// costs more than the store.
struct JSONWriter: ~Copyable {
  private var base: UnsafeMutablePointer<UInt8>
  private var count = 0
  private var capacity: Int
  /// Whether the next member of the open object follows another (and needs a comma).
  private var follows = false
  /// The keys down to the value being written, for the path of a `NonFiniteResult`: the key
  /// of each open object's member, `depth` of them (room for `pathCapacity`).
  private var path: UnsafeMutablePointer<StaticString>
  private var depth = 0
  private var pathCapacity = 16
  /// The spellings of numbers written before, where a thread keeps them; held unmanaged for
  /// the look-ups (a reference counted at each of some 40 numbers a report costs more than the
  /// look-up), kept alive by `spellingsOwner`.
  private let spellings: Unmanaged<JSONNumberSpellings>?
  private let spellingsOwner: JSONNumberSpellings?

  /// An empty writer, taking numbers' spellings from `spellings` where given.
  init(spellings: JSONNumberSpellings? = nil) {
    spellingsOwner = spellings
    self.spellings = spellings.map { Unmanaged.passUnretained($0) }
    capacity = 2048
    base = .allocate(capacity: capacity)
    path = .allocate(capacity: pathCapacity)
  }

  deinit {
    base.deallocate()
    path.deinitialize(count: depth)
    path.deallocate()
  }

  /// Appends the bytes written, then `terminator` (a newline for NDJSON) when given, to
  /// `bytes`, in one copy.
  mutating func append(to bytes: inout [UInt8], terminator: UInt8? = nil) {
    if let terminator {
      reserve(1)
      base[count] = terminator
    }
    bytes.append(
      contentsOf: UnsafeBufferPointer(start: base, count: count + (terminator == nil ? 0 : 1)))
  }

  /// Room for `extra` more bytes.
  private mutating func reserve(_ extra: Int) {
    guard count + extra > capacity else { return }
    let grown = max(2 * capacity, count + extra)
    let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
    larger.initialize(from: base, count: count)
    base.deallocate()
    (base, capacity) = (larger, grown)
  }

  private mutating func append(_ byte: UInt8) {
    reserve(1)
    base[count] = byte
    count += 1
  }

  private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    reserve(bytes.count)
    if let source = bytes.baseAddress {
      (base + count).initialize(from: source, count: bytes.count)
    }
    count += bytes.count
  }

  private mutating func append(_ text: StaticString) {
    text.withUTF8Buffer { append($0) }
  }

  /// Opens an object; its members follow, each a `key(_:)` and its value, in key order, up to
  /// `endObject()`.
  mutating func beginObject() {
    append(UInt8(ascii: "{"))
    follows = false
    if depth == pathCapacity {
      let deeper = UnsafeMutablePointer<StaticString>.allocate(capacity: 2 * pathCapacity)
      deeper.moveInitialize(from: path, count: depth)
      path.deallocate()
      (path, pathCapacity) = (deeper, 2 * pathCapacity)
    }
    (path + depth).initialize(to: "")
    depth += 1
  }

  /// Closes the open object, a value of its own.
  mutating func endObject() {
    append(UInt8(ascii: "}"))
    depth -= 1
    (path + depth).deinitialize(count: 1)
    follows = true
  }

  /// The key of the next member of the open object; its value follows.
  mutating func key(_ key: StaticString) {
    reserve(key.utf8CodeUnitCount + 4)
    if follows {
      base[count] = UInt8(ascii: ",")
      count += 1
    }
    base[count] = UInt8(ascii: "\"")
    count += 1
    append(key)
    base[count] = UInt8(ascii: "\"")
    base[count + 1] = UInt8(ascii: ":")
    count += 2
    assert(depth > 0, "a key outside an object")
    path[depth - 1] = key
    follows = true
  }

  /// An array of `elements`, each written by `body`.
  mutating func array<Element, E: Error>(
    _ elements: [Element], _ body: (inout JSONWriter, Element) throws(E) -> Void
  ) throws(E) {
    append(UInt8(ascii: "["))
    for k in elements.indices {
      if k > 0 { append(UInt8(ascii: ",")) }
      try body(&self, elements[k])
    }
    append(UInt8(ascii: "]"))
  }

  /// The member `key` holding `value`.
  mutating func number(_ key: StaticString, _ value: Double) throws(NonFiniteResult) {
    self.key(key)
    try number(value)
  }

  /// The member `key` holding `value`, left out where it is nil (`encodeIfPresent`).
  mutating func optionalNumber(_ key: StaticString, _ value: Double?) throws(NonFiniteResult) {
    if let value { try number(key, value) }
  }

  /// The member `key` holding `value`, `null` where it is nil (`encode` of an optional).
  mutating func numberOrNull(_ key: StaticString, _ value: Double?) throws(NonFiniteResult) {
    self.key(key)
    guard let value else { return null() }
    try number(value)
  }

  /// An array of numbers.
  mutating func numbers(_ values: [Double]) throws(NonFiniteResult) {
    try array(values) { w, value throws(NonFiniteResult) in try w.number(value) }
  }

  /// A number, as `appendJSONNumber(_:to:)` writes it.
  ///
  /// - Throws: `NonFiniteResult` for NaN and the infinities, with the keys down to it.
  mutating func number(_ value: Double) throws(NonFiniteResult) {
    guard value.isFinite else {
      let keys = UnsafeBufferPointer(start: path, count: depth)
      throw NonFiniteResult(path: keys.map { "\($0)" }.joined(separator: "."))
    }
    if let spellings {
      append(
        spellings._withUnsafeGuaranteedRef { $0.spelling(of: value) { Self.spell(value, at: $0) } })
      return
    }
    reserve(JSONNumberSpellings.width)
    count += Self.spell(value, at: base + count)
  }

  /// Writes the spelling of a finite `value` at `start`, as `appendJSONNumber(_:to:)` does,
  /// in at most `JSONNumberSpellings.width` bytes (a Double's shortest form is at most 24:
  /// -2.2250738585072014e-308); how many.
  private static func spell(_ value: Double, at start: UnsafeMutablePointer<UInt8>) -> Int {
    var stream = DigitStream(base: start)
    value.write(to: &stream)
    guard !stream.overflowed else {
      // Cannot happen: a shortest form longer than the width.
      var text: [UInt8] = []
      appendJSONNumber(value, to: &text)
      let count = min(text.count, JSONNumberSpellings.width)
      start.initialize(from: text, count: count)
      return count
    }
    let count = stream.count
    if count > 2, start[count - 2] == UInt8(ascii: "."), start[count - 1] == UInt8(ascii: "0") {
      return count - 2
    }
    return count
  }

  /// An integer, in decimal.
  mutating func integer(_ value: Int) {
    // Int.min has 19 digits and a sign.
    reserve(20)
    if value < 0 { append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits = 0
    repeat {
      base[count + digits] = UInt8(ascii: "0") + UInt8(magnitude % 10)
      magnitude /= 10
      digits += 1
    } while magnitude > 0
    // Written from the last digit: reversed in place.
    var (i, j) = (count, count + digits - 1)
    while i < j {
      (base[i], base[j]) = (base[j], base[i])
      (i, j) = (i + 1, j - 1)
    }
    count += digits
  }

  mutating func bool(_ value: Bool) { append(value ? "true" : "false") }

  mutating func null() { append("null") }

  mutating func string(_ text: String) {
    var text = text
    let plain = text.withUTF8 { utf8 in
      guard !utf8.contains(where: needsEscape) else { return false }
      reserve(utf8.count + 2)
      append(UInt8(ascii: "\""))
      append(utf8)
      append(UInt8(ascii: "\""))
      return true
    }
    guard !plain else { return }
    var escaped: [UInt8] = []
    appendJSONString(text, to: &escaped)
    escaped.withUnsafeBufferPointer { append($0) }
  }
}

/// The digits a number's `write(to:)` hands over, stored at `base`, at most `room` of them.
private struct DigitStream: TextOutputStream {
  static let room = JSONNumberSpellings.width
  let base: UnsafeMutablePointer<UInt8>
  var count = 0
  var overflowed = false

  mutating func write(_ string: String) {
    var string = string
    string.withUTF8 { _writeASCII($0) }
  }

  mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
    guard let source = buffer.baseAddress, count + buffer.count <= Self.room else {
      overflowed = overflowed || !buffer.isEmpty
      return
    }
    (base + count).initialize(from: source, count: buffer.count)
    count += buffer.count
  }
}

/// Appends a finite `value` in its shortest round-trip form without a trailing `.0` (`2`,
/// `0.5`, `1e-05`), as `JSONEncoder` writes it: the digits of `description`, which
/// `write(to:)` hands to the stream without making a `String` of them.
func appendJSONNumber<Number: BinaryFloatingPoint & TextOutputStreamable>(
  _ value: Number, to bytes: inout [UInt8]
) {
  var stream = ByteStream()
  swap(&stream.bytes, &bytes)
  let start = stream.bytes.count
  value.write(to: &stream)
  let end = stream.bytes.count
  if end - start > 2, stream.bytes[end - 2] == UInt8(ascii: "."),
    stream.bytes[end - 1] == UInt8(ascii: "0")
  {
    stream.bytes.removeLast(2)
  }
  swap(&stream.bytes, &bytes)
}

/// A text stream into bytes. The standard library's numbers write their ASCII digits through
/// `_writeASCII`, straight into the bytes; other text comes as a `String`, as UTF-8.
private struct ByteStream: TextOutputStream {
  var bytes: [UInt8] = []

  mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }

  mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
    bytes.append(contentsOf: buffer)
  }
}

/// Appends `text` as a JSON string, as `JSONEncoder` writes it without escaping slashes: `"`,
/// `\` and the control characters escaped (`\n`, `\t`, `\r`, `\b`, `\f`, else `\u00XX`), all
/// else as it is.
func appendJSONString(_ text: String, to bytes: inout [UInt8]) {
  let utf8 = text.utf8
  bytes.append(UInt8(ascii: "\""))
  // Most text needs no escape: one append.
  if !utf8.contains(where: needsEscape) {
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

/// Whether a byte of UTF-8 is escaped in a JSON string: `"`, `\` and the control characters.
private func needsEscape(_ byte: UInt8) -> Bool {
  byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
}
