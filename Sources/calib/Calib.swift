import ArgumentParser
import CalibCore
import CalibSystem

/// The `calib` command: calibration and measurement inference.
@main
struct Calib: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calib",
    abstract: "Calibrate instruments and measure with them, with honest uncertainty.",
    discussion: """
      Fit the instrument state from calibration standards (calib fit), then inspect it \
      (calib show), measure with it (calib measure), map where it can measure (calib \
      coverage), set its limits of detection and quantification (calib limits), draw it \
      (calib plot), file a lab report (calib report), and check its intervals by simulation \
      (calib validate). Exit codes: 0 \
      success, 64 bad usage, 65 bad input data, 66 an input cannot be opened, 70 internal \
      failure, 73 the output cannot be written. Errors are written to standard error as \
      'calib: error: ...'.
      """,
    version: CalibVersion.current,
    subcommands: [
      FitCommand.self, MeasureCommand.self, CoverageCommand.self, LimitsCommand.self,
      PlotCommand.self, ReportCommand.self, ValidateCommand.self, ShowCommand.self,
    ]
  )

  /// Parses the command line and runs the command, as argument-parser's `main()` does, but
  /// words every error in calib's one style (`Calib.exit(reporting:)`). A reader that closes
  /// its end of a pipe early makes a write fail with EPIPE (exit 73, with a message) instead of
  /// killing the process with SIGPIPE.
  static func main() {
    signal(SIGPIPE, SIG_IGN)
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(reporting: error)
    }
  }
}
