import CalibCore
import CalibSystem

/// A file, or standard input for `-`, read in chunks by the engine's readers.
final class FileByteSource: ByteSource {
  private let file: UnsafeMutablePointer<FILE>
  private let ownsFile: Bool
  private let name: String
  /// A stretch of the file not read (`skipping(_:)`), and how many bytes were read so far.
  private var skipped: Range<Int64>?
  private var position: Int64 = 0

  /// Opens `path` for reading (`-` is standard input).
  ///
  /// - Throws: `CommandFailure.cannotOpen` (exit 66).
  init(path: String) throws {
    name = path
    if path == "-" {
      guard let standardInput = fdopen(STDIN_FILENO, "rb") else {
        throw CommandFailure.cannotOpen(path: path, reason: String(cString: strerror(errno)))
      }
      file = standardInput
      ownsFile = false
    } else {
      var status = stat()
      if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
        throw CommandFailure.cannotOpen(path: path, reason: "it is a directory")
      }
      guard let opened = fopen(path, "rb") else {
        throw CommandFailure.cannotOpen(path: path, reason: String(cString: strerror(errno)))
      }
      file = opened
      ownsFile = true
    }
  }

  deinit {
    if ownsFile { fclose(file) }
  }

  /// The length in bytes of the regular file at `path`, asked before opening it (opening a
  /// FIFO would wait for a writer).
  ///
  /// - Throws: `CommandFailure.usage` for standard input, a pipe or a device, whose length is
  ///   not known before they end; `CommandFailure.cannotOpen` for a path that is not there.
  static func regularFileSize(_ path: String, for option: String) throws -> Int64 {
    var status = stat()
    guard path != "-" else {
      throw CommandFailure.usage(
        "\(option) needs a regular file it can seek in, not standard input")
    }
    guard stat(path, &status) == 0 else {
      throw CommandFailure.cannotOpen(path: path, reason: String(cString: strerror(errno)))
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
      throw CommandFailure.usage(
        "\(option) needs a regular file it can seek in; '\(path)' is not one (a pipe, a device or a directory)"
      )
    }
    return Int64(status.st_size)
  }

  /// From now on, reads skip the bytes in `stretch` (offsets from the file's start, at or
  /// after the bytes read so far): the reads jump from its start to its end. A shard reads the
  /// header, then its own records.
  func skipping(_ stretch: Range<Int64>) {
    skipped = stretch
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    var buffer = buffer
    if let stretch = skipped {
      if position == stretch.lowerBound {
        guard fseeko(file, off_t(stretch.upperBound), SEEK_SET) == 0 else {
          throw InputError(file: name, message: "seek failed: \(String(cString: strerror(errno)))")
        }
        position = stretch.upperBound
        skipped = nil
      } else if position + Int64(buffer.count) > stretch.lowerBound {
        buffer = UnsafeMutableRawBufferPointer(
          rebasing: buffer[0..<Int(stretch.lowerBound - position)])
      }
    }
    let count = fread(buffer.baseAddress, 1, buffer.count, file)
    position += Int64(count)
    if count == 0, ferror(file) != 0 {
      throw InputError(file: name, message: "read failed: \(String(cString: strerror(errno)))")
    }
    return count
  }

  /// Every byte of the file.
  func readAll() throws -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
      if count == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<count])
    }
  }
}
