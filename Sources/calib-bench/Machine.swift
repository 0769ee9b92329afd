import CalibSystem
import Foundation

/// The machine the figures were taken on, as the JSON records it.
struct Machine: Codable {
  /// Processors online (`nproc`).
  var processors: Int
  /// The CPU's `model name` in /proc/cpuinfo.
  var cpu: String
  /// Physical memory, `MemTotal` in /proc/meminfo, in bytes.
  var memoryBytes: Int
  /// The kernel: `uname -srm`.
  var kernel: String

  enum CodingKeys: String, CodingKey {
    case processors, cpu, kernel
    case memoryBytes = "memory_bytes"
  }

  /// The machine this process runs on.
  static func current() -> Machine {
    Machine(
      processors: ProcessInfo.processInfo.activeProcessorCount,
      cpu: procField("/proc/cpuinfo", "model name") ?? "unknown",
      memoryBytes: memoryBytes(),
      kernel: kernel())
  }

  /// The value after the colon of the first line of `file` that starts with `key`.
  static func procField(_ file: String, _ key: String) -> String? {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key) {
      if let colon = line.firstIndex(of: ":") {
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
    }
    return nil
  }

  /// `MemTotal` (given in kB) in bytes, or 0 when /proc/meminfo is unreadable.
  static func memoryBytes() -> Int {
    let field = procField("/proc/meminfo", "MemTotal") ?? ""
    return (Int(field.split(separator: " ").first ?? "") ?? 0) * 1024
  }

  /// The kernel's name, release and machine, from `uname`.
  static func kernel() -> String {
    var names = utsname()
    uname(&names)
    func text<T>(_ field: T) -> String {
      withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
    return [text(names.sysname), text(names.release), text(names.machine)]
      .joined(separator: " ")
  }

  /// The load averages over 1, 5 and 15 minutes (/proc/loadavg): how busy the machine was
  /// with other work.
  static func loadAverage() -> [Double] {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return text.split(separator: " ").prefix(3).compactMap { Double($0) }
  }

  /// A short line for the table: `2 × Intel(R) Xeon(R) Processor, 23.6 GB`.
  var summary: String {
    String(format: "%d × %@, %.1f GB", processors, cpu, Double(memoryBytes) / 1e9)
  }
}

/// The versions of what was measured: calib, the GSL it runs on, the Swift that built it.
struct Versions: Codable {
  /// `calib --version`.
  var calib: String
  /// GSL at run time, as calib records it in an instrument file's provenance.
  var gsl: String
  /// The first line of `swift --version`.
  var swift: String
  /// calibr8's `__version__`, when it ran.
  var calibr8: String?
}
