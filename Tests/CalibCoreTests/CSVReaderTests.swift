import CalibCore
import Testing

/// A source that hands out one byte per read, so every token straddles a chunk boundary.
struct TrickleByteSource: ByteSource {
  var bytes: [UInt8]
  var position = 0
  init(_ text: String) { bytes = Array(text.utf8) }
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    guard position < bytes.count, buffer.count > 0 else { return 0 }
    buffer[0] = bytes[position]
    position += 1
    return 1
  }
}

/// Reads `text` as calibration data with columns x and y.
func readCalibration(
  _ text: String, trickle: Bool = false, sy: String? = nil
) throws -> CalibrationData {
  let source: any ByteSource = trickle ? TrickleByteSource(text) : MemoryByteSource(text)
  let reader = try CSVReader(source: source, name: "cal.csv")
  return try CalibrationData(reading: reader, predictors: ["x"], response: "y", uncertainty: sy)
}

@Suite("CSV reading")
struct CSVReaderTests {
  @Test(
    "RFC 4180 variants are read alike",
    arguments: [
      "x,y\n1,2\n3,4\n",
      "x,y\r\n1,2\r\n3,4\r\n",
      "\u{FEFF}x,y\n1,2\n3,4\n",
      "x,y\n1,2\n3,4",
      "x,y\n1,2\n3,4\n\n\n",
      "x,y\n1,2\n3,4\r\n  \r\n",
      "\"x\",\"y\"\n\"1\",2\n3,\"4\"\n",
      " x , y \n 1 , 2 \n3,4\n",
      "y,x\n2,1\n4,3\n",
      "x,note,y\n1,\"a, \"\"quoted\"\"\nnote\",2\n3,,4\n",
    ])
  func variants(_ text: String) throws {
    for trickle in [false, true] {
      let data = try readCalibration(text, trickle: trickle)
      #expect(data.predictors.map { $0[0].high } == [1, 3])
      #expect(data.responses.map(\.high) == [2, 4])
    }
  }

  @Test("the lines of the standards are remembered, across quoted line breaks")
  func lines() throws {
    let data = try readCalibration("x,note,y\n1,\"two\nlines\",2\n3,x,4\n")
    #expect(data.lines == [2, 4])
  }

  @Test("the hash is the file's SHA-256")
  func hash() throws {
    // sha256 of "x,y\n1,2\n" computed with `printf 'x,y\n1,2\n' | sha256sum`.
    let data = try readCalibration("x,y\n1,2\n")
    #expect(data.sha256 == "81bf9fa83c6f7f151bd491a98cd7d933de3965289e3ebd77c6c425f7eaa16392")
  }

  @Test(
    "malformed input is refused at its line and column",
    arguments: [
      ("", 1, 1, "empty"),
      ("x,y\n1,abc\n", 2, 3, "expected a number in column 'y', found 'abc'"),
      ("x,y\n1,\n", 2, 3, "found an empty field"),
      ("x,y\n1,nan\n", 2, 3, "found 'nan'"),
      ("x,y\n1,inf\n", 2, 3, "found 'inf'"),
      ("x,y\n1,1e999\n", 2, 3, "too large"),
      ("x,y\n1,\"1,5\"\n", 2, 3, "expected a number in column 'y', found '1,5'"),
      ("x,y\n1,2\n3,4,5\n", 3, 5, "3 fields, the header has 2"),
      ("x,y\n1,2\n3\n", 3, 2, "1 field, the header has 2"),
      ("x,y\n1,2\n\n3,4\n", 3, 1, "blank line"),
      ("x,y\n1,2\"\n", 2, 4, "quote inside an unquoted field"),
      ("x,y\n1,\"2\"x\n", 2, 6, "after a closing quote"),
      ("x,y\n1,\"2\n3,4\n", 2, 3, "never closed"),
      ("x,y\nabc,2\n", 2, 1, "column 'x'"),
      ("x,z\n1,2\n", 1, 1, "no column named 'y'"),
      ("x,y,y\n1,2,3\n", 1, 5, "2 columns are named 'y'"),
      ("x,y\n1,2\n3,  0x10\n", 3, 3, "found '  0x10'"),
      (
        "x,y\n1," + String(repeating: "9", count: 500) + "\n", 2, 3,
        "'" + String(repeating: "9", count: 40) + "…'"
      ),
    ])
  func malformed(_ text: String, line: Int, column: Int, message: String) {
    for trickle in [false, true] {
      let error = #expect(throws: InputError.self) { try readCalibration(text, trickle: trickle) }
      #expect(error?.file == "cal.csv")
      #expect(error?.line == line)
      #expect(error?.column == column)
      #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }
  }

  @Test("a standard uncertainty must be positive")
  func uncertainty() {
    let error = #expect(throws: InputError.self) {
      try readCalibration("x,y,u\n1,2,0.1\n2,3,0\n", sy: "u")
    }
    #expect(
      error?.description
        == "cal.csv:3:5: a standard uncertainty must be positive, found 0 in column 'u'")
  }

  @Test("columns are counted in characters, not bytes")
  func unicodeColumns() {
    let error = #expect(throws: InputError.self) {
      let reader = try CSVReader(source: MemoryByteSource("é,x,y\nü,1,zz\n"), name: "cal.csv")
      _ = try CalibrationData(reading: reader, predictors: ["x"], response: "y")
    }
    #expect(error?.column == 5)
  }

  @Test("a long file streams through a small buffer")
  func streaming() throws {
    // 200 000 rows produced on the fly; the reader keeps one chunk and one record.
    struct Generated: ByteSource {
      var row = -1
      var pending: [UInt8] = []
      mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if pending.isEmpty {
          guard row < 200_000 else { return 0 }
          pending = Array((row < 0 ? "x,y\n" : "\(row),\(2 * row + 1)\n").utf8)
          row += 1
        }
        let count = min(buffer.count, pending.count)
        for k in 0..<count { buffer[k] = pending[k] }
        pending.removeFirst(count)
        return count
      }
    }
    let reader = try CSVReader(source: Generated(), name: "generated.csv")
    let y = try reader.column(named: "y")
    var count = 0
    var sum = 0.0
    while try reader.nextRecord() {
      count += 1
      sum += try reader.number(at: y).high
    }
    #expect(count == 200_000)
    #expect(sum == 200_000.0 * 200_000.0)  // Σ (2r + 1) for r < N is N².
    #expect(reader.line == 200_001)
  }
}
