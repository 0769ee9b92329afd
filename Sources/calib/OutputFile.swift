import CalibCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A command's output, written so that a file is either complete or not there: the bytes
/// go to a temporary file beside the target, which is renamed over it only by `commit()`.
/// Standard output (`-`) is written as it comes. Writes are buffered; memory stays flat.
final class OutputFile {
  private let path: String
  private let descriptor: Int32
  private let temporary: String?
  private var buffer: [UInt8] = []
  private var finished = false

  /// Opens `path` for writing (`-` is standard output).
  ///
  /// - Throws: `CommandFailure.cannotWrite` (exit 73).
  init(path: String) throws {
    self.path = path
    buffer.reserveCapacity(1 << 16)
    if path == "-" {
      descriptor = STDOUT_FILENO
      temporary = nil
      return
    }
    let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
    let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    var template = Array("\(directory).\(base).XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else {
      throw CommandFailure.cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
    self.descriptor = descriptor
    temporary = String(cString: template.map { UInt8(bitPattern: $0) })
  }

  deinit {
    if !finished { abandon() }
  }

  /// Writes `bytes` to `path` in one go.
  static func write(_ bytes: [UInt8], to path: String) throws {
    let output = try OutputFile(path: path)
    try output.write(bytes)
    try output.commit()
  }

  /// Appends bytes.
  func write(_ bytes: [UInt8]) throws {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 16 { try flush() }
  }

  /// Appends the UTF-8 of `text`.
  func write(_ text: String) throws {
    try write(Array(text.utf8))
  }

  /// Completes the output: flushes, and renames the temporary file over the target.
  ///
  /// - Throws: `CommandFailure.cannotWrite`; the temporary file is removed.
  func commit() throws {
    try flush()
    finished = true
    guard let temporary else { return }
    guard fchmod(descriptor, 0o644) == 0, fsync(descriptor) == 0, close(descriptor) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw CommandFailure.cannotWrite(path: path, reason: reason)
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw CommandFailure.cannotWrite(path: path, reason: reason)
    }
  }

  /// Gives up: removes the temporary file; the target is left as it was.
  func abandon() {
    finished = true
    guard let temporary else { return }
    close(descriptor)
    unlink(temporary)
  }

  private func flush() throws {
    var offset = 0
    while offset < buffer.count {
      let count = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
      guard count > 0 else {
        let reason = String(cString: strerror(errno))
        abandon()
        throw CommandFailure.cannotWrite(path: path, reason: reason)
      }
      offset += count
    }
    buffer.removeAll(keepingCapacity: true)
  }
}
