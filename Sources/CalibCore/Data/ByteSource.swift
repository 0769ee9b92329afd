/// Where a reader gets its bytes: a file, standard input, or memory.
///
/// The engine does no file I/O of its own; the command line hands it a source.
package protocol ByteSource {
  /// Fills the start of `buffer` and returns how many bytes it wrote; 0 at the end.
  ///
  /// - Throws: `InputError` when the underlying read fails.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

/// Bytes already in memory, e.g. a test's text.
package struct MemoryByteSource: ByteSource {
  private let bytes: [UInt8]
  private var position = 0

  /// A source that yields `bytes` and then ends.
  package init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// A source that yields the UTF-8 encoding of `text`.
  package init(_ text: String) { self.bytes = Array(text.utf8) }

  package mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    let count = min(buffer.count, bytes.count - position)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<position + count]))
    }
    position += count
    return count
  }
}
