import ArgumentParser

/// `--shard K/N`: the K-th of N contiguous slices of the observations (1 ≤ K ≤ N), for job
/// arrays (docs/cluster.md). The outputs of slices 1…N, concatenated, are the single run's.
struct ShardSpec: ExpressibleByArgument, Sendable, Equatable {
  /// K, from 1.
  var index: Int
  /// N.
  var count: Int

  /// The argument as given where it is not two whole numbers `K/N`, for `problem` to name.
  var unreadable: String?

  /// Two whole numbers written with digits alone (no sign), `K/N`; anything else is kept in
  /// `unreadable`, so that `problem` (checked in `validate()`) says what was expected.
  init(argument: String) {
    let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2,
      parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }),
      let index = Int(parts[0]), let count = Int(parts[1])
    else {
      (index, count, unreadable) = (0, 0, argument)
      return
    }
    (self.index, self.count) = (index, count)
  }

  /// Why the argument is not a slice, or nil: two whole numbers K/N with N at least 1 and K one
  /// of 1…N.
  var problem: String? {
    if let unreadable {
      return "--shard K/N needs two whole numbers written in digits alone, such as 2/8, "
        + "each below 2⁶³; found '\(unreadable)'"
    }
    guard count < 1 || !(1...count).contains(index) else { return nil }
    return "--shard K/N needs N ≥ 1 and 1 ≤ K ≤ N, found \(index)/\(count)"
  }

  static var defaultValueDescription: String { "K/N" }
}
