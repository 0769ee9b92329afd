/// The K-th of N contiguous slices of a CSV file's records (`calib measure --shard K/N`), found
/// without splitting the file: where its records start and end, in bytes and in lines.
///
/// The bytes after the header are cut into N nearly equal ranges; a slice holds the records
/// that start in its range. A record starts after a line end (LF, CRLF or a lone CR) outside
/// quotes, so a quoted field that holds a line break never splits. Every record belongs to
/// exactly one slice, and the slices of 1…N in order are the file's records in order.
///
/// Finding a record boundary takes the quote parity and the line number at that byte, which
/// only the bytes before it tell: the scan reads the file from its start to the end of the
/// slice, counting (about a gigabyte a second), and the slice is then read from where it
/// starts. Replicate groups are kept whole by the reader (`ObservationReader`), which skips
/// the rows that continue the group of `contextStart`'s record and reads past `endLine` to
/// finish its last group.
package struct CSVShard: Sendable, Equatable {
  /// The slice's number K, from 1, and the number of slices N.
  package let index: Int
  package let count: Int
  /// The byte where the header's record ends (the first data record starts).
  package let headerEnd: Int64
  /// The first byte of the slice's first record, and its line (from 1).
  package let start: Int64
  package let startLine: Int
  /// The last well-formed record before the slice (as many fields as the header; nil for the
  /// first slice): its first byte and line. Its group label says which rows at the slice's
  /// start continue a group begun before it; a record with the wrong number of fields is an
  /// observation of its own and continues no group, so it cannot tell.
  package let contextStart: Int64?
  package let contextLine: Int
  /// The line where the next slice starts: observations starting there or later are not
  /// this slice's (for the last slice, the line after the file's last).
  package let endLine: Int

  /// Scans `source` (the whole file, from its first byte) for the records of slice `index`
  /// of `count`.
  ///
  /// - Parameters:
  ///   - size: The file's length in bytes.
  ///   - delimiter: The byte between fields (`CSVFormat.delimiter`).
  /// - Throws: `InputError` when the source cannot be read.
  package init(
    index: Int, of count: Int, source: inout some ByteSource, size: Int64,
    delimiter: UInt8 = UInt8(ascii: ",")
  ) throws(InputError) {
    precondition(count >= 1 && (1...count).contains(index), "a shard is K/N with 1 ≤ K ≤ N")
    self.index = index
    self.count = count
    var scanner = RecordScanner(delimiter: delimiter)
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var header: (end: Int64, fields: Int)?
    var startRecord: (offset: Int64, line: Int)?
    // The record being scanned, and the last well-formed one before the slice.
    var current: (offset: Int64, line: Int)?
    var previous: (offset: Int64, line: Int)?
    var endRecord: (offset: Int64, line: Int)?
    // The slice's byte range [from, to), known once the header's end is.
    var from = Int64.max, to = Int64.max
    // `fieldsBefore`: the number of fields of the record that ends at `offset`.
    func visit(_ offset: Int64, _ line: Int, _ fieldsBefore: Int) -> Bool {
      if let header {
        if startRecord == nil, fieldsBefore == header.fields { previous = current }
      } else {
        header = (offset, fieldsBefore)
        from = Self.target(index, of: count, headerEnd: offset, size: size)
        to =
          index == count ? .max : Self.target(index + 1, of: count, headerEnd: offset, size: size)
      }
      if startRecord == nil {
        guard offset >= from else {
          current = (offset, line)
          return false
        }
        startRecord = (offset, line)
      }
      guard offset >= to else { return false }
      endRecord = (offset, line)
      return true
    }
    while true {
      let result = buffer.withUnsafeMutableBytes { bytes in
        Result { () throws(InputError) -> Int in try source.read(into: bytes) }
      }
      let read = try result.get()
      if read == 0 { break }
      let stopped = buffer.withUnsafeBytes {
        scanner.scan(UnsafeRawBufferPointer(rebasing: $0[0..<read]), visit: visit)
      }
      if stopped { break }
    }
    if endRecord == nil {
      // The end of the file starts no record, but ends every range not ended yet.
      let end = (offset: scanner.offset, line: scanner.lineAfterLastRecord)
      if header == nil || startRecord == nil { _ = visit(end.offset, end.line, scanner.fields) }
      if startRecord == nil { startRecord = end }
      endRecord = end
    }
    // Cannot trap: the end of the file visits the header's end and sets both records.
    headerEnd = header!.end
    start = startRecord!.offset
    startLine = startRecord!.line
    contextStart = index > 1 && start > headerEnd ? previous?.offset : nil
    contextLine = previous?.line ?? startLine
    endLine = endRecord!.line
  }

  /// The first byte of slice `k`'s range: the header's end plus (k − 1)/N of the bytes after it,
  /// rounded down (in 128 bits, so that no file length overflows).
  private static func target(_ k: Int, of count: Int, headerEnd: Int64, size: Int64) -> Int64 {
    let span = UInt64(max(size - headerEnd, 0))
    let part = span.multipliedFullWidth(by: UInt64(k - 1))
    return headerEnd + Int64(UInt64(count).dividingFullWidth((part.high, part.low)).quotient)
  }
}

/// Finds where CSV records start in a stream of bytes: after each line end (LF, CRLF, or a
/// lone CR) outside quotes, counting lines as `CSVReader` does (a line end inside quotes
/// counts too).
private struct RecordScanner {
  /// The byte between fields.
  let delimiter: UInt8
  /// The fields of the record being scanned so far (of the last record, at the end of the
  /// file): the delimiters outside quotes, plus one.
  private(set) var fields = 1
  /// Bytes scanned so far.
  private(set) var offset: Int64 = 0
  /// The line of the next byte, from 1.
  private(set) var line = 1
  private var inQuotes = false
  /// Whether the last byte was a CR, whose LF (if next) belongs to the same line end.
  private var afterCR = false
  /// Whether a record ended at the last line end, so that the next byte starts one.
  private var recordEnded = false

  /// The line after the last record, at the end of the file: the current line, or the next
  /// when the last record has no line end.
  var lineAfterLastRecord: Int { recordEnded || offset == 0 ? line : line + 1 }

  /// A scanner at the start of a file whose fields are separated by `delimiter`.
  init(delimiter: UInt8) {
    self.delimiter = delimiter
  }

  /// Scans `bytes`, calling `visit(offset, line, fields)` at each record start after the
  /// first byte of the file, with the number of fields of the record that ended there; stops
  /// early (returning true) when `visit` returns true.
  mutating func scan(
    _ bytes: UnsafeRawBufferPointer, visit: (Int64, Int, Int) -> Bool
  ) -> Bool {
    for byte in bytes {
      if afterCR {
        afterCR = false
        // The LF of a CRLF belongs to the CR's line end.
        if byte == 0x0A {
          offset += 1
          continue
        }
      }
      if recordEnded {
        recordEnded = false
        if visit(offset, line, fields) { return true }
        fields = 1
      }
      offset += 1
      switch byte {
      case UInt8(ascii: "\""):
        inQuotes.toggle()
      case delimiter where !inQuotes:
        fields += 1
      case 0x0A, 0x0D:
        line += 1
        afterCR = byte == 0x0D
        recordEnded = !inQuotes
      default:
        break
      }
    }
    return false
  }
}
