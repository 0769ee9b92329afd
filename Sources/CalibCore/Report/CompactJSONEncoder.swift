/// Encodes a value as one line of JSON, byte for byte as Foundation's `JSONEncoder` does with
/// `[.sortedKeys, .withoutEscapingSlashes]`, written straight into a byte buffer.
///
/// `JSONEncoder` builds a tree of boxed values, sorts each object's keys through it and then
/// writes it out: for a measurement report of about 60 numbers that took more time than the
/// measurement itself. Here each object's members are written as they come, and reordered by
/// key (UTF-8 byte order, as `JSONEncoder` sorts) when the object closes.
///
/// The bytes: no whitespace; keys sorted; a `Double` in its shortest round-trip form without a
/// trailing `.0` (`2`, `0.5`, `1e-05`), NaN and infinities refused; strings with `"`, `\`
/// and the control characters escaped (`\n`, `\t`, `\r`, `\b`, `\f`, else `\u00XX`), `/` and
/// non-ASCII text as they are.
package struct CompactJSONEncoder {
  /// An encoder; it keeps no state between values.
  package init() {}

  /// The JSON of `value`.
  ///
  /// - Throws: `EncodingError.invalidValue` for a NaN or infinite number, with its coding
  ///   path.
  package func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
    let sink = JSONSink()
    try sink.write(value)
    sink.closeFrames(above: 0)
    return sink.bytes
  }
}

/// The buffer and the open containers of one encoding.
///
/// The state lives behind a pointer: every access to a class's stored `var` is checked for
/// exclusivity at run time, and the writer touches its buffer a few hundred times a report.
private final class JSONSink: Encoder {
  private struct State {
    var bytes: [UInt8] = []
    /// The open containers, innermost last.
    var frames: [Frame] = []
    /// The members of every open object, object after object: each one's key and where it
    /// starts (after its comma). One array for all, so that an object allocates nothing.
    var members: [(key: String, start: Int)] = []
    /// Where an object's members are copied while they are put in key order.
    var scratch: [UInt8] = []
    /// The keys and indices down to the value being written, for the coding path of errors.
    var path: [any CodingKey] = []
  }

  /// An open object or array: where it starts (after its bracket), its element count, and
  /// for an object where its members begin in `members` and whether they came in key order.
  private struct Frame {
    var isObject: Bool
    var start: Int
    var firstMember: Int
    var count = 0
    var sorted = true
  }

  private let state: UnsafeMutablePointer<State>

  init() {
    state = .allocate(capacity: 1)
    state.initialize(to: State())
    state.pointee.bytes.reserveCapacity(4096)
    state.pointee.members.reserveCapacity(64)
  }

  deinit {
    state.deinitialize(count: 1)
    state.deallocate()
  }

  /// The bytes written so far.
  var bytes: [UInt8] { state.pointee.bytes }

  var codingPath: [any CodingKey] { state.pointee.path }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    KeyedEncodingContainer(KeyedContainer<Key>(sink: self, frame: open(object: true)))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    UnkeyedContainer(sink: self, frame: open(object: false))
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    SingleValueContainer(sink: self)
  }

  // MARK: - Containers

  /// Opens an object or an array at the current position; its index among the frames.
  private func open(object: Bool) -> Int {
    state.pointee.bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
    state.pointee.frames.append(
      Frame(
        isObject: object, start: state.pointee.bytes.count, firstMember: state.pointee.members.count
      ))
    return state.pointee.frames.count - 1
  }

  /// Closes every frame above `depth` (the frames a value opened once it is written, or
  /// those a nested container left open when its parent writes again): an array gets its
  /// bracket; an object whose members did not come in key order has them put in order, and
  /// it gets its brace.
  func closeFrames(above depth: Int) {
    while state.pointee.frames.count > depth {
      let frame = state.pointee.frames.removeLast()
      guard frame.isObject else {
        state.pointee.bytes.append(UInt8(ascii: "]"))
        continue
      }
      if !frame.sorted { reorder(frame) }
      state.pointee.members.removeSubrange(frame.firstMember...)
      state.pointee.bytes.append(UInt8(ascii: "}"))
    }
  }

  /// Rewrites the members of the object `frame` in key order (UTF-8 bytes, as JSONEncoder
  /// sorts), with commas between them.
  private func reorder(_ frame: Frame) {
    let own = state.pointee.members[frame.firstMember...]
    let order = own.indices.sorted { own[$0].key.utf8.lexicographicallyPrecedes(own[$1].key.utf8) }
    state.pointee.scratch.removeAll(keepingCapacity: true)
    state.pointee.scratch.append(contentsOf: state.pointee.bytes[frame.start...])
    state.pointee.bytes.removeSubrange(frame.start...)
    for (n, k) in order.enumerated() {
      if n > 0 { state.pointee.bytes.append(UInt8(ascii: ",")) }
      let lower = own[k].start - frame.start
      // A member ends at the comma before the next one, or at the object's end.
      let upper =
        k + 1 < own.endIndex ? own[k + 1].start - frame.start - 1 : state.pointee.scratch.count
      state.pointee.bytes.append(contentsOf: state.pointee.scratch[lower..<upper])
    }
  }

  /// Starts member `key` of the object at `frame`: `"key":`, the value to follow.
  func beginMember(_ key: String, frame: Int) {
    closeFrames(above: frame + 1)
    if state.pointee.frames[frame].count > 0 {
      state.pointee.bytes.append(UInt8(ascii: ","))
      if let last = state.pointee.members.last, !last.key.utf8.lexicographicallyPrecedes(key.utf8) {
        state.pointee.frames[frame].sorted = false
      }
    }
    state.pointee.frames[frame].count += 1
    state.pointee.members.append((key, state.pointee.bytes.count))
    writeString(key)
    state.pointee.bytes.append(UInt8(ascii: ":"))
  }

  /// Starts the next element of the array at `frame`.
  func beginElement(frame: Int) {
    closeFrames(above: frame + 1)
    if state.pointee.frames[frame].count > 0 { state.pointee.bytes.append(UInt8(ascii: ",")) }
    state.pointee.frames[frame].count += 1
  }

  /// The number of elements of the array at `frame` so far.
  func elementCount(frame: Int) -> Int { state.pointee.frames[frame].count }

  // MARK: - Values

  /// Writes `value` at the current position, with `key` on the coding path meanwhile.
  func write<Value: Encodable>(_ value: Value, key: (any CodingKey)? = nil) throws {
    if let key { state.pointee.path.append(key) }
    defer { if key != nil { state.pointee.path.removeLast() } }
    // Comparing metatypes is a pointer comparison; a dynamic cast (`as?`) per value cost
    // more than writing it.
    if Value.self == Double.self {
      try writeNumber(unsafeBitCast(value, to: Double.self))
    } else if Value.self == String.self {
      writeString(unsafeBitCast(value, to: String.self))
    } else if Value.self == Int.self {
      writeInteger(unsafeBitCast(value, to: Int.self))
    } else if Value.self == Bool.self {
      writeBool(unsafeBitCast(value, to: Bool.self))
    } else {
      let depth = state.pointee.frames.count
      try value.encode(to: self)
      closeFrames(above: depth)
    }
  }

  /// A `Double` or `Float` in its shortest round-trip form without a trailing `.0`; NaN and
  /// the infinities refused.
  func writeNumber<Number: BinaryFloatingPoint & TextOutputStreamable>(
    _ value: Number
  ) throws {
    guard value.isFinite else {
      throw EncodingError.invalidValue(
        value,
        EncodingError.Context(
          codingPath: state.pointee.path,
          debugDescription: "Unable to encode \(value) directly in JSON."))
    }
    appendJSONNumber(value, to: &state.pointee.bytes)
  }

  func writeInteger(_ value: some FixedWidthInteger) {
    state.pointee.bytes.append(contentsOf: value.description.utf8)
  }

  func writeBool(_ value: Bool) {
    state.pointee.bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
  }

  func writeNull() {
    state.pointee.bytes.append(contentsOf: "null".utf8)
  }

  func writeString(_ text: String) { appendJSONString(text, to: &state.pointee.bytes) }
}

/// The members of one object.
private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let sink: JSONSink
  let frame: Int
  var codingPath: [any CodingKey] { sink.codingPath }

  mutating func encodeNil(forKey key: Key) throws {
    sink.beginMember(key.stringValue, frame: frame)
    sink.writeNull()
  }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    sink.beginMember(key.stringValue, frame: frame)
    try sink.write(value, key: key)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    sink.beginMember(key.stringValue, frame: frame)
    return sink.container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    sink.beginMember(key.stringValue, frame: frame)
    return sink.unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    sink.beginMember("super", frame: frame)
    return sink
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    sink.beginMember(key.stringValue, frame: frame)
    return sink
  }
}

/// The elements of one array.
private struct UnkeyedContainer: UnkeyedEncodingContainer {
  let sink: JSONSink
  let frame: Int
  var codingPath: [any CodingKey] { sink.codingPath }
  var count: Int { sink.elementCount(frame: frame) }

  mutating func encodeNil() throws {
    sink.beginElement(frame: frame)
    sink.writeNull()
  }

  mutating func encode<T: Encodable>(_ value: T) throws {
    sink.beginElement(frame: frame)
    try sink.write(value, key: ElementIndex(intValue: count - 1))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type
  ) -> KeyedEncodingContainer<NestedKey> {
    sink.beginElement(frame: frame)
    return sink.container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    sink.beginElement(frame: frame)
    return sink.unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    sink.beginElement(frame: frame)
    return sink
  }
}

/// A single value: written where it stands.
private struct SingleValueContainer: SingleValueEncodingContainer {
  let sink: JSONSink
  var codingPath: [any CodingKey] { sink.codingPath }

  mutating func encodeNil() throws { sink.writeNull() }
  mutating func encode(_ value: Bool) throws { sink.writeBool(value) }
  mutating func encode(_ value: String) throws { sink.writeString(value) }
  mutating func encode(_ value: Double) throws { try sink.writeNumber(value) }
  mutating func encode(_ value: Float) throws { try sink.writeNumber(value) }
  mutating func encode(_ value: Int) throws { sink.writeInteger(value) }
  mutating func encode(_ value: Int8) throws { sink.writeInteger(value) }
  mutating func encode(_ value: Int16) throws { sink.writeInteger(value) }
  mutating func encode(_ value: Int32) throws { sink.writeInteger(value) }
  mutating func encode(_ value: Int64) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt8) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt16) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt32) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt64) throws { sink.writeInteger(value) }
  mutating func encode<T: Encodable>(_ value: T) throws { try sink.write(value) }
}

/// An array index on the coding path.
private struct ElementIndex: CodingKey {
  var stringValue: String { "Index \(index)" }
  var intValue: Int? { index }
  let index: Int
  init(intValue: Int) { index = intValue }
  init?(stringValue: String) { nil }
}
