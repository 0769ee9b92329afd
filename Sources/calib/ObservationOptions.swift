import ArgumentParser
import CalibCore

/// How observations are read from a CSV file: shared by `measure` and `coverage`.
struct ObservationOptions: ParsableArguments {
  @Option(
    name: .customLong("id"), help: ArgumentHelp("Column naming each observation.", valueName: "col")
  )
  var idColumn: String?

  @Option(
    name: .customLong("group"),
    help: ArgumentHelp("Column grouping replicate readings of one sample.", valueName: "col"))
  var groupColumn: String?

  @Option(
    name: .customLong("sy"),
    help: ArgumentHelp("Column of the readings' standard uncertainties.", valueName: "col"))
  var uncertaintyColumn: String?

  @Option(
    name: .customLong("dilution"),
    help: ArgumentHelp(
      "Column of each sample's dilution factor: the report adds the undiluted sample's x.",
      valueName: "col"))
  var dilutionColumn: String?

  @OptionGroup var csv: CSVOptions

  /// A reader of the observations in `path` (`-`: standard input), readings in `response`.
  func reader(path: String, response: String) throws -> ObservationReader {
    let csv = try self.csv.reader(path: path)
    return try ObservationReader(
      reader: csv, response: response, id: idColumn, group: groupColumn,
      uncertainty: uncertaintyColumn, dilution: dilutionColumn)
  }

  /// Refuses `--sy` for an instrument with several outputs, which measures with the noise
  /// covariance it estimated.
  ///
  /// - Throws: `CommandFailure.usage` when `--sy` is given.
  func checkSeveralOutputs() throws {
    if uncertaintyColumn != nil {
      throw CommandFailure.usage(
        "--sy: an instrument with several outputs measures with the noise covariance it estimated; the readings' own uncertainties apply to one output"
      )
    }
  }
}
