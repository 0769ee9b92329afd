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

  /// A reader of the observations in `path` (`-`: standard input), readings in `response`;
  /// with `shard`, of the observations that start in that slice of the file (`CSVShard`).
  func reader(
    path: String, response: String, shard: ShardSpec? = nil
  ) throws -> ObservationReader {
    var slice: CSVShard?
    let size = try shard.map { _ in try FileByteSource.regularFileSize(path, for: "--shard") }
    let source = try FileByteSource(path: path)
    if let shard, let size {
      var scanned = try FileByteSource(path: path)
      let found = try CSVShard(
        index: shard.index, of: shard.count, source: &scanned, size: size,
        delimiter: csv.format.delimiter)
      source.skipping(
        found.headerEnd..<(groupColumn == nil ? found.start : found.contextStart ?? found.start))
      slice = found
    }
    let csv = try CSVReader(source: source, name: path, format: csv.format)
    return try ObservationReader(
      reader: csv, response: response, id: idColumn, group: groupColumn,
      uncertainty: uncertaintyColumn, dilution: dilutionColumn, shard: slice)
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
