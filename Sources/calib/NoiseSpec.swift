import ArgumentParser
import CalibCore

/// `calib fit --noise [DISTRIBUTION:]SCALE`: the law of a reading about the response and the
/// scale σ(μ). `normal:` is the default and may be left out; `poisson` stands alone (its scale
/// √μ has no parameter).
struct NoiseSpec: ExpressibleByArgument, Equatable {
  var distribution: NoiseDistribution
  var scale: NoiseModel

  init?(argument: String) {
    let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    if parts.count == 1 {
      guard let scale = NoiseModel(rawValue: argument) else { return nil }
      (distribution, self.scale) = (.normal, scale)
      return
    }
    guard let distribution = NoiseDistribution(rawValue: String(parts[0])),
      let scale = NoiseModel(rawValue: String(parts[1])), scale != .poisson,
      distribution == .normal || scale != .replicates
    else { return nil }
    (self.distribution, self.scale) = (distribution, scale)
  }

  /// The forms the help lists.
  static var allValueStrings: [String] {
    NoiseModel.allCases.map(\.rawValue)
      + [NoiseModel.constant, .known, .proportional, .linear, .power].map { "student:\($0)" }
  }

  /// The spec as the user may write it.
  var description: String {
    distribution == .normal ? scale.rawValue : "\(distribution):\(scale)"
  }
}
