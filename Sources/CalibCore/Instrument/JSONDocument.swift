/// A JSON value (RFC 8259) read by `JSONDocument`, numbers kept as their literal text so that
/// each field decides how to read them (an integer, a double) and can say what it found.
enum JSONValue: Sendable {
  case null
  case bool(Bool)
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// What the value is, for messages: `null`, `a boolean`, `a number`, …
  var kind: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number(let text):
      return "the number \(text.count > 40 ? String(text.prefix(40)) + "…" : text)"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }
}

/// A JSON text that is not well formed: where (line and column, from 1; the column counts
/// characters) and what was expected.
struct JSONSyntaxError: Error, Equatable {
  var line: Int
  var column: Int
  var message: String
}

/// A strict JSON reader (RFC 8259) that says where a malformed or truncated text goes wrong.
///
/// Foundation's `JSONDecoder` reports any syntax error, and a number it cannot convert, as
/// "not valid JSON" with no position; instrument files are read here instead, then decoded
/// from the tree by `JSONValueDecoder`, which names the JSON path of every field it refuses.
///
/// Accepted beyond the RFC: a UTF-8 byte-order mark. Refused, with line and column: anything
/// after the value, duplicate keys in an object, strings that are not UTF-8 or hold a lone
/// surrogate or a raw control character, and nesting deeper than `maximumDepth` (so that no
/// input can exhaust the stack).
struct JSONDocument {
  /// Arrays and objects nested deeper than this are refused. An instrument file nests 5 deep.
  static let maximumDepth = 64

  private let bytes: [UInt8]
  private var position = 0

  private init(_ bytes: [UInt8]) {
    self.bytes = bytes
  }

  /// Parses `bytes` as one JSON value.
  ///
  /// - Throws: `JSONSyntaxError` at the first byte that does not fit the grammar.
  static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
    var reader = JSONDocument(bytes)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.position = 3 }
    reader.skipSpace()
    let value = try reader.value(depth: 0)
    reader.skipSpace()
    guard reader.position == bytes.count else {
      throw reader.error("unexpected \(reader.found) after the end of the JSON value")
    }
    return value
  }

  // MARK: Grammar

  private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    guard position < bytes.count else {
      throw error("the file ends where a value was expected (is it truncated?)")
    }
    switch bytes[position] {
    case UInt8(ascii: "{"): return try object(depth: depth + 1)
    case UInt8(ascii: "["): return try array(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    default:
      throw error(
        "expected a value (object, array, string, number, true, false or null), found \(found)")
    }
  }

  private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    guard depth <= JSONDocument.maximumDepth else {
      throw error("objects and arrays nest deeper than \(JSONDocument.maximumDepth) levels")
    }
    position += 1
    var members: [String: JSONValue] = [:]
    skipSpace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
      position += 1
      return .object(members)
    }
    while true {
      skipSpace()
      guard position < bytes.count else {
        throw error("the file ends inside an object (is it truncated?)")
      }
      guard bytes[position] == UInt8(ascii: "\"") else {
        throw error("expected a key in double quotes, found \(found)")
      }
      let keyStart = position
      let key = try string()
      skipSpace()
      guard position < bytes.count else {
        throw error("the file ends inside an object (is it truncated?)")
      }
      guard bytes[position] == UInt8(ascii: ":") else {
        throw error("expected ':' after the key \"\(key)\", found \(found)")
      }
      position += 1
      skipSpace()
      let member = try value(depth: depth)
      guard members.updateValue(member, forKey: key) == nil else {
        throw error("the key \"\(key)\" appears twice in one object", at: keyStart)
      }
      skipSpace()
      guard position < bytes.count else {
        throw error("the file ends inside an object (is it truncated?)")
      }
      switch bytes[position] {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "}"):
        position += 1
        return .object(members)
      default: throw error("expected ',' or '}' after a member of an object, found \(found)")
      }
    }
  }

  private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    guard depth <= JSONDocument.maximumDepth else {
      throw error("objects and arrays nest deeper than \(JSONDocument.maximumDepth) levels")
    }
    position += 1
    var elements: [JSONValue] = []
    skipSpace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
      position += 1
      return .array(elements)
    }
    while true {
      skipSpace()
      elements.append(try value(depth: depth))
      skipSpace()
      guard position < bytes.count else {
        throw error("the file ends inside an array (is it truncated?)")
      }
      switch bytes[position] {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "]"):
        position += 1
        return .array(elements)
      default: throw error("expected ',' or ']' after an element of an array, found \(found)")
      }
    }
  }

  private mutating func literal(_ word: String) throws(JSONSyntaxError) {
    let expected = Array(word.utf8)
    guard bytes.count - position >= expected.count,
      bytes[position..<position + expected.count].elementsEqual(expected)
    else {
      throw error("expected \(word), found \(found)")
    }
    position += expected.count
  }

  /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  private mutating func number() throws(JSONSyntaxError) -> String {
    let start = position
    func digits(_ reader: inout JSONDocument) -> Int {
      let first = reader.position
      while reader.position < reader.bytes.count,
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.position])
      {
        reader.position += 1
      }
      return reader.position - first
    }
    if bytes[position] == UInt8(ascii: "-") { position += 1 }
    guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position])
    else {
      throw error("expected a digit in a number, found \(found)")
    }
    if bytes[position] == UInt8(ascii: "0") {
      position += 1
      if position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
        throw error("a number may not start with 0 followed by digits")
      }
    } else {
      _ = digits(&self)
    }
    if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
      position += 1
      guard digits(&self) > 0 else {
        throw error("expected a digit after the decimal point, found \(found)")
      }
    }
    if position < bytes.count,
      bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")
    {
      position += 1
      if position < bytes.count,
        bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
      {
        position += 1
      }
      guard digits(&self) > 0 else {
        throw error("expected a digit in the exponent, found \(found)")
      }
    }
    return String(decoding: bytes[start..<position], as: UTF8.self)
  }

  private mutating func string() throws(JSONSyntaxError) -> String {
    let start = position
    position += 1
    var text: [UInt8] = []
    while true {
      guard position < bytes.count else {
        throw error("the file ends inside a string (is it truncated?)")
      }
      let byte = bytes[position]
      switch byte {
      case UInt8(ascii: "\""):
        position += 1
        guard let string = String(validating: text, as: UTF8.self) else {
          throw error("the string is not valid UTF-8", at: start)
        }
        return string
      case UInt8(ascii: "\\"):
        position += 1
        guard position < bytes.count else {
          throw error("the file ends inside a string (is it truncated?)")
        }
        let escape = bytes[position]
        position += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"): text.append(contentsOf: try unicodeEscape())
        default:
          position -= 1
          throw error("unknown escape '\\\(Character(Unicode.Scalar(escape)))' in a string")
        }
      case 0..<0x20:
        throw error("a control character (code \(byte)) inside a string must be escaped")
      default:
        text.append(byte)
        position += 1
      }
    }
  }

  /// The UTF-8 bytes of `\uXXXX` (after the `u`), or of a surrogate pair `\uD83D\uDE00`.
  private mutating func unicodeEscape() throws(JSONSyntaxError) -> [UInt8] {
    let escapeStart = position - 2
    let first = try hexQuad()
    var scalarValue = first
    if (0xD800...0xDBFF).contains(first) {
      guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"),
        bytes[position + 1] == UInt8(ascii: "u")
      else {
        throw error(
          "a high surrogate \\u escape must be followed by a low surrogate", at: escapeStart)
      }
      position += 2
      let second = try hexQuad()
      guard (0xDC00...0xDFFF).contains(second) else {
        throw error(
          "a high surrogate \\u escape must be followed by a low surrogate", at: escapeStart)
      }
      scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
    } else if (0xDC00...0xDFFF).contains(first) {
      throw error("a low surrogate \\u escape without a high surrogate before it", at: escapeStart)
    }
    // Proof that this cannot fail: scalarValue is below 0xD800, above 0xDFFF and at most
    // 0xFFFF, or a combined pair in 0x10000...0x10FFFF; all are Unicode scalar values.
    guard let scalar = Unicode.Scalar(scalarValue) else {
      throw error("not a Unicode scalar", at: escapeStart)
    }
    return Array(String(Character(scalar)).utf8)
  }

  private mutating func hexQuad() throws(JSONSyntaxError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard position < bytes.count else {
        throw error("the file ends inside a \\u escape (is it truncated?)")
      }
      let byte = bytes[position]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw error("expected four hexadecimal digits after \\u, found \(found)")
      }
      value = value * 16 + UInt32(digit)
      position += 1
    }
    return value
  }

  private mutating func skipSpace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0A, 0x0D: position += 1
      default: return
      }
    }
  }

  // MARK: Messages

  /// The byte at the position, in words.
  private var found: String {
    guard position < bytes.count else { return "the end of the file" }
    let byte = bytes[position]
    if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    return "the byte 0x\(String(byte, radix: 16, uppercase: true))"
  }

  private func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
    let (line, column) = JSONDocument.location(of: min(offset ?? position, bytes.count), in: bytes)
    return JSONSyntaxError(line: line, column: column, message: message)
  }

  /// Line and column (both from 1, the column in characters) of the byte at `offset`.
  static func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
    var line = 1
    var column = 1
    for byte in bytes[0..<offset] {
      if byte == 0x0A {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return (line, column)
  }
}
