import CalibSystem
import Foundation

/// Where a child process's standard output goes.
enum OutputSink {
  /// A regular file, created or truncated.
  case file(String)
  /// A pipe the benchmark reads to its end, keeping only the byte count: for reports too large
  /// to keep.
  case drained
}

/// What one child process took: its wall-clock time, from spawning to reaping, and its peak
/// resident memory.
struct ChildRun {
  /// Seconds from `posix_spawn` to `wait4`.
  var seconds: Double
  /// The child's own peak resident set size (`ru_maxrss` from `wait4`), in bytes.
  var peakResidentBytes: Int
  /// Processor seconds of the child, user and system, over all its threads (`ru_utime` and
  /// `ru_stime`): less sensitive than `seconds` to other work on a shared machine.
  var cpuSeconds: Double
  /// Bytes read from a drained standard output (0 for a file).
  var outputBytes: Int
}

/// A child process that could not be started or did not succeed.
struct ChildError: Error, CustomStringConvertible {
  /// What went wrong, with the command and the end of its standard error.
  var description: String
}

/// Runs programs as child processes, one at a time, and measures each one alone: the peak
/// memory comes from `wait4` for that child, not from `RUSAGE_CHILDREN` (a maximum over all).
struct ChildProcess {
  /// The folder holding the standard error of each child (`stderr-N.txt`).
  let logDirectory: String

  /// Runs `program` (looked up on the PATH when it has no slash) with `arguments`, its standard
  /// output to `output`, and returns its time and memory; throws when it does not exit 0.
  func run(_ program: String, _ arguments: [String], output: OutputSink) throws -> ChildRun {
    let errorPath = logDirectory + "/stderr.txt"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var pipeEnds: [Int32] = [-1, -1]
    switch output {
    case .file(let path):
      posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    case .drained:
      guard pipe(&pipeEnds) == 0 else { throw ChildError(description: "pipe failed") }
      posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
      posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
      posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
    }
    let start = DispatchTime.now().uptimeNanoseconds
    let pid = try spawn(program, arguments, actions: &actions)
    var outputBytes = 0
    if case .drained = output {
      close(pipeEnds[1])
      outputBytes = drain(pipeEnds[0])
      close(pipeEnds[0])
    }
    let (status, usage) = reap(pid)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if let failure = failure(program, arguments, status: status, errorPath: errorPath) {
      throw failure
    }
    let cpu = [usage.ru_utime, usage.ru_stime].map { Double($0.tv_sec) + Double($0.tv_usec) / 1e6 }
    return ChildRun(
      seconds: seconds, peakResidentBytes: Int(usage.ru_maxrss) * 1024, cpuSeconds: cpu[0] + cpu[1],
      outputBytes: outputBytes)
  }

  /// Runs `program` once for each list of `arguments`, all at once, each one's standard output
  /// to its file in `outputs`; returns the seconds from the first spawn to the last reaping.
  /// Throws when one does not exit 0 (after reaping them all).
  func runTogether(
    _ program: String, _ arguments: [[String]], outputs: [String]
  ) throws -> Double {
    precondition(arguments.count == outputs.count, "one output file for each child")
    let start = DispatchTime.now().uptimeNanoseconds
    var children: [pid_t] = []
    var failure: Error?
    for (list, output) in zip(arguments, outputs) {
      var actions = posix_spawn_file_actions_t()
      posix_spawn_file_actions_init(&actions)
      defer { posix_spawn_file_actions_destroy(&actions) }
      let errorPath = logDirectory + "/stderr-\(children.count).txt"
      posix_spawn_file_actions_addopen(
        &actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
      posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
      do {
        children.append(try spawn(program, list, actions: &actions))
      } catch {
        failure = error
        break
      }
    }
    for (k, pid) in children.enumerated() {
      let (status, _) = reap(pid)
      if failure == nil {
        failure = self.failure(
          program, arguments[k], status: status, errorPath: logDirectory + "/stderr-\(k).txt")
      }
    }
    if let failure { throw failure }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  /// The error of a child that did not exit 0 (wait status `status`), with its command and the
  /// end of its standard error at `errorPath`; nil for one that did.
  private func failure(
    _ program: String, _ arguments: [String], status: Int32, errorPath: String
  ) -> ChildError? {
    guard status & 0x7f != 0 || (status >> 8) & 0xff != 0 else { return nil }
    return ChildError(
      description: "\(([program] + arguments).joined(separator: " ")) failed (status \(status))"
        + ":\n" + tail(of: errorPath))
  }

  /// Starts `program` with `arguments` and the benchmark's environment; returns its pid.
  private func spawn(
    _ program: String, _ arguments: [String], actions: inout posix_spawn_file_actions_t
  ) throws -> pid_t {
    let argv = cStrings([program] + arguments)
    let environment = cStrings(ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" })
    defer { (argv + environment).forEach { free($0) } }
    var pid: pid_t = 0
    let status = posix_spawnp(&pid, program, &actions, nil, argv, environment)
    guard status == 0 else {
      throw ChildError(description: "cannot start \(program): \(String(cString: strerror(status)))")
    }
    return pid
  }

  /// Waits for `pid` to end; its wait status and resource usage. A wait that fails (other than
  /// interrupted) gives the status −1, which no caller takes for success.
  private func reap(_ pid: pid_t) -> (Int32, rusage) {
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) == -1 {
      if errno != EINTR { return (-1, usage) }
    }
    return (status, usage)
  }

  /// Reads `descriptor` to its end; the number of bytes read.
  private func drain(_ descriptor: Int32) -> Int {
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var total = 0
    while true {
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count > 0 {
        total += count
      } else if count == 0 || errno != EINTR {
        return total
      }
    }
  }

  /// The last 2 000 characters of the file at `path`.
  private func tail(of path: String) -> String {
    String((try? String(contentsOfFile: path, encoding: .utf8))?.suffix(2000) ?? "")
  }

  /// `strings` as C strings (each from `strdup`, for the caller to free), ending with `nil`.
  private func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
    strings.map { strdup($0) } + [nil]
  }
}
