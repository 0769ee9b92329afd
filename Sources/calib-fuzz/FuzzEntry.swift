import CalibSystem

/// Writes `calib-fuzz: message` on standard error.
func complain(_ message: String) {
  let line = Array("calib-fuzz: \(message)\n".utf8)
  _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
}

/// The target chosen by `CALIB_FUZZ_TARGET` (`csv`, `formula` or `instrument`).
let selectedTarget: FuzzTarget = {
  guard let name = getenv("CALIB_FUZZ_TARGET").map({ String(cString: $0) }),
    let target = FuzzTarget(rawValue: name)
  else {
    complain("set CALIB_FUZZ_TARGET to one of csv, formula, instrument")
    exit(64)
  }
  return target
}()

#if CALIB_FUZZING
  /// libFuzzer's driver (compiler-rt, `-sanitize=fuzzer`): parses libFuzzer's flags and calls
  /// `callback` with each input. Called from `main` because SwiftPM names the entry point of an
  /// executable target itself, so libFuzzer's own `main` cannot be used.
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  /// libFuzzer's entry point: one input, run through the selected target.
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    selectedTarget.run(bytes)
    return 0
  }

  /// Runs libFuzzer on the target named by `CALIB_FUZZ_TARGET`.
  @main
  struct FuzzDriver {
    static func main() {
      _ = selectedTarget
      var argc = CommandLine.argc
      var argv = CommandLine.unsafeArgv
      let status = runFuzzerDriver(&argc, &argv) { start, count in fuzz(start, count) }
      exit(status)
    }
  }
#else
  /// Without libFuzzer (a plain `swift build`): runs the selected target on each file named on
  /// the command line, to replay a crashing input or a corpus.
  @main
  struct FuzzReplay {
    static func main() {
      for path in CommandLine.arguments.dropFirst() {
        guard let file = fopen(path, "rb") else {
          complain("cannot open \(path)")
          exit(66)
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
          let count = fread(&buffer, 1, buffer.count, file)
          if count <= 0 { break }
          bytes += buffer[0..<count]
        }
        fclose(file)
        selectedTarget.run(bytes)
      }
    }
  }
#endif
