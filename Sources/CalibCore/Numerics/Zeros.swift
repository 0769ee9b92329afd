extension Array where Element == Double {
  /// `count` zeros, for a buffer filled on a path taken once per reading.
  ///
  /// The same array as `Array(repeating: 0, count: count)`, made through `map`, whose code is
  /// specialized into this module: the standard library's `Array(repeating:count:)` and
  /// `Array(unsafeUninitializedCapacity:initializingWith:)` allocate through a function it
  /// keeps unspecialized, which on Linux looks the storage's type up in the runtime's
  /// concurrent metadata cache at each call (some 700 instructions, and an atomic count of
  /// readers that two threads then share; callgrind, Swift 6.3).
  static func zeros(_ count: Int) -> [Double] {
    (0..<count).map { _ in 0 }
  }
}
