import CalibCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a command's output so that a file is either complete or not there: the bytes go to
/// a temporary file beside the target, which is renamed over it only once all is written.
enum OutputFile {
  /// Writes `bytes` to `path`, or to standard output for `-`.
  ///
  /// - Throws: `CommandFailure.cannotWrite` (exit 73); no temporary file is left behind.
  static func write(_ bytes: [UInt8], to path: String) throws {
    if path == "-" {
      guard writeAll(bytes, to: STDOUT_FILENO) else {
        throw CommandFailure.cannotWrite(path: path, reason: String(cString: strerror(errno)))
      }
      return
    }
    let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
    let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    var template = Array("\(directory).\(base).XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else {
      throw CommandFailure.cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
    let temporary = String(cString: template.map { UInt8(bitPattern: $0) })
    func fail() -> CommandFailure {
      let reason = String(cString: strerror(errno))
      close(descriptor)
      unlink(temporary)
      return CommandFailure.cannotWrite(path: path, reason: reason)
    }
    guard writeAll(bytes, to: descriptor), fchmod(descriptor, 0o644) == 0, fsync(descriptor) == 0 else { throw fail() }
    guard close(descriptor) == 0 else {
      unlink(temporary)
      throw CommandFailure.cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw CommandFailure.cannotWrite(path: path, reason: reason)
    }
  }

  /// Writes every byte to a file descriptor, retrying short writes.
  private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
      guard count > 0 else { return false }
      offset += count
    }
    return true
  }
}
