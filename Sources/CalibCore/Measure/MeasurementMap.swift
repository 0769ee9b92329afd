/// A measurement compiled into a map: summaries of the posterior as smooth functions of the
/// mean reading ȳ, interpolated on Chebyshev points piece by piece, each piece certified
/// against the exact path before it is used (DESIGN §7, docs/measurement.md).
///
/// The span of ȳ is cut into `topPieces` equal pieces; a piece is built when a reading first
/// falls in it. Its `nodes` Chebyshev points (of the first kind) are measured exactly, and the
/// interpolant is compared with the exact path at `nodes + 1` more points: the ends of the piece
/// and the angles halfway between the nodes. Where every comparison is within its tolerance
/// (`accept`), the piece is certified and answers by barycentric interpolation. Where a
/// comparison misses, the piece is split in two, down to `maximumDepth` halvings; where the
/// exact path says that a point cannot be mapped (several modes, a posterior piled at a bound),
/// or at the deepest level, the piece is marked and its readings take the exact path.
///
/// Each piece is a function of the instrument, the settings and its place only, never of the
/// readings that came before: a reading gets the same numbers, bit for bit, in any order, in any
/// shard and with any thread count.
final class MeasurementMap {
  /// What a piece holds once built.
  enum Piece: Sendable {
    /// Certified: the values at the nodes, output after output for each node; the largest
    /// error the checks found (in `accept`'s units); and the envelopes.
    case certified(values: [Double], error: Double, envelope: [Double])
    /// Cut in two: its halves are the pieces one level down.
    case split
    /// Not mapped: its readings take the exact path.
    case exact
  }

  /// The span of ȳ the pieces cover.
  let span: ClosedRange<Double>
  /// The number of outputs of the exact path that are interpolated, and of those after them
  /// that are not: each of these is the largest over the exact points of the piece (its
  /// envelope: an error estimate of the exact path, say).
  let outputs: Int
  let envelopes: Int
  /// Chebyshev points per piece.
  let nodes: Int
  /// Pieces at the top level, and the most halvings below it.
  let topPieces: Int
  let maximumDepth: Int
  /// The exact path at ȳ: its outputs and envelopes, or nil where the posterior cannot be
  /// mapped.
  private let exact: (Double) -> [Double]?
  /// The error of an interpolated point against the exact one (≤ 1 accepts), given
  /// (exact, interpolated).
  private let accept: ([Double], [Double]) -> Double
  /// The pieces built so far or taken from `shared`, by `key(depth:index:)`.
  private var pieces: [Int: Piece] = [:]
  /// The pieces other measurers have built, and this map's kind among them.
  private let shared: (maps: SharedMeasurementMaps, kind: Measurer.MapKey)?
  /// The Chebyshev points on [−1, 1] and their barycentric weights.
  private let points: [Double]
  private let weights: [Double]

  /// A map over `span`; `exact` and `accept` as described for the stored properties; its
  /// pieces shared with the maps of the same kind of other measurers through `shared`.
  init(
    span: ClosedRange<Double>, outputs: Int, envelopes: Int = 0, nodes: Int = 16,
    topPieces: Int = 16,
    maximumDepth: Int = 8, exact: @escaping (Double) -> [Double]?,
    accept: @escaping ([Double], [Double]) -> Double,
    shared: (maps: SharedMeasurementMaps, kind: Measurer.MapKey)? = nil
  ) {
    self.shared = shared
    self.span = span
    self.outputs = outputs
    self.envelopes = envelopes
    self.nodes = nodes
    self.topPieces = topPieces
    self.maximumDepth = maximumDepth
    self.exact = exact
    self.accept = accept
    // tⱼ = cos θⱼ, θⱼ = π(j + ½)/n; barycentric weights (−1)ʲ sin θⱼ (Berrut & Trefethen 2004).
    let angles = (0..<nodes).map { (j: Int) -> Double in
      Double.pi * (Double(j) + 0.5) / Double(nodes)
    }
    points = angles.map(_cos)
    weights = angles.indices.map { (j: Int) -> Double in
      let sign: Double = j % 2 == 0 ? 1 : -1
      return sign * _sin(angles[j])
    }
  }

  /// The interpolated outputs at ȳ = `y`, the certified error of its piece and the piece's
  /// envelopes, or nil where the reading takes the exact path (outside the span, or a piece not
  /// certified).
  func values(at y: Double) -> (values: [Double], error: Double, envelope: [Double])? {
    guard span.contains(y), span.upperBound > span.lowerBound else { return nil }
    let width = (span.upperBound - span.lowerBound) / Double(topPieces)
    var index = min(Int((y - span.lowerBound) / width), topPieces - 1)
    var lower = span.lowerBound + width * Double(index)
    var upper = index == topPieces - 1 ? span.upperBound : lower + width
    for depth in 0...maximumDepth {
      let key = Self.key(depth: depth, index: index)
      let piece = pieces[key] ?? piece(lower: lower, upper: upper, depth: depth, key: key)
      switch piece {
      case .certified(let values, let error, let envelope):
        return (
          interpolate(values, at: (2 * y - lower - upper) / (upper - lower)), error, envelope
        )
      case .exact:
        return nil
      case .split:
        let middle = 0.5 * (lower + upper)
        index *= 2
        if y < middle {
          upper = middle
        } else {
          lower = middle
          index += 1
        }
      }
    }
    return nil
  }

  /// A piece's key: its depth and its index among the pieces of that depth.
  private static func key(depth: Int, index: Int) -> Int { depth << 40 | index }

  /// The piece [lower, upper] at `depth`, not yet among `pieces`: another measurer's, or
  /// built here and kept for the others.
  private func piece(lower: Double, upper: Double, depth: Int, key: Int) -> Piece {
    guard let shared else { return build(lower: lower, upper: upper, depth: depth, key: key) }
    let sharedKey = SharedMeasurementMaps.Key(map: shared.kind, piece: key)
    if let piece = shared.maps.pieceOrClaim(sharedKey) {
      pieces[key] = piece
      return piece
    }
    let piece = build(lower: lower, upper: upper, depth: depth, key: key)
    shared.maps.keep(piece, at: sharedKey)
    return piece
  }

  /// Builds the piece [lower, upper] at `depth`: exact values at the nodes, then the checks.
  private func build(lower: Double, upper: Double, depth: Int, key: Int) -> Piece {
    let half = 0.5 * (upper - lower), center = 0.5 * (upper + lower)
    var values: [Double] = []
    values.reserveCapacity(nodes * outputs)
    var envelope = [Double](repeating: -.infinity, count: envelopes)
    var piece = Piece.exact
    defer { pieces[key] = piece }
    // The exact outputs at t, the envelopes taken in.
    func measured(_ t: Double) -> ArraySlice<Double>? {
      guard let all = exact(center + half * t), all.count == outputs + envelopes else {
        return nil
      }
      for k in 0..<envelopes { envelope[k] = max(envelope[k], all[outputs + k]) }
      return all[0..<outputs]
    }
    for t in points {
      guard let node = measured(t) else { return piece }
      values += node
    }
    // The ends, and the angles halfway between the nodes.
    let halfway = (1..<nodes).map { (j: Int) -> Double in
      _cos(Double.pi * Double(j) / Double(nodes))
    }
    let checks = [-1.0, 1.0] + halfway
    var error = 0.0
    for t in checks {
      guard let truth = measured(t) else { return piece }
      error = max(error, accept(Array(truth), interpolate(values, at: t)))
    }
    if error <= 1 {
      piece = .certified(values: values, error: error, envelope: envelope)
    } else if depth < maximumDepth {
      piece = .split
    }
    return piece
  }

  /// The barycentric interpolant of the node values at t ∈ [−1, 1].
  private func interpolate(_ values: [Double], at t: Double) -> [Double] {
    var result = [Double].zeros(outputs)
    var denominator = 0.0
    for j in 0..<nodes {
      let difference = t - points[j]
      if difference == 0 { return Array(values[(j * outputs)..<((j + 1) * outputs)]) }
      let factor = weights[j] / difference
      denominator += factor
      for k in 0..<outputs { result[k] += factor * values[j * outputs + k] }
    }
    for k in 0..<outputs { result[k] /= denominator }
    return result
  }
}
