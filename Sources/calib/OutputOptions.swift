import ArgumentParser

/// `-o/--output`: where a command writes its file (the instrument, the report, the map).
struct OutputOptions: ParsableArguments {
  /// The path written (replaced whole only once complete; docs/cli-fit.md); `-` is standard
  /// output.
  @Option(
    name: .shortAndLong,
    help: ArgumentHelp("File to write, or - for standard output.", valueName: "file"))
  var output: String = "-"
}
