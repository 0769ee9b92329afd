import ArgumentParser
import CalibSystem

/// Whether `calib measure` takes the posterior's summaries from a measurement map (`--map`).
enum MapChoice: String, ExpressibleByArgument, CaseIterable {
  /// On for a regular file of observations of at least `autoThreshold` bytes: the same for
  /// every shard of one file, so that their parts still concatenate into the whole run's.
  case auto
  case on
  case off

  /// The size of an observations file from which `auto` turns the map on: about two thousand
  /// single readings, where building the map costs less than it saves.
  static let autoThreshold: Int64 = 16 << 10

  /// Whether the map is on for the observations at `path` (`-`: standard input, whose length
  /// is not known: off under `auto`).
  func isOn(forObservations path: String) -> Bool {
    switch self {
    case .on: return true
    case .off: return false
    case .auto:
      var status = stat()
      guard path != "-", stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
        return false
      }
      return Int64(status.st_size) >= Self.autoThreshold
    }
  }
}
