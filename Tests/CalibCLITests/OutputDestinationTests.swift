import CalibSystem
import Foundation
import Testing

/// Where `-o` writes: a regular file atomically, a symbolic link's target, a device or FIFO
/// straight into; every failed write is exit 73. The device nodes and FIFOs are made in the
/// test's own temporary folder (`mknod`, `mkfifo`), never the system's.
@Suite("-o destinations")
struct OutputDestinationTests {
  let calibration = "x,y\n0,0.12\n1,2.05\n2,3.98\n3,6.1\n4,7.9\n"

  /// A scratch folder with the calibration in `cal.csv`.
  func folder() throws -> URL {
    let directory = try CommandLineTool.scratchDirectory()
    try calibration.write(
      to: directory.appendingPathComponent("cal.csv"), atomically: true, encoding: .utf8)
    return directory
  }

  func fit(to output: String, in directory: URL) throws -> CommandLineTool.Outcome {
    try CommandLineTool.run(
      ["fit", "cal.csv", "--x", "x", "--y", "y", "-o", output], in: directory)
  }

  /// glibc's `makedev` (a macro Swift does not import), for majors and minors below 256.
  func device(major: UInt64, minor: UInt64) -> dev_t { dev_t(major << 8 | minor) }

  /// A character device of Linux's memory major (1) named `name` in `directory`, made with
  /// `mknod` (root only): minor 3 is the null device, minor 7 the full one (every write fails
  /// with ENOSPC). Its path.
  func memoryDevice(_ name: String, minor: UInt64, in directory: URL) throws -> String {
    let node = directory.appendingPathComponent(name).path
    try #require(
      mknod(node, S_IFCHR | 0o666, device(major: 1, minor: minor)) == 0, "mknod needs root")
    return node
  }

  func fileType(_ path: String) -> mode_t {
    var status = stat()
    return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : 0
  }

  @Test("a private null device stays a device, and the fit exits 0")
  func nullDevice() throws {
    let directory = try folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let node = try memoryDevice("null", minor: 3, in: directory)
    let run = try fit(to: "null", in: directory)
    #expect(run.status == 0, "\(run.error)")
    #expect(fileType(node) == S_IFCHR)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
        "cal.csv", "null",
      ])
  }

  @Test("a private full device (ENOSPC on every write) is exit 73 and stays a device")
  func fullDevice() throws {
    let directory = try folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let node = try memoryDevice("full", minor: 7, in: directory)
    let run = try fit(to: "full", in: directory)
    #expect(run.status == 73)
    #expect(run.error.contains("No space left on device"), "\(run.error)")
    #expect(fileType(node) == S_IFCHR)
  }

  /// An error that cannot be told (standard error on a full device) still ends the run with
  /// its exit status, not a trap.
  @Test("standard error on a full device: the exit status, no trap")
  func fullStandardError() throws {
    let directory = try folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let node = try memoryDevice("full", minor: 7, in: directory)
    try "x,y\n0,0.12\n1,\"2.05\n".write(
      to: directory.appendingPathComponent("broken.csv"), atomically: true, encoding: .utf8)
    for (arguments, status) in [
      (["fit", "broken.csv", "--x", "x", "--y", "y", "-o", "out.json"], Int32(65)),
      (["fit", "cal.csv", "--x", "x", "--y", "y", "--no-such-flag"], 64),
    ] {
      let process = Process()
      process.executableURL = CommandLineTool.executable
      process.arguments = arguments
      process.currentDirectoryURL = directory
      process.standardOutput = Pipe()
      process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: node))
      try process.run()
      process.waitUntilExit()
      #expect(process.terminationReason == .exit, "\(arguments)")
      #expect(process.terminationStatus == status, "\(arguments)")
    }
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("out.json").path))
  }

  @Test("standard output on a full device is exit 73")
  func fullStandardOutput() throws {
    let directory = try folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let node = try memoryDevice("full", minor: 7, in: directory)
    let process = Process()
    process.executableURL = CommandLineTool.executable
    process.arguments = ["fit", "cal.csv", "--x", "x", "--y", "y"]
    process.currentDirectoryURL = directory
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: node))
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 73)
    #expect(message.contains("No space left on device"), "\(message)")
  }

  @Test("a FIFO is written into, not replaced")
  func fifo() throws {
    let directory = try folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let node = directory.appendingPathComponent("pipe").path
    try #require(mkfifo(node, 0o644) == 0)
    // A reader on the other end, so that the writer's open does not wait forever.
    let reader = Process()
    reader.executableURL = URL(fileURLWithPath: "/bin/cat")
    reader.arguments = [node]
    let received = Pipe()
    reader.standardOutput = received
    try reader.run()
    let run = try fit(to: "pipe", in: directory)
    let bytes = received.fileHandleForReading.readDataToEndOfFile()
    reader.waitUntilExit()
    #expect(run.status == 0, "\(run.error)")
    #expect(fileType(node) == S_IFIFO)
    let json = try JSONSerialization.jsonObject(with: bytes) as? [String: Any]
    #expect(json?["format"] as? String == "calib-instrument/1")
  }

  @Test("a symbolic link is followed: its target is replaced, the link and its mode stay")
  func symbolicLink() throws {
    let directory = try folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = directory.appendingPathComponent("target.json").path
    try Data("old".utf8).write(to: URL(fileURLWithPath: target))
    #expect(chmod(target, 0o600) == 0)
    let link = directory.appendingPathComponent("link.json").path
    #expect(symlink("target.json", link) == 0)
    let run = try fit(to: "link.json", in: directory)
    #expect(run.status == 0, "\(run.error)")
    #expect(fileType(link) == S_IFLNK)
    let json = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: target)))
    #expect((json as? [String: Any])?["format"] as? String == "calib-instrument/1")
    var status = stat()
    #expect(stat(target, &status) == 0 && status.st_mode & 0o777 == 0o600)
    // A dangling link creates the file it names.
    #expect(symlink("made.json", directory.appendingPathComponent("dangling.json").path) == 0)
    #expect(try fit(to: "dangling.json", in: directory).status == 0)
    #expect(fileType(directory.appendingPathComponent("made.json").path) == S_IFREG)
  }

  @Test("a directory is refused with exit 73 and left alone")
  func directoryTarget() throws {
    let directory = try folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(
      at: directory.appendingPathComponent("out"), withIntermediateDirectories: false)
    let run = try fit(to: "out", in: directory)
    #expect(run.status == 73)
    #expect(run.error.contains("directory"), "\(run.error)")
    #expect(
      try FileManager.default.contentsOfDirectory(
        atPath: directory.appendingPathComponent("out").path
      ).isEmpty)
  }
}
