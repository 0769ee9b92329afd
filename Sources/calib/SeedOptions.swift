import ArgumentParser

/// `--seed`: the seed of the random numbers a command draws, so that a run can be repeated
/// byte for byte.
struct SeedOptions: ParsableArguments {
  /// The seed; 1 unless given.
  @Option(
    parsing: .unconditional,
    help: """
      Seed of the random numbers (fit: the MCMC sampler; validate: the simulation); the same \
      seed gives the same file. measure draws none and accepts it for scripts.
      """)
  var seed: UInt64 = 1
}
