import ArgumentParser

/// `--shard K/N`: the K-th of N contiguous slices of the observations (1 ≤ K ≤ N), for job
/// arrays (docs/cluster.md). The outputs of slices 1…N, concatenated, are the single run's.
struct ShardSpec: ExpressibleByArgument, Sendable, Equatable {
  /// K, from 1.
  var index: Int
  /// N.
  var count: Int

  /// Two whole numbers written with digits alone (no sign), `K/N`; `problem` says whether
  /// they make a slice.
  init?(argument: String) {
    let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2,
      parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }),
      let index = Int(parts[0]), let count = Int(parts[1])
    else { return nil }
    (self.index, self.count) = (index, count)
  }

  /// Why K/N is not a slice, or nil: N is at least 1 and K one of 1…N.
  var problem: String? {
    guard count < 1 || !(1...count).contains(index) else { return nil }
    return "--shard K/N needs N ≥ 1 and 1 ≤ K ≤ N, found \(index)/\(count)"
  }

  static var defaultValueDescription: String { "K/N" }
}
