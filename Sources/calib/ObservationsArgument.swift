import ArgumentParser

/// The observations `coverage`, `plot` and `report` may take after the instrument: a CSV
/// file and its reading columns (`--y`), given together or not at all.
struct ObservationsArgument: ParsableArguments {
  /// The path of the observations file; `-` is standard input.
  @Argument(
    help: ArgumentHelp(
      "An observations CSV file (optional), or - for standard input.", valueName: "observations"))
  var path: String?

  /// The reading columns, one per output.
  @Option(
    name: .customLong("y"),
    help: ArgumentHelp(
      "Column of the readings (with observations); one per output, comma-separated, for an instrument with several outputs.",
      valueName: "col"))
  var responseColumn: String?

  func validate() throws {
    if path != nil && responseColumn == nil {
      throw ValidationError("with observations, give --y COL")
    }
    if path == nil && responseColumn != nil {
      throw ValidationError(
        "--y names the readings of observations; give an observations file after the instrument")
    }
  }

  /// Refuses standard input for both the instrument and the observations.
  ///
  /// - Throws: `ValidationError` when both are `-`.
  func check(instrument: InstrumentArgument) throws {
    if instrument.path == "-" && path == "-" {
      throw ValidationError(
        "the instrument and the observations cannot both come from standard input")
    }
  }
}
