import CalibCore
import CalibSystem

/// A file, or standard input for `-`, read in chunks by the engine's readers.
final class FileByteSource: ByteSource {
  private let file: UnsafeMutablePointer<FILE>
  private let ownsFile: Bool
  private let name: String

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

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    let count = fread(buffer.baseAddress, 1, buffer.count, file)
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
