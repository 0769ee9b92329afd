import CalibCore
import CalibSystem

/// A command's output, written so that a regular file is either complete or not there.
///
/// What `-o PATH` names decides how it is written:
/// - `-`: standard output, written as it comes;
/// - a regular file, or nothing yet: the bytes go to a temporary file beside it, which
///   `commit()` renames over it (an existing file keeps its permission bits);
/// - a symbolic link: followed (to its final target, even a dangling one), and that target is
///   written as above; the link itself stays;
/// - a character device, a FIFO or a socket (`/dev/null`, a named pipe, a terminal): written
///   straight into, never replaced;
/// - a directory or a block device: refused.
///
/// Every failed write (`ENOSPC` on a full disk or `/dev/full`, `EPIPE`) and every failed
/// `close` is `CommandFailure.cannotWrite` (exit 73). Writes are buffered; memory stays flat.
final class OutputFile {
  private let path: String
  private let descriptor: Int32
  /// Where the bytes go until `commit()`: a temporary file, or nil when written in place.
  private let temporary: String?
  /// The regular file that `commit()` replaces.
  private let target: String
  private let ownsDescriptor: Bool
  private var buffer: [UInt8] = []
  private var finished = false
  /// Bytes written to the temporary file so far, and how many of them have been handed to
  /// the disk (`startWriteBack()`).
  private var written: off_t = 0
  private var handedOver: off_t = 0

  /// Opens `path` for writing (`-` is standard output), refusing a regular file that is one
  /// of the command's `inputs` (the same file, by device and inode, whatever the path names
  /// it): a typo such as `-o observations.csv` would otherwise replace the input with the
  /// report once it is complete.
  ///
  /// - Throws: `CommandFailure.usage` (exit 64) for an input; `CommandFailure.cannotWrite`
  ///   (exit 73).
  init(path: String, inputs: [String] = []) throws {
    try Self.refuseInputs(path, inputs)
    self.path = path
    buffer.reserveCapacity(1 << 16)
    if path == "-" {
      (descriptor, temporary, target, ownsDescriptor) = (STDOUT_FILENO, nil, path, false)
      return
    }
    func failure(_ reason: String) -> CommandFailure { .cannotWrite(path: path, reason: reason) }
    let resolved = try Self.resolvingLinks(path)
    var status = stat()
    if stat(resolved, &status) == 0 {
      switch status.st_mode & S_IFMT {
      case S_IFREG:
        break
      case S_IFCHR, S_IFIFO, S_IFSOCK:
        let descriptor = open(resolved, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(Self.lastError) }
        (self.descriptor, temporary, target, ownsDescriptor) = (descriptor, nil, resolved, true)
        return
      case S_IFDIR:
        throw failure("it is a directory")
      default:
        throw failure("it is neither a regular file nor a character device, FIFO or socket")
      }
    } else if errno != ENOENT {
      throw failure(Self.lastError)
    }
    let mode = stat(resolved, &status) == 0 ? status.st_mode & 0o7777 : Self.newFileMode
    let slash = resolved.lastIndex(of: "/")
    let directory = slash.map { String(resolved[...$0]) } ?? ""
    let base = slash.map { String(resolved[resolved.index(after: $0)...]) } ?? resolved
    var template = Array("\(directory).\(base).XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.map { mkstemp($0) } ?? -1
    }
    guard descriptor >= 0 else { throw failure(Self.lastError) }
    let temporary = String(
      decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard fchmod(descriptor, mode) == 0 else {
      let reason = Self.lastError
      close(descriptor)
      unlink(temporary)
      throw failure(reason)
    }
    (self.descriptor, self.temporary, target, ownsDescriptor) = (
      descriptor, temporary, resolved, true
    )
  }

  deinit {
    if !finished { abandon() }
  }

  /// Writes `bytes` to `path` in one go; `inputs` as for `init(path:inputs:)`.
  static func write(_ bytes: [UInt8], to path: String, inputs: [String] = []) throws {
    let output = try OutputFile(path: path, inputs: inputs)
    try output.write(bytes)
    try output.commit()
  }

  /// Appends bytes.
  func write(_ bytes: [UInt8]) throws {
    try bytes.withUnsafeBufferPointer { try write($0) }
  }

  /// Appends the bytes `bytes` points to.
  func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 16 { try flush() }
  }

  /// Appends the UTF-8 of `text`.
  func write(_ text: StaticString) throws {
    text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    if buffer.count >= 1 << 16 { try flush() }
  }

  /// Appends the UTF-8 of `text`.
  func write(_ text: String) throws {
    try write(Array(text.utf8))
  }

  /// Completes the output: flushes, closes, and renames the temporary file over the target.
  ///
  /// - Throws: `CommandFailure.cannotWrite`; a temporary file is removed, the target is left
  ///   as it was.
  func commit() throws {
    try flush()
    finished = true
    guard ownsDescriptor else { return }
    guard let temporary else {
      guard close(descriptor) == 0 else {
        throw CommandFailure.cannotWrite(path: path, reason: Self.lastError)
      }
      return
    }
    guard fsync(descriptor) == 0, close(descriptor) == 0 else {
      let reason = Self.lastError
      unlink(temporary)
      throw CommandFailure.cannotWrite(path: path, reason: reason)
    }
    guard rename(temporary, target) == 0 else {
      let reason = Self.lastError
      unlink(temporary)
      throw CommandFailure.cannotWrite(path: path, reason: reason)
    }
  }

  /// Gives up: removes the temporary file; a regular target is left as it was. (What was
  /// already written into a device or FIFO cannot be taken back.)
  func abandon() {
    guard !finished else { return }
    finished = true
    if ownsDescriptor { close(descriptor) }
    if let temporary { unlink(temporary) }
  }

  private func flush() throws {
    var offset = 0
    while offset < buffer.count {
      let count = buffer.withUnsafeBytes { bytes in
        bytes.baseAddress.map { Glibc.write(descriptor, $0 + offset, bytes.count - offset) } ?? 0
      }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else {
        let reason = count == 0 ? "nothing was written" : Self.lastError
        abandon()
        throw CommandFailure.cannotWrite(path: path, reason: reason)
      }
      offset += count
    }
    written += off_t(buffer.count)
    buffer.removeAll(keepingCapacity: true)
    if temporary != nil, written - handedOver >= Self.writeBackStep { startWriteBack() }
  }

  /// The bytes written to a temporary file between hand-overs to the disk.
  private static let writeBackStep: off_t = 1 << 23

  /// Starts the disk writing what has been written to the temporary file since the last call,
  /// without waiting for it, so that `commit()`'s `fsync` finds most of a large report on
  /// disk already instead of writing it all at the end (where nothing else overlaps it). On
  /// Linux, `POSIX_FADV_DONTNEED` starts the write-back of a range's dirty pages (and lets the
  /// page cache drop those already clean); elsewhere it is advice that may do nothing. Its
  /// result changes nothing written, so it is not checked.
  private func startWriteBack() {
    _ = posix_fadvise(descriptor, handedOver, written - handedOver, POSIX_FADV_DONTNEED)
    handedOver = written
  }

  /// Throws when `path` names an existing regular file that is also one of `inputs`
  /// (standard input, `-`, is none).
  private static func refuseInputs(_ path: String, _ inputs: [String]) throws {
    guard path != "-" else { return }
    var target = stat()
    guard stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFREG else { return }
    for input in inputs where input != "-" {
      var source = stat()
      if stat(input, &source) == 0, source.st_dev == target.st_dev, source.st_ino == target.st_ino {
        throw CommandFailure.usage(
          "-o \(path): it is the input '\(input)'; the output would replace it (write it elsewhere)"
        )
      }
    }
  }

  /// The text of `errno`.
  private static var lastError: String { String(cString: strerror(errno)) }

  /// The permission bits of a new file: 0666 less the process's umask, as `open` would give.
  private static var newFileMode: mode_t {
    let mask = umask(0)
    umask(mask)
    return 0o666 & ~mask
  }

  /// The path a chain of symbolic links ends at (`path` itself when it is not a link). A
  /// dangling link resolves to the missing file it names, which is then created.
  ///
  /// - Throws: `CommandFailure.cannotWrite` for a loop of links (more than 40, as Linux).
  private static func resolvingLinks(_ path: String) throws -> String {
    var current = path
    for _ in 0..<40 {
      var status = stat()
      guard lstat(current, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return current }
      var bytes = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let count = readlink(current, &bytes, bytes.count - 1)
      guard count >= 0 else { throw CommandFailure.cannotWrite(path: path, reason: lastError) }
      let link = String(decoding: bytes[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if link.hasPrefix("/") {
        current = link
      } else {
        let directory = current.lastIndex(of: "/").map { String(current[...$0]) } ?? ""
        current = directory + link
      }
    }
    throw CommandFailure.cannotWrite(path: path, reason: "too many levels of symbolic links")
  }
}
