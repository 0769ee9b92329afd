import Foundation
import Testing

@testable import CalibCore

/// A value with every shape a report has: numbers, text, flags, optionals present and
/// absent, nil written as null, nested objects, arrays of arrays, keys out of order,
/// dictionaries and empty containers.
private struct Sample: Encodable {
  struct Inner: Encodable {
    var zeta: Double
    var alpha: [Double]
    var p_value: Int?
    var pValue: Bool
  }
  var text: String
  var numbers: [Double]
  var grid: [[Double]]
  var flag: Bool
  var count: Int
  var absent: Double?
  var inner: Inner
  var byName: [String: Double]
  var empty: [Int]
  var emptyObject: [String: Int]
  var single: Float

  enum CodingKeys: String, CodingKey {
    case text, numbers, grid, flag, count, absent, inner, empty, single
    case byName = "by_name"
    case emptyObject = "empty_object"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(text, forKey: .text)
    try container.encode(numbers, forKey: .numbers)
    try container.encode(grid, forKey: .grid)
    try container.encode(flag, forKey: .flag)
    try container.encode(count, forKey: .count)
    try container.encode(absent, forKey: .absent)
    try container.encode(inner, forKey: .inner)
    try container.encode(byName, forKey: .byName)
    try container.encode(empty, forKey: .empty)
    try container.encode(emptyObject, forKey: .emptyObject)
    try container.encode(single, forKey: .single)
  }
}

/// Foundation's bytes for `value` with the options the reports use: the reference of the
/// project's own JSON writers.
func foundationJSON(_ value: some Encodable) throws -> [UInt8] {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  return Array(try encoder.encode(value))
}

@Suite("The compact JSON encoder writes JSONEncoder's bytes")
struct CompactJSONEncoderTests {

  @Test("strings: quotes, backslashes, slashes, control characters, non-ASCII")
  func strings() throws {
    var texts = [
      "", "plain", "a\"b", "back\\slash", "a/b", "tab\there", "line\nbreak\r\n", "é ü 中文 🧪",
      "\u{7F}del", "bell\u{07}", "\u{0}nul",
    ]
    texts += (0..<32).map { String(UnicodeScalar(UInt8($0))) + "x" }
    for text in texts {
      #expect(
        try CompactJSONEncoder().encode(text) == (try foundationJSON(text)),
        "\(text.debugDescription)")
      #expect(try CompactJSONEncoder().encode([text: text]) == (try foundationJSON([text: text])))
    }
  }

  @Test("numbers: 100 000 doubles from random bits, whole numbers, ±0, extremes")
  func numbers() throws {
    var generator = SystemRandomNumberGenerator()
    var values: [Double] = [
      0, -0.0, 1, -1, 2, 10, 1e16, 1e-5, 0.1, 123456789012345680, .ulpOfOne,
      .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, 5e-324, 1e300,
      0.30000000000000004, 4.35, 1e21, 1e22, 12345678.0,
    ]
    while values.count < 100_000 {
      let value = Double(bitPattern: generator.next())
      if value.isFinite { values.append(value) }
    }
    for chunk in stride(from: 0, to: values.count, by: 1000) {
      let slice = Array(values[chunk..<min(chunk + 1000, values.count)])
      #expect(try CompactJSONEncoder().encode(slice) == (try foundationJSON(slice)))
    }
    let integers = [0, 1, -1, Int.max, Int.min, 42]
    #expect(try CompactJSONEncoder().encode(integers) == (try foundationJSON(integers)))
  }

  @Test("nested objects, sorted keys, optionals, dictionaries, empty containers")
  func structure() throws {
    let sample = Sample(
      text: "s1", numbers: [0.5, 2, -3.25e-7], grid: [[0], [2, 4], []], flag: true, count: 3,
      absent: nil,
      inner: Sample.Inner(zeta: 1, alpha: [1e-300], p_value: nil, pValue: false),
      byName: ["x2": 1.5, "x10": 2, "X1": 3, "_a": 4], empty: [], emptyObject: [:],
      single: 0.1)
    let compact = try CompactJSONEncoder().encode(sample)
    #expect(compact == (try foundationJSON(sample)), "\(String(decoding: compact, as: UTF8.self))")
  }

  @Test("a NaN is refused with its coding path, as JSONEncoder refuses it")
  func nonFinite() throws {
    let sample = Sample(
      text: "s", numbers: [1, .nan], grid: [], flag: false, count: 0, absent: nil,
      inner: Sample.Inner(zeta: 0, alpha: [], p_value: 1, pValue: true), byName: [:],
      empty: [], emptyObject: [:], single: 1)
    var compactPath: [String]?
    var foundationPath: [String]?
    do { _ = try CompactJSONEncoder().encode(sample) } catch EncodingError.invalidValue(
      _, let context)
    {
      compactPath = context.codingPath.map(\.stringValue)
    }
    do { _ = try foundationJSON(sample) } catch EncodingError.invalidValue(_, let context) {
      foundationPath = context.codingPath.map(\.stringValue)
    }
    #expect(compactPath == ["numbers", "Index 1"])
    #expect(compactPath == foundationPath)
  }
}
