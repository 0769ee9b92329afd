import CalibCore
import Testing

/// What a reader of observations returns, comparable: id, line, readings, defect.
private struct Seen: Equatable {
  var id: String
  var line: Int
  var readings: [Double]
  var defect: String?
}

/// Reads every observation of `bytes` (readings in `response`, groups in `group` when given).
private func observations(
  _ bytes: [UInt8], group: String?, shard: CSVShard? = nil, response: String = "y"
) throws -> [Seen] {
  var source = bytes
  if let shard {
    // What `calib measure --shard` reads: the header, then the slice (from its context
    // record when groups are read).
    let resume = group == nil ? shard.start : shard.contextStart ?? shard.start
    source = Array(bytes[0..<Int(shard.headerEnd)]) + Array(bytes[Int(resume)...])
  }
  let reader = try ObservationReader(
    reader: try CSVReader(source: MemoryByteSource(source), name: "obs.csv"), response: response,
    group: group, shard: shard)
  var seen: [Seen] = []
  while let observation = try reader.next() {
    seen.append(
      Seen(
        id: observation.id, line: observation.line, readings: observation.readings,
        defect: observation.defect?.description))
  }
  return seen
}

/// A file of `groups` replicate groups of 1–4 rows, from a reproducible generator: quoted
/// notes with commas, doubled quotes and line breaks, bad readings and short rows now and
/// then (a short row is an observation of its own, and the group goes on after it), `ending`
/// between records.
private func sampleFile(groups: Int, seed: UInt64, ending: String) -> [UInt8] {
  var state = seed
  func next(_ n: UInt64) -> Int {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return Int((state >> 33) % n)
  }
  var rows = ["sample,y,note"]
  for g in 0..<groups {
    for _ in 0...next(4) {
      let note = ["n", "\"a\(ending)b\"", "\"x,\"\"y\"\"\"", "\"\"", "plain"][next(5)]
      let y = next(40) == 0 ? "oops" : "\(Double(next(10_000)) / 1000)"
      // A short row stands alone (its label cannot be trusted); the group goes on after it.
      switch next(16) {
      case 0: rows.append("g\(g),\(y)")
      case 1: rows.append("g\(g)")
      default: break
      }
      rows.append("g\(g),\(y),\(note)")
    }
  }
  return Array(rows.joined(separator: ending).utf8) + (seed % 2 == 0 ? Array(ending.utf8) : [])
}

@Suite("Shards of an observations file (--shard K/N)")
struct CSVShardTests {
  @Test(
    "the shards' observations, in order, are the file's: groups whole, lines the file's",
    arguments: ["\n", "\r\n", "\r"])
  func concatenation(ending: String) throws {
    for seed: UInt64 in [1, 2, 3] {
      var bytes = sampleFile(groups: 120, seed: seed, ending: ending)
      if seed == 3 { bytes = [0xEF, 0xBB, 0xBF] + bytes }
      for group in ["sample", nil] as [String?] {
        let whole = try observations(bytes, group: group)
        #expect(whole.count >= (group == nil ? 120 : 100))
        for count in [1, 2, 3, 7, 64, 1000] {
          var joined: [Seen] = []
          for index in 1...count {
            var source = MemoryByteSource(bytes)
            let shard = try CSVShard(
              index: index, of: count, source: &source, size: Int64(bytes.count))
            joined += try observations(bytes, group: group, shard: shard)
          }
          #expect(joined == whole, "seed \(seed), group \(group ?? "-"), \(count) shards")
        }
      }
    }
  }

  @Test("a short row inside a group is an observation of its own after the group, in any shard")
  func shortRowInGroup() throws {
    let text = "sample,absorbance\nA,0.1\nA,0.11\nA\nA,0.12\nB,0.3\n"
    let bytes = Array(text.utf8)
    func read(_ shard: CSVShard?) throws -> [Seen] {
      try observations(bytes, group: "sample", shard: shard, response: "absorbance")
    }
    let whole = try read(nil)
    #expect(whole.map(\.id) == ["A", "4", "B"])
    #expect(whole.map(\.line) == [2, 4, 6])
    #expect(whole[0].readings == [0.1, 0.11, 0.12])
    #expect(whole[1].defect?.contains("obs.csv:4") == true)
    // Every cut: before, at and after the short row.
    for count in 1...40 {
      var joined: [Seen] = []
      for index in 1...count {
        var source = MemoryByteSource(bytes)
        joined += try read(
          CSVShard(index: index, of: count, source: &source, size: Int64(bytes.count)))
      }
      #expect(joined == whole, "\(count) shards")
    }
  }

  @Test("a group longer than a shard is read whole by the shard where it starts")
  func longGroup() throws {
    let rows = ["sample,y"] + (0..<50).map { "long,\(Double($0))" } + ["short,1", "last,2"]
    let bytes = Array((rows.joined(separator: "\n") + "\n").utf8)
    var parts: [[Seen]] = []
    for index in 1...5 {
      var source = MemoryByteSource(bytes)
      let shard = try CSVShard(index: index, of: 5, source: &source, size: Int64(bytes.count))
      parts.append(try observations(bytes, group: "sample", shard: shard))
    }
    #expect(parts[0].map(\.id) == ["long"])
    #expect(parts[0].first?.readings.count == 50)
    #expect(parts[1...3].allSatisfy { $0.isEmpty })
    #expect(parts[4].map(\.id) == ["short", "last"])
    #expect(parts[4].map(\.line) == [52, 53])
  }

  @Test("the byte ranges: the header's end, N nearly equal parts, each starting a record")
  func ranges() throws {
    // Header of 4 bytes, then ten 4-byte records ("1,1\n" …): 40 bytes cut in 4 parts of 10
    // bytes start records at bytes 4, 16 (first record at or after 14), 24, 36.
    let bytes = Array(("x,y\n" + (0..<10).map { "\($0),1\n" }.joined()).utf8)
    var starts: [Int64] = []
    var lines: [Int] = []
    for index in 1...4 {
      var source = MemoryByteSource(bytes)
      let shard = try CSVShard(index: index, of: 4, source: &source, size: Int64(bytes.count))
      #expect(shard.headerEnd == 4)
      starts.append(shard.start)
      lines.append(shard.startLine)
      #expect(shard.endLine == [5, 7, 10, 12][index - 1])
    }
    #expect(starts == [4, 16, 24, 36])
    #expect(lines == [2, 5, 7, 10])
  }

  @Test("an empty body, a header alone, more shards than records")
  func degenerate() throws {
    for text in ["y\n", "y", "y\n1\n", "y\n1"] {
      let bytes = Array(text.utf8)
      var joined: [Seen] = []
      for index in 1...3 {
        var source = MemoryByteSource(bytes)
        let shard = try CSVShard(index: index, of: 3, source: &source, size: Int64(bytes.count))
        joined += try observations(bytes, group: nil, shard: shard)
      }
      #expect(joined == (try observations(bytes, group: nil)), "\(text.debugDescription)")
    }
  }
}
