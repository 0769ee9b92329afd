import Foundation

/// A JSON value, decoded so that booleans, numbers and null stay distinct.
indirect enum JSONValue: Decodable, Equatable {
  case null, bool(Bool), number(Double), string(String), array([JSONValue]), object(
    [String: JSONValue])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let b = try? container.decode(Bool.self) {
      self = .bool(b)
    } else if let n = try? container.decode(Double.self) {
      self = .number(n)
    } else if let s = try? container.decode(String.self) {
      self = .string(s)
    } else if let a = try? container.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  static func parse(_ bytes: [UInt8]) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
  }
}

/// The subset of JSON Schema (draft 2020-12) that calib's schemas in docs/schemas use:
/// type (one or a list), const, enum, required, properties, additionalProperties,
/// propertyNames, items, minItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
/// pattern, anyOf, and $ref to `#/$defs/…` in the same or a sibling schema file. A keyword
/// outside the subset makes validation fail, so a schema cannot silently go unchecked.
struct JSONSchemaValidator {
  let folder: URL
  private var documents: [String: JSONValue] = [:]

  init(folder: URL) throws {
    self.folder = folder
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path)
    where name.hasSuffix(".schema.json") {
      documents[name] = try JSONValue.parse(
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(name))))
    }
  }

  /// The problems of `value` against a schema file, or a definition in one
  /// (`report.schema.json#/$defs/observation`); empty when it is valid.
  func validate(_ value: JSONValue, against reference: String) -> [String] {
    let file = String(reference.split(separator: "#")[0])
    var problems: [String] = []
    check(value, .object(["$ref": .string(reference)]), in: file, path: "$", problems: &problems)
    return problems
  }

  private static let known: Set<String> = [
    "$schema", "$id", "title", "description", "$defs", "type", "const", "enum", "required",
    "properties",
    "additionalProperties", "propertyNames", "items", "minItems", "minimum", "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum", "pattern", "anyOf", "$ref",
  ]

  private func check(
    _ value: JSONValue, _ schema: JSONValue, in file: String, path: String, problems: inout [String]
  ) {
    guard case .object(let keywords) = schema else {
      problems.append("\(path): schema is not an object"); return
    }
    for key in keywords.keys where !Self.known.contains(key) {
      problems.append("\(path): unsupported keyword \(key)")
    }
    if case .string(let reference)? = keywords["$ref"] {
      let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
      let target = parts[0].isEmpty ? file : String(parts[0])
      var node = documents[target] ?? .null
      for component in parts.count > 1 ? parts[1].split(separator: "/") : [] {
        if case .object(let o) = node { node = o[String(component)] ?? .null }
      }
      if node == .null { problems.append("\(path): unresolved $ref \(reference)"); return }
      check(value, node, in: target, path: path, problems: &problems)
    }
    if let types = keywords["type"] {
      let allowed: [String]
      switch types {
      case .string(let t): allowed = [t]
      case .array(let list):
        allowed = list.compactMap { if case .string(let t) = $0 { return t } else { return nil } }
      default: allowed = []
      }
      if !allowed.contains(where: { Self.has(value, type: $0) }) {
        problems.append("\(path): expected \(allowed), found \(value)")
      }
    }
    if let constant = keywords["const"], constant != value {
      problems.append("\(path): expected \(constant)")
    }
    if case .array(let options)? = keywords["enum"], !options.contains(value) {
      problems.append("\(path): \(value) not in enum")
    }
    if case .array(let alternatives)? = keywords["anyOf"] {
      let passes = alternatives.contains { alternative in
        var inner: [String] = []
        check(value, alternative, in: file, path: path, problems: &inner)
        return inner.isEmpty
      }
      if !passes { problems.append("\(path): matches no alternative of anyOf") }
    }
    if case .number(let n) = value {
      if case .number(let m)? = keywords["minimum"], n < m {
        problems.append("\(path): \(n) < minimum \(m)")
      }
      if case .number(let m)? = keywords["maximum"], n > m {
        problems.append("\(path): \(n) > maximum \(m)")
      }
      if case .number(let m)? = keywords["exclusiveMinimum"], n <= m {
        problems.append("\(path): \(n) ≤ \(m)")
      }
      if case .number(let m)? = keywords["exclusiveMaximum"], n >= m {
        problems.append("\(path): \(n) ≥ \(m)")
      }
    }
    if case .string(let s) = value, case .string(let pattern)? = keywords["pattern"],
      s.range(of: pattern, options: .regularExpression) == nil
    {
      problems.append("\(path): '\(s)' does not match \(pattern)")
    }
    if case .array(let elements) = value {
      if case .number(let m)? = keywords["minItems"], Double(elements.count) < m {
        problems.append("\(path): fewer than \(m) items")
      }
      if let items = keywords["items"] {
        for (k, element) in elements.enumerated() {
          check(element, items, in: file, path: "\(path)[\(k)]", problems: &problems)
        }
      }
    }
    if case .object(let members) = value {
      if case .array(let required)? = keywords["required"] {
        for case .string(let key) in required where members[key] == nil {
          problems.append("\(path): missing \(key)")
        }
      }
      let properties: [String: JSONValue]
      if case .object(let p)? = keywords["properties"] { properties = p } else { properties = [:] }
      for (key, member) in members {
        if let property = properties[key] {
          check(member, property, in: file, path: "\(path).\(key)", problems: &problems)
        } else if let additional = keywords["additionalProperties"] {
          if additional == .bool(false) {
            problems.append("\(path): unexpected property \(key)")
          } else if case .object = additional {
            check(member, additional, in: file, path: "\(path).\(key)", problems: &problems)
          }
        }
        if let names = keywords["propertyNames"] {
          check(.string(key), names, in: file, path: "\(path).\(key) (name)", problems: &problems)
        }
      }
    }
  }

  private static func has(_ value: JSONValue, type: String) -> Bool {
    switch (type, value) {
    case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string),
      ("array", .array), ("object", .object):
      return true
    case ("integer", .number(let n)):
      return n == n.rounded()
    default:
      return false
    }
  }
}
