import ArgumentParser
import CalibCore
import CalibSystem

/// Whether `calib measure` takes the posterior's summaries from a measurement map (`--map`).
enum MapChoice: String, ExpressibleByArgument, CaseIterable {
  /// On for a regular file of observations of at least `autoThreshold` bytes (where each
  /// likelihood averages over the instrument's parameters, of at least `autoAveragingRecords`
  /// records), and for readings with their u only where the file's u take at most
  /// `autoWeights` values: the same for every shard of one file, so that their parts still
  /// concatenate into the whole run's.
  case auto
  case on
  case off

  /// The size of an observations file from which `auto` turns the map on: about two thousand
  /// single readings, where building the map costs less than it saves.
  static let autoThreshold: Int64 = 16 << 10
  /// The records (rows of readings) of an observations file from which `auto` turns the map
  /// on where each reading's likelihood averages over the instrument's parameters
  /// (`Measurer.averagesOverParameters`: posterior samples or quadrature): counted, not told
  /// by the file's size, since a plate's rows carry ids and notes (180 wells in 4.5 KB). The
  /// ELISA 4PL over its 1 280 samples, readings spread over its range: 200 readings took
  /// 0.79 s by the exact path and 1.51 s with the map, 2 000 took 7.68 s and 1.38 s; by
  /// quadrature, 200 took 7.56 s and 14.4 s, about 38 ms a reading against 14 s of building
  /// (even near 370 readings).
  static let autoAveragingRecords = 512
  /// The size from which `auto` maps replicate groups with scatter too (a map of the mean
  /// reading and the scatter, whose pieces cost some 400 exact points each): about twelve
  /// thousand triplicates. The line's triplicates spread over its domain took 32 pieces, some
  /// 10 000 exact points, and 20 000 of them took 0.60 s with the map against 0.92 s without.
  static let autoScatterThreshold: Int64 = 512 << 10
  /// The most distinct u in the `--sy` column for which `auto` maps the readings that carry
  /// them (a map per total weight: more would each be built for a few readings).
  static let autoWeights = 16

  /// The observations a map answers, for the observations at `path` (`-`: standard input,
  /// whose length is not known: none under `auto`) with their u in `uncertaintyColumn`, if
  /// any, read as `format` says (nil: none), and whether replicate groups with scatter are
  /// among them (`MeasurementSettings.scatterMap`); `averaging`: whether the measurement
  /// averages each likelihood over the instrument's parameters (a few hundred readings then
  /// pay for a map).
  func scope(
    forObservations path: String, uncertaintyColumn: String?, format: CSVFormat,
    averaging: Bool
  ) -> (scope: MeasurementMapScope?, scatter: Bool) {
    switch self {
    case .on: return (.all, true)
    case .off: return (nil, false)
    case .auto:
      var status = stat()
      guard path != "-", stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
        averaging
          ? Self.holdsRecords(Self.autoAveragingRecords, path: path, format: format)
          : Int64(status.st_size) >= Self.autoThreshold
      else { return (nil, false) }
      let scatter = Int64(status.st_size) >= Self.autoScatterThreshold
      guard let uncertaintyColumn else { return (.all, scatter) }
      let scope: MeasurementMapScope =
        Self.distinctValues(
          in: uncertaintyColumn, of: path, format: format, upTo: Self.autoWeights)
        ? .all : .withoutUncertainties
      return (scope, scatter)
    }
  }

  /// Whether the CSV file at `path` holds at least `count` records after its header (read
  /// that far, no further); false where it cannot be read (the measurement says why).
  private static func holdsRecords(_ count: Int, path: String, format: CSVFormat) -> Bool {
    do {
      let reader = try CSVReader(source: try FileByteSource(path: path), name: path, format: format)
      var problem: InputError?
      var records = 0
      while records < count, try reader.nextRecord(fieldCountProblem: &problem) {
        records += 1
      }
      return records >= count
    } catch {
      return false
    }
  }

  /// Whether the column `name` of the CSV file at `path` holds at most `limit` distinct
  /// numbers (cells that are not numbers left out: the measurement reports them). The file is
  /// read to its end only when it holds that few; false where it cannot be read (the
  /// measurement says why).
  private static func distinctValues(
    in name: String, of path: String, format: CSVFormat, upTo limit: Int
  ) -> Bool {
    do {
      let reader = try CSVReader(source: try FileByteSource(path: path), name: path, format: format)
      let column = try reader.column(named: name)
      var seen = Set<UInt64>()
      var problem: InputError?
      while try reader.nextRecord(fieldCountProblem: &problem) {
        guard problem == nil, let u = try? reader.number(at: column).doubleValue else { continue }
        seen.insert(u.bitPattern)
        if seen.count > limit { return false }
      }
      return true
    } catch {
      return false
    }
  }
}
