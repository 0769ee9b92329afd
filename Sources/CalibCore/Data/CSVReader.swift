import Crypto

/// A streaming reader of comma-separated values (RFC 4180) that knows where every field came
/// from, so that each complaint names its line and column.
///
/// Accepted: a header line naming the columns, quoted fields (with `""` for a quote, and
/// commas and line breaks inside), LF or CRLF line ends, a UTF-8 byte-order mark, no final
/// line end, and blank lines at the end. Rejected, with the line and column: a quote inside
/// an unquoted field, text after a closing quote, an unterminated quote, a record whose
/// number of fields differs from the header's, a blank line between records.
///
/// Another delimiter (`;`, a tab) and a decimal comma are chosen with `CSVFormat`.
///
/// Memory stays flat whatever the file's length: one chunk of input and one record are held
/// at a time. The reader also hashes every byte it reads (SHA-256), for provenance.
///
/// Example:
///
///     let reader = try CSVReader(source: MemoryByteSource("x,y\n1,2\n"), name: "cal.csv")
///     let y = try reader.column(named: "y")
///     while try reader.nextRecord() { total += try reader.number(at: y).doubleValue }
package final class CSVReader {
  /// The file's name, for messages.
  package let name: String
  /// How fields are separated and decimals written.
  package let format: CSVFormat
  /// The column names from the header line, trimmed of spaces.
  package private(set) var header: [String] = []
  /// The line on which the current record starts (from 1).
  package private(set) var line = 0
  /// The column where each header name starts.
  private var headerColumns: [Int] = []

  private var source: any ByteSource
  private var hasher = SHA256()
  private var chunk = [UInt8](repeating: 0, count: 1 << 16)
  private var chunkCount = 0
  private var chunkPosition = 0
  private var finished = false

  /// The position of the next byte.
  private var nextLine = 1
  private var nextColumn = 1

  /// The current record: its bytes (quotes removed) and where each field lies.
  private var recordBytes: [UInt8] = []
  private var fieldRanges: [Range<Int>] = []
  private var fieldLocations: [(line: Int, column: Int)] = []
  private var fieldQuoted: [Bool] = []
  private var firstBlankLine: Int?

  /// Opens the source and reads the header line.
  ///
  /// - Parameters:
  ///   - source: The bytes.
  ///   - name: The file's name, for messages.
  ///   - format: The delimiter and the decimal separator (default: comma, point).
  /// - Throws: `InputError` when the source is empty or the header is malformed.
  package init(
    source: any ByteSource, name: String, format: CSVFormat = .standard
  ) throws(InputError) {
    self.source = source
    self.name = name
    self.format = format
    try skipByteOrderMark()
    guard try readRecord() else {
      throw InputError(
        file: name, line: 1, column: 1,
        message: "the file is empty; expected a header line naming the columns")
    }
    header = (0..<fieldRanges.count).map { text(at: $0).trimmingSpaces }
    headerColumns = fieldLocations.map(\.column)
  }

  /// Says that the bytes after the header resume at `line` of the file: a source that skips
  /// part of the file (a shard, `CSVShard`) calls it right after `init`, so that every
  /// location the reader reports stays the file's.
  package func resume(atLine line: Int) {
    nextLine = line
    nextColumn = 1
  }

  /// The index of the column called `columnName` in the header.
  ///
  /// - Throws: `InputError` when no column, or more than one, has that name.
  package func column(named columnName: String) throws(InputError) -> Int {
    let matches = header.indices.filter { header[$0] == columnName }
    guard matches.count == 1 else {
      let message =
        matches.isEmpty
        ? "no column named '\(columnName)'; the header has \(header.map { "'\($0)'" }.joined(separator: ", "))"
        : "\(matches.count) columns are named '\(columnName)'; column names must be unique to be chosen"
      throw InputError(
        file: name, line: 1, column: matches.count > 1 ? headerColumns[matches[1]] : 1,
        message: message, hint: matches.isEmpty ? delimiterHint : nil)
    }
    return matches[0]
  }

  /// A suggestion when the header reads as one column that holds another likely delimiter.
  private var delimiterHint: InputError.Hint? {
    guard header.count == 1 else { return nil }
    for byte in [UInt8(ascii: ";"), 0x09, UInt8(ascii: ",")]
    where byte != format.delimiter && header[0].utf8.contains(byte) {
      return .delimiter(
        Character(Unicode.Scalar(byte)), decimalCommaLikely: byte == UInt8(ascii: ";"))
    }
    return nil
  }

  /// Advances to the next record.
  ///
  /// - Returns: false at the end of the input.
  /// - Throws: `InputError` for malformed records.
  package func nextRecord() throws(InputError) -> Bool {
    var problem: InputError?
    guard try nextRecord(fieldCountProblem: &problem) else { return false }
    if let problem { throw problem }
    return true
  }

  /// Advances to the next record, as `nextRecord()`, except that a record whose number of
  /// fields differs from the header's is returned with the problem in `fieldCountProblem`
  /// instead of thrown: the reader stays in step, and the caller may report that one record
  /// and go on. Only the first `fieldCount` fields of such a record can be read.
  ///
  /// - Returns: false at the end of the input.
  /// - Throws: `InputError` for malformed records (quotes, a blank line between records).
  package func nextRecord(fieldCountProblem: inout InputError?) throws(InputError) -> Bool {
    fieldCountProblem = nil
    while try readRecord() {
      if isBlankRecord {
        if firstBlankLine == nil { firstBlankLine = line }
        continue
      }
      if let blank = firstBlankLine {
        throw InputError(
          file: name, line: blank, column: 1,
          message: "blank line between records; remove it or put data on it")
      }
      if fieldRanges.count != header.count {
        let (errorLine, errorColumn) =
          fieldRanges.count > header.count
          ? fieldLocations[header.count]
          : (
            line,
            fieldLocations.last.map { $0.column + fieldRanges[fieldRanges.count - 1].count } ?? 1
          )
        fieldCountProblem = InputError(
          file: name, line: errorLine, column: errorColumn,
          message:
            "this record has \(fieldRanges.count) field\(fieldRanges.count == 1 ? "" : "s"), the header has \(header.count)"
        )
      }
      return true
    }
    return false
  }

  /// The number of fields of the current record (the header's, unless `nextRecord` reported
  /// a field-count problem).
  package var fieldCount: Int { fieldRanges.count }

  /// The SHA-256 of every byte read so far, in hexadecimal: the file's hash once the last
  /// record has been read.
  package var sha256: String { SHA256Digest.hex(hasher.finalize()) }

  /// The text of field `index` of the current record.
  package func text(at index: Int) -> String {
    String(decoding: recordBytes[fieldRanges[index]], as: UTF8.self)
  }

  /// Where field `index` of the current record starts.
  package func location(of index: Int) -> (line: Int, column: Int) {
    fieldLocations[index]
  }

  /// Field `index` of the current record read as a decimal number (see `DecimalNumber`).
  ///
  /// - Throws: `InputError` at the field's line and column when it is not a finite number.
  package func number(at index: Int) throws(InputError) -> DoubleDouble {
    let range = fieldRanges[index]
    let outcome: DecimalNumber.Outcome
    if format.decimalComma {
      outcome = recordBytes.withUnsafeBufferPointer {
        Self.parseDecimalComma(UnsafeBufferPointer(rebasing: $0[range]))
      }
    } else {
      outcome = recordBytes.withUnsafeBufferPointer {
        DecimalNumber.parse(bytes: UnsafeBufferPointer(rebasing: $0[range]))
      }
    }
    switch outcome {
    case .value(let value):
      return value
    case .failure(let failure):
      let (line, column) = fieldLocations[index]
      // A field quoted in a message is cut to 40 characters.
      let whole = text(at: index)
      let found = whole.count > 40 ? String(whole.prefix(40)) + "…" : whole
      let what: String
      var hint: InputError.Hint?
      switch failure {
      case .empty: what = "expected a number in column '\(header[index])', found an empty field"
      case .decimalComma where format.decimalComma:
        what =
          "expected a number with a decimal comma in column '\(header[index])', found '\(found)': a point is not read as a thousands separator"
      case .decimalComma:
        what = "expected a number in column '\(header[index])', found '\(found)'"
        hint = .decimalComma
      case .malformed: what = "expected a number in column '\(header[index])', found '\(found)'"
      case .overflow:
        what = "the number '\(found)' in column '\(header[index])' is too large for a double"
      }
      throw InputError(file: name, line: line, column: column, message: what, hint: hint)
    }
  }

  /// Reads a number written with a decimal comma: the comma becomes a point; a point is
  /// refused (reported as `.decimalComma`: the other separator than the one expected).
  private static func parseDecimalComma(
    _ field: UnsafeBufferPointer<UInt8>
  ) -> DecimalNumber.Outcome {
    if field.contains(UInt8(ascii: ".")) { return .failure(.decimalComma) }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(field.count, 1)) { copy in
      for (k, byte) in field.enumerated() {
        copy[k] = byte == UInt8(ascii: ",") ? UInt8(ascii: ".") : byte
      }
      return DecimalNumber.parse(bytes: UnsafeBufferPointer(rebasing: copy[0..<field.count]))
    }
  }

  // MARK: - Scanning

  private var isBlankRecord: Bool {
    fieldRanges.count == 1 && !fieldQuoted[0]
      && recordBytes[fieldRanges[0]].allSatisfy { $0 == 0x20 || $0 == 0x09 }
  }

  private func fill() throws(InputError) {
    guard !finished else { return }
    let result = chunk.withUnsafeMutableBytes { buffer in
      Result { () throws(InputError) -> Int in try source.read(into: buffer) }
    }
    let count = try result.get()
    chunkCount = count
    chunkPosition = 0
    if count == 0 {
      finished = true
    } else {
      chunk.withUnsafeBytes {
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count]))
      }
    }
  }

  /// Skips a UTF-8 byte-order mark (EF BB BF) at the start, however the bytes arrive.
  private func skipByteOrderMark() throws(InputError) {
    guard try peek() == 0xEF else { return }
    for expected: UInt8 in [0xEF, 0xBB, 0xBF] {
      guard try peek() == expected else {
        throw InputError(
          file: name, line: 1, column: 1,
          message: "the file starts with bytes that are not UTF-8 text")
      }
      chunkPosition += 1
    }
  }

  /// The next byte without consuming it, or nil at the end.
  private func peek() throws(InputError) -> UInt8? {
    if chunkPosition == chunkCount { try fill() }
    return chunkPosition < chunkCount ? chunk[chunkPosition] : nil
  }

  /// Consumes one byte, keeping the line and column of the next one.
  private func advance(_ byte: UInt8) {
    chunkPosition += 1
    if byte == 0x0A {
      nextLine += 1
      nextColumn = 1
    } else if byte & 0xC0 != 0x80 {
      nextColumn += 1
    }
  }

  /// Consumes a line end (LF, CRLF or a lone CR) if one is next.
  private func consumeLineEnd() throws(InputError) -> Bool {
    guard let byte = try peek() else { return false }
    if byte == 0x0A {
      advance(byte)
      return true
    }
    if byte == 0x0D {
      chunkPosition += 1
      if try peek() == 0x0A { chunkPosition += 1 }
      nextLine += 1
      nextColumn = 1
      return true
    }
    return false
  }

  /// Reads one record into `recordBytes` and `fieldRanges`.
  ///
  /// - Returns: false when the input had no more bytes.
  private func readRecord() throws(InputError) -> Bool {
    recordBytes.removeAll(keepingCapacity: true)
    fieldRanges.removeAll(keepingCapacity: true)
    fieldLocations.removeAll(keepingCapacity: true)
    fieldQuoted.removeAll(keepingCapacity: true)
    guard try peek() != nil else { return false }
    line = nextLine
    while true {
      let start = recordBytes.count
      let location = (line: nextLine, column: nextColumn)
      var quoted = false
      if try peek() == UInt8(ascii: "\"") {
        quoted = true
        advance(UInt8(ascii: "\""))
        while true {
          guard let byte = try peek() else {
            throw InputError(
              file: name, line: location.line, column: location.column,
              message: "the quoted field that starts here is never closed")
          }
          if byte == UInt8(ascii: "\"") {
            advance(byte)
            if try peek() == UInt8(ascii: "\"") {
              advance(byte)
              recordBytes.append(byte)
              continue
            }
            break
          }
          if byte == 0x0D {
            _ = try consumeLineEnd()
            recordBytes.append(0x0A)
            continue
          }
          advance(byte)
          recordBytes.append(byte)
        }
        if let byte = try peek(), byte != format.delimiter, byte != 0x0A, byte != 0x0D {
          throw InputError(
            file: name, line: nextLine, column: nextColumn,
            message:
              "unexpected '\(Unicode.Scalar(byte))' after a closing quote; expected the delimiter or the end of the line"
          )
        }
      } else {
        while let byte = try peek(), byte != format.delimiter, byte != 0x0A, byte != 0x0D {
          if byte == UInt8(ascii: "\"") {
            throw InputError(
              file: name, line: nextLine, column: nextColumn,
              message:
                "a quote inside an unquoted field; quote the whole field and double the quote (\"\")"
            )
          }
          advance(byte)
          recordBytes.append(byte)
        }
      }
      fieldRanges.append(start..<recordBytes.count)
      fieldLocations.append(location)
      fieldQuoted.append(quoted)
      if try peek() == format.delimiter {
        advance(format.delimiter)
        continue
      }
      _ = try consumeLineEnd()
      return true
    }
  }
}
