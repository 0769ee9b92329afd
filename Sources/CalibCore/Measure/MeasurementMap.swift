/// A measurement compiled into a map: summaries of the posterior as smooth functions of the
/// mean reading ȳ (and, for replicates with scatter, of a coordinate v of their scatter),
/// interpolated on Chebyshev points piece by piece, each piece certified against the exact path
/// before it is used (DESIGN §7, docs/measurement.md).
///
/// The span of ȳ is cut into `topPieces` equal pieces; a piece is built when a reading first
/// falls in it. Its `nodes` Chebyshev points (of the first kind) are measured exactly, and the
/// interpolant is compared with the exact path at `nodes + 1` more points: the ends of the piece
/// and the angles halfway between the nodes. Where every comparison is within its tolerance
/// (`accept`), the piece is certified and answers by barycentric interpolation. Where a
/// comparison misses (the checks stop there), the piece is split in two, down to
/// `maximumDepth` halvings; where the exact path says that a point cannot be mapped (several
/// modes, a posterior piled at a bound), or at the deepest level, the piece is marked and its
/// readings take the exact path. A piece that misses is split before its later checks are
/// seen: its halves are measured and checked afresh, each on points of its own.
///
/// A map of two coordinates (`scatter`) spans v as well, whole in every piece: a piece's points
/// are the tensor product of its `nodes` points in ȳ and the `scatter.nodes` Chebyshev points
/// of v's span, interpolated along v and then along ȳ, and it is checked on the product of the
/// two sets of checks ((`nodes` + 1)·(`scatter.nodes` + 1) points), after a first check of
/// its points along ȳ at one v against the piece's ends. Pieces are split along ȳ.
///
/// Each piece is a function of the instrument, the settings and its place only, never of the
/// readings that came before: a reading gets the same numbers, bit for bit, in any order, in any
/// shard and with any thread count.
final class MeasurementMap {
  /// What a piece holds once built.
  enum Piece: Sendable {
    /// Certified: the values at the nodes, output after output for each node (the nodes in v
    /// within those in ȳ); the largest error the checks found (in `accept`'s units); and the
    /// envelopes.
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
  /// Chebyshev points per piece along ȳ.
  let nodes: Int
  /// Chebyshev points per piece along ȳ unless told otherwise.
  static let defaultNodes = 16
  /// Whether a piece's exact points are offered to the other measurers of the same kind of
  /// map while it is built (`SharedMeasurementMaps.measure(_:kind:exact:)`): for a map of ȳ
  /// alone whose exact points are costly.
  let sharesPoints: Bool
  /// The span of the second coordinate v and the number of Chebyshev points along it, or nil
  /// for a map of ȳ alone.
  let scatter: (span: ClosedRange<Double>, nodes: Int)?
  /// Pieces at the top level, and the most halvings below it.
  let topPieces: Int
  let maximumDepth: Int
  /// The exact path at (ȳ, v) (v = 0 for a map of ȳ alone): its outputs and envelopes, or nil
  /// where the posterior cannot be mapped.
  private let exact: (Double, Double) -> [Double]?
  /// The error of an interpolated point against the exact one (≤ 1 accepts), given
  /// (exact, interpolated).
  private let accept: ([Double], [Double]) -> Double
  /// The pieces built so far or taken from `shared`, by `key(depth:index:)`.
  private var pieces: [Int: Piece] = [:]
  /// The pieces other measurers have built, and this map's kind among them.
  private let shared: (maps: SharedMeasurementMaps, kind: Measurer.MapKey)?
  /// The Chebyshev points on [−1, 1] and their barycentric weights, along ȳ and along v.
  private let points: [Double]
  private let weights: [Double]
  private let scatterPoints: [Double]
  private let scatterWeights: [Double]

  /// A map over `span` (and `scatter`); `exact` and `accept` as described for the stored
  /// properties; its pieces shared with the maps of the same kind of other measurers through
  /// `shared`.
  init(
    span: ClosedRange<Double>, scatter: (span: ClosedRange<Double>, nodes: Int)? = nil,
    outputs: Int, envelopes: Int = 0, nodes: Int = defaultNodes, topPieces: Int = 16,
    maximumDepth: Int = 8, exact: @escaping (Double, Double) -> [Double]?,
    accept: @escaping ([Double], [Double]) -> Double,
    shared: (maps: SharedMeasurementMaps, kind: Measurer.MapKey)? = nil, sharesPoints: Bool = false
  ) {
    self.shared = shared
    self.sharesPoints = sharesPoints
    self.span = span
    self.scatter = scatter
    self.outputs = outputs
    self.envelopes = envelopes
    self.nodes = nodes
    self.topPieces = topPieces
    self.maximumDepth = maximumDepth
    self.exact = exact
    self.accept = accept
    (points, weights) = Self.chebyshev(nodes)
    (scatterPoints, scatterWeights) = Self.chebyshev(scatter?.nodes ?? 0)
  }

  /// The n Chebyshev points of the first kind, tⱼ = cos θⱼ with θⱼ = π(j + ½)/n, and their
  /// barycentric weights (−1)ʲ sin θⱼ (Berrut & Trefethen 2004).
  private static func chebyshev(_ n: Int) -> (points: [Double], weights: [Double]) {
    let angles = (0..<n).map { (j: Int) -> Double in Double.pi * (Double(j) + 0.5) / Double(n) }
    let weights = angles.indices.map { (j: Int) -> Double in
      let sign: Double = j % 2 == 0 ? 1 : -1
      return sign * _sin(angles[j])
    }
    return (angles.map(_cos), weights)
  }

  /// The checks of n Chebyshev points on [−1, 1]: the ends, and the angles halfway between
  /// the points.
  private static func checks(_ n: Int) -> [Double] {
    [-1.0, 1.0] + (1..<n).map { (j: Int) -> Double in _cos(Double.pi * Double(j) / Double(n)) }
  }

  /// Thrown by `values(at:scatter:waiting:)` where the piece it needs is being built by
  /// another measurer and it was asked not to wait.
  struct PieceBeingBuilt: Error {}

  /// The interpolated outputs at ȳ = `y` (and v = `v` on a map of two coordinates), the
  /// certified error of its piece and the piece's envelopes, or nil where the reading takes the
  /// exact path (outside the spans, or a piece not certified).
  ///
  /// - Parameter waiting: Whether to wait for a piece another measurer is building.
  /// - Throws: `PieceBeingBuilt` where it would wait and `waiting` is false.
  func values(
    at y: Double, scatter v: Double = 0, waiting: Bool = true
  ) throws -> (values: [Double], error: Double, envelope: [Double])? {
    guard span.contains(y), span.upperBound > span.lowerBound, scatter != nil || v == 0 else {
      return nil
    }
    var s = 0.0
    if let scatter {
      let (low, high) = (scatter.span.lowerBound, scatter.span.upperBound)
      guard scatter.span.contains(v), high > low else { return nil }
      s = (2 * v - low - high) / (high - low)
    }
    let width = (span.upperBound - span.lowerBound) / Double(topPieces)
    var index = min(Int((y - span.lowerBound) / width), topPieces - 1)
    var lower = span.lowerBound + width * Double(index)
    var upper = index == topPieces - 1 ? span.upperBound : lower + width
    for depth in 0...maximumDepth {
      let key = Self.key(depth: depth, index: index)
      guard
        let piece = pieces[key]
          ?? piece(lower: lower, upper: upper, depth: depth, key: key, waiting: waiting)
      else { throw PieceBeingBuilt() }
      switch piece {
      case .certified(let values, let error, let envelope):
        return (
          interpolate(values, at: (2 * y - lower - upper) / (upper - lower), s), error, envelope
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
  /// built here and kept for the others; nil where another is building it and `waiting` is
  /// false.
  private func piece(
    lower: Double, upper: Double, depth: Int, key: Int, waiting: Bool
  ) -> Piece? {
    guard let shared else { return build(lower: lower, upper: upper, depth: depth, key: key) }
    let sharedKey = SharedMeasurementMaps.Key(map: shared.kind, piece: key)
    // Waiting, or before leaving the observation for later: a point another builder offers.
    let help = { shared.maps.helpMeasure(kind: shared.kind, exact: self.exact) }
    switch shared.maps.pieceOrClaim(sharedKey, waiting: waiting, help: help) {
    case .built(let piece):
      pieces[key] = piece
      return piece
    case .busy:
      _ = help()
      return nil
    case .claimed:
      let piece = build(lower: lower, upper: upper, depth: depth, key: key)
      shared.maps.keep(piece, at: sharedKey)
      return piece
    }
  }

  /// Builds the piece [lower, upper] at `depth`: exact values at the nodes, then the checks.
  private func build(lower: Double, upper: Double, depth: Int, key: Int) -> Piece {
    let half = 0.5 * (upper - lower), center = 0.5 * (upper + lower)
    let scatterHalf = scatter.map { 0.5 * ($0.span.upperBound - $0.span.lowerBound) } ?? 0
    let scatterCenter = scatter.map { 0.5 * ($0.span.upperBound + $0.span.lowerBound) } ?? 0
    // Along v: its points and checks, or v = 0 alone.
    let (alongV, checksV) =
      scatter == nil ? ([0.0], [0.0]) : (scatterPoints, Self.checks(scatterPoints.count))
    var values: [Double] = []
    values.reserveCapacity(nodes * alongV.count * outputs)
    var envelope = [Double](repeating: -.infinity, count: envelopes)
    var piece = Piece.exact
    defer { pieces[key] = piece }
    // The outputs of the exact path `all`, the envelopes taken in.
    func taken(_ all: [Double]?) -> ArraySlice<Double>? {
      guard let all, all.count == outputs + envelopes else { return nil }
      for k in 0..<envelopes { envelope[k] = max(envelope[k], all[outputs + k]) }
      return all[0..<outputs]
    }
    // The exact outputs at (t, s).
    func measured(_ t: Double, _ s: Double) -> ArraySlice<Double>? {
      taken(exact(center + half * t, scatterCenter + scatterHalf * s))
    }
    // A map of ȳ alone that shares its points: each batch of them (its nodes, its checks)
    // offered to the measurers that help, and read in order here, the rest withdrawn where
    // the piece is done with them (nil otherwise: each point is measured here when needed).
    var offers: [SharedMeasurementMaps.Offer] = []
    defer { for offer in offers { shared?.maps.withdraw(offer) } }
    func offered(_ ts: [Double]) -> ((Int) -> ArraySlice<Double>?)? {
      guard sharesPoints, scatter == nil, let shared else { return nil }
      let offer = shared.maps.offer(ts.map { (center + half * $0, 0) }, kind: shared.kind)
      offers.append(offer)
      return { taken(shared.maps.outcome(of: offer, at: $0, exact: self.exact)) }
    }
    // A map of two coordinates measures its nodes along ȳ at one v first (the one nearest the
    // middle of v's span), and checks the interpolant along ȳ there at the piece's ends: the
    // 2-D interpolant at a node of v is that one, so that a miss there is a miss of the piece,
    // found after nodes + 2 exact points instead of all the nodes (a summary that changes
    // too fast along ȳ, as P(x below the domain) does where the readings reach its end).
    // These two points are not among the checks below: a piece can miss here that they would
    // have certified. `error` is the largest error of all the checks, these included.
    var error = 0.0
    var grid = [ArraySlice<Double>?](repeating: nil, count: points.count * alongV.count)
    if scatter != nil {
      let middle = alongV.count / 2
      var column: [Double] = []
      for j in points.indices {
        guard let node = measured(points[j], alongV[middle]) else { return piece }
        grid[j * alongV.count + middle] = node
        column += node
      }
      for t in Self.checks(nodes).prefix(2) {
        guard let truth = measured(t, alongV[middle]) else { return piece }
        error = max(error, accept(Array(truth), interpolate(column, at: t)))
        if error > 1 {
          if depth < maximumDepth { piece = .split }
          return piece
        }
      }
    }
    let offeredNodes = offered(points)
    for j in points.indices {
      for k in alongV.indices {
        let node =
          if let offeredNodes { offeredNodes(j) } else {
            grid[j * alongV.count + k] ?? measured(points[j], alongV[k])
          }
        guard let node else { return piece }
        values += node
      }
    }
    // The checks, the ends first (where a piece fails most often), up to the first miss.
    let checks = Self.checks(nodes)
    let offeredChecks = offered(checks)
    checking: for (i, t) in checks.enumerated() {
      for s in checksV {
        let truth = if let offeredChecks { offeredChecks(i) } else { measured(t, s) }
        guard let truth else { return piece }
        error = max(error, accept(Array(truth), interpolate(values, at: t, s)))
        if error > 1 { break checking }
      }
    }
    if error <= 1 {
      piece = .certified(values: values, error: error, envelope: envelope)
    } else if depth < maximumDepth {
      piece = .split
    }
    return piece
  }

  /// The interpolant of the node values at (t, s) ∈ [−1, 1]²: along v (s) first, where the
  /// map has two coordinates, then along ȳ (t).
  private func interpolate(_ values: [Double], at t: Double, _ s: Double) -> [Double] {
    guard scatter != nil else { return interpolate(values, at: t) }
    let n = scatterPoints.count
    var factors = [Double].zeros(n)
    var denominator = 0.0
    if let hit = scatterPoints.firstIndex(of: s) {
      factors[hit] = 1
      denominator = 1
    } else {
      for k in 0..<n {
        factors[k] = scatterWeights[k] / (s - scatterPoints[k])
        denominator += factors[k]
      }
    }
    var rows = [Double].zeros(nodes * outputs)
    for j in 0..<nodes {
      for k in 0..<n {
        let factor = factors[k] / denominator
        let base = (j * n + k) * outputs
        for o in 0..<outputs { rows[j * outputs + o] += factor * values[base + o] }
      }
    }
    return interpolate(rows, at: t)
  }

  /// The barycentric interpolant along ȳ of the node values at t ∈ [−1, 1].
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
