import ArgumentParser

/// `--shard K/N`: the K-th of N contiguous slices of the observations (1 ≤ K ≤ N), for job
/// arrays (docs/cluster.md). The outputs of slices 1…N, concatenated, are the single run's.
struct ShardSpec: ExpressibleByArgument, Sendable, Equatable {
  /// K, from 1.
  var index: Int
  /// N.
  var count: Int

  init?(argument: String) {
    let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
      (1...count).contains(index)
    else { return nil }
    (self.index, self.count) = (index, count)
  }

  static var defaultValueDescription: String { "K/N" }
}
