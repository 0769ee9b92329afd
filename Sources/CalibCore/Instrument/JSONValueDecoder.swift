/// A field of a JSON document that is missing or not of the type expected, named by its
/// JSON path (`$.model.predictors[0]`).
struct JSONFieldError: Error, Equatable {
  /// The JSON path of the field, from `$` (the document).
  var path: String
  /// What was expected and what was found.
  var message: String
}

/// The JSON path of a coding path: `$`, then `.key` or `[index]` per step.
func jsonPath(_ codingPath: [any CodingKey]) -> String {
  "$" + codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
}

/// A `Decoder` over a `JSONValue` tree: `Codable` types decode from it as from
/// `JSONDecoder`, and every refusal is a `JSONFieldError` naming the JSON path of the field.
///
/// Numbers: a `Double` must be finite (a literal beyond ±1.8e308 is refused, not read as
/// infinity); an integer must be written as one (no fraction or exponent) and fit its type.
/// Keys the type does not know are ignored, so that later versions may add fields.
struct JSONValueDecoder: Decoder {
  let value: JSONValue
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(_ value: JSONValue, codingPath: [any CodingKey] = []) {
    self.value = value
    self.codingPath = codingPath
  }

  /// Decodes `type` from `value`.
  ///
  /// - Throws: `JSONFieldError` for the first field that is missing or of the wrong type.
  static func decode<T: Decodable>(
    _ type: T.Type, from value: JSONValue
  ) throws(JSONFieldError)
    -> T
  {
    do {
      return try T(from: JSONValueDecoder(value))
    } catch let error as JSONFieldError {
      throw error
    } catch DecodingError.dataCorrupted(let context) {
      // A value of the right JSON type that the type refuses: an enumeration's unknown case.
      throw JSONFieldError(
        path: jsonPath(context.codingPath),
        message: "not a value calib reads here: \(context.debugDescription)")
    } catch {
      // The types decoded here are calib's own records; their initializers throw only what
      // the containers below throw. Anything else is still reported, at the document.
      throw JSONFieldError(path: "$", message: "\(error)")
    }
  }

  func mismatch(_ expected: String) -> JSONFieldError {
    JSONFieldError(path: jsonPath(codingPath), message: "expected \(expected), found \(value.kind)")
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let members) = value else { throw mismatch("an object") }
    return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard case .array(let elements) = value else { throw mismatch("an array") }
    return UnkeyedContainer(elements: elements, codingPath: codingPath)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}

extension JSONValueDecoder: SingleValueDecodingContainer {
  func decodeNil() -> Bool {
    if case .null = value { return true }
    return false
  }

  func decode(_ type: Bool.Type) throws -> Bool {
    guard case .bool(let flag) = value else { throw mismatch("true or false") }
    return flag
  }

  func decode(_ type: String.Type) throws -> String {
    guard case .string(let text) = value else { throw mismatch("a string") }
    return text
  }

  func decode(_ type: Double.Type) throws -> Double {
    guard case .number(let text) = value else { throw mismatch("a number") }
    // The text is a JSON number (checked by JSONDocument), which Double's parser reads, to
    // the nearest double; beyond the largest double it gives ±infinity, refused here.
    guard let number = Double(text), number.isFinite else {
      throw JSONFieldError(
        path: jsonPath(codingPath),
        message: "the number \(text.prefix(40)) is beyond the range of a double")
    }
    return number
  }

  func decode(_ type: Float.Type) throws -> Float {
    let number = try decode(Double.self)
    guard Swift.abs(number) <= Double(Float.greatestFiniteMagnitude) else {
      throw mismatch("a number within the range of a float")
    }
    return Float(number)
  }

  func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
    guard case .number(let text) = value,
      !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
    else {
      throw mismatch("an integer")
    }
    guard let number = T(text) else {
      throw JSONFieldError(
        path: jsonPath(codingPath),
        message: "the integer \(text.prefix(40)) is beyond the range of \(T.self)")
    }
    return number
  }

  func decode(_ type: Int.Type) throws -> Int { try integer(type) }
  func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
  func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
  func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
  func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
  func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

  /// A value of `type`; for an enumeration of the file (`NamedCases`) that refuses the value,
  /// the values it reads, named at the field.
  func decode<T: Decodable>(_ type: T.Type) throws -> T {
    guard let named = T.self as? any NamedCases.Type else { return try T(from: self) }
    do {
      return try T(from: self)
    } catch DecodingError.dataCorrupted {
      var found = value.kind
      if case .string(let text) = value { found = "\"\(text.prefix(40))\"" }
      let names = named.caseNames.map { "\"\($0)\"" }.joined(separator: ", ")
      throw JSONFieldError(
        path: jsonPath(codingPath), message: "expected one of \(names), found \(found)")
    }
  }
}

/// The members of an object.
private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let members: [String: JSONValue]
  let codingPath: [any CodingKey]

  var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

  func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

  /// The decoder of the member `key`.
  func member(_ key: Key) throws -> JSONValueDecoder {
    guard let value = members[key.stringValue] else {
      throw JSONFieldError(
        path: jsonPath(codingPath + [key]), message: "missing (a required field)")
    }
    return JSONValueDecoder(value, codingPath: codingPath + [key])
  }

  func decodeNil(forKey key: Key) throws -> Bool { try member(key).decodeNil() }
  func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try member(key).decode(type) }
  func decode(_ type: String.Type, forKey key: Key) throws -> String {
    try member(key).decode(type)
  }
  func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
    try member(key).decode(type)
  }
  func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try member(key).decode(type) }
  func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try member(key).decode(type) }
  func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try member(key).decode(type) }
  func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try member(key).decode(type) }
  func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try member(key).decode(type) }
  func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try member(key).decode(type) }
  func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try member(key).decode(type) }
  func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try member(key).decode(type) }
  func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
    try member(key).decode(type)
  }
  func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
    try member(key).decode(type)
  }
  func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
    try member(key).decode(type)
  }
  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try member(key).decode(type)
  }

  func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type, forKey key: Key
  ) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try member(key).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try member(key).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder {
    JSONValueDecoder(.object(members), codingPath: codingPath)
  }

  func superDecoder(forKey key: Key) throws -> any Decoder { try member(key) }
}

/// The elements of an array, in order.
private struct UnkeyedContainer: UnkeyedDecodingContainer {
  let elements: [JSONValue]
  let codingPath: [any CodingKey]
  var currentIndex = 0

  init(elements: [JSONValue], codingPath: [any CodingKey]) {
    self.elements = elements
    self.codingPath = codingPath
  }

  var count: Int? { elements.count }
  var isAtEnd: Bool { currentIndex >= elements.count }

  /// An array index as a coding key.
  struct Index: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
  }

  /// The decoder of the next element, advancing past it.
  mutating func next() throws -> JSONValueDecoder {
    guard currentIndex < elements.count else {
      throw JSONFieldError(
        path: jsonPath(codingPath),
        message: "expected more elements than the \(elements.count) given")
    }
    defer { currentIndex += 1 }
    return JSONValueDecoder(
      elements[currentIndex], codingPath: codingPath + [Index(intValue: currentIndex)])
  }

  mutating func decodeNil() throws -> Bool {
    guard currentIndex < elements.count, case .null = elements[currentIndex] else { return false }
    currentIndex += 1
    return true
  }

  mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decode(type) }
  mutating func decode(_ type: String.Type) throws -> String { try next().decode(type) }
  mutating func decode(_ type: Double.Type) throws -> Double { try next().decode(type) }
  mutating func decode(_ type: Float.Type) throws -> Float { try next().decode(type) }
  mutating func decode(_ type: Int.Type) throws -> Int { try next().decode(type) }
  mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decode(type) }
  mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decode(type) }
  mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decode(type) }
  mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decode(type) }
  mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decode(type) }
  mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decode(type) }
  mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decode(type) }
  mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decode(type) }
  mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decode(type) }
  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type
  ) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try next().container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    try next().unkeyedContainer()
  }

  mutating func superDecoder() throws -> any Decoder { try next() }
}
