/// An enumeration an instrument file names by its raw values (`noise.model`,
/// `posterior.kind`, …): a reader that finds another value lists the ones it reads.
protocol NamedCases {
  /// The values a file may hold, in declaration order.
  static var caseNames: [String] { get }
}

extension NamedCases where Self: CaseIterable & RawRepresentable, RawValue == String {
  static var caseNames: [String] { allCases.map(\.rawValue) }
}

extension NoiseModel: NamedCases {}
extension NoiseDistribution: NamedCases {}
extension PosteriorKind: NamedCases {}
extension PosteriorChoice: NamedCases {}
extension TrustRegionMethod: NamedCases {}
