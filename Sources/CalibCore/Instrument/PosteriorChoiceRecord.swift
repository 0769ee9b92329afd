/// The posterior representation asked for (`--posterior`) and the one used, with the reason.
public struct PosteriorChoiceRecord: Codable, Equatable, Sendable {
  /// `laplace`, `mcmc` or `auto`, as asked.
  public var requested: PosteriorChoice
  /// `laplace` or `mcmc`, as used.
  public var used: PosteriorChoice
  /// The figure behind the choice, in a sentence.
  public var reason: String
}
