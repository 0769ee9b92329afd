import Foundation

/// Progress of a long run on standard error: the count done and the rate, every two seconds,
/// and a last line when the run ends. Standard output (the report) is never touched.
final class ProgressMeter {
  private let noun: String
  private let start = DispatchTime.now().uptimeNanoseconds
  private var lastReport: UInt64
  private var done = 0

  init(noun: String) {
    self.noun = noun
    lastReport = start
  }

  /// One more item done; reports when two seconds have passed since the last report.
  func advance() {
    done += 1
    let now = DispatchTime.now().uptimeNanoseconds
    if now - lastReport >= 2_000_000_000 {
      lastReport = now
      report(now, final: false)
    }
  }

  /// The closing line.
  func finish() {
    report(DispatchTime.now().uptimeNanoseconds, final: true)
  }

  private func report(_ now: UInt64, final: Bool) {
    let seconds = Double(now - start) / 1e9
    let rate = seconds > 0 ? Double(done) / seconds : 0
    let line = String(
      format: "calib: %@%d %@ in %.1f s (%.0f/s)\n", final ? "done: " : "", done, noun, seconds,
      rate)
    writeToStandardError(line)
  }
}
