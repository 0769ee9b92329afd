import Dispatch
import Synchronization

/// The pieces of measurement maps that several measurers of the same instrument and settings
/// share: the threads of one run (`calib measure --threads`), each with its measurer.
///
/// A piece is a function of the instrument, the settings, the kind of observation and its
/// place only (`MeasurementMap`), so whichever measurer builds it, every other may use it:
/// the figures are the same bit for bit, and each piece is built once in a run instead of
/// once per thread. A measurer that needs a piece another is building waits for it (a piece
/// of a posterior averaged over samples or by quadrature takes seconds to build), or, asked
/// not to (`Measurer.measureUnlessWaiting(_:)`), leaves that observation for later.
///
/// Where each exact point of a piece is costly (a posterior averaged over samples or by
/// quadrature: 50–150 ms a point), the measurer that builds a piece offers its points to the
/// others (`measure(_:kind:exact:)`), and one that finds the piece being built measures one of
/// them with its own map of the same kind (`helpMeasure(kind:exact:)`) before it leaves the
/// observation for later or while it waits: a point's outputs are a function of its place
/// alone, the same bits whoever measures it, and the builder takes them in its own order.
public final class SharedMeasurementMaps: Sendable {
  /// A piece of one map: the map's kind and the piece's key within it.
  struct Key: Hashable {
    let map: Measurer.MapKey
    let piece: Int
  }

  /// The most pieces kept; one more starts the set afresh (a run of readings with many
  /// different u, each kind of observation a map of its own, would otherwise grow without
  /// bound). What is kept changes no figure, only the time.
  static let pieceLimit = 4096

  /// A point a builder has offered (`measure(_:kind:exact:)`): the k-th of its batch, at
  /// (ȳ, v), and the group that counts the batch's points not yet measured.
  private struct OfferedPoint {
    let batch: Int
    let index: Int
    let y: Double
    let v: Double
    let done: DispatchGroup
  }

  /// A measured point of a batch: the batch, and the point's place in it.
  private struct PointPlace: Hashable {
    let batch: Int
    let index: Int
  }

  /// The outputs of the exact path at a point (nil where it cannot be mapped).
  private struct Outcome {
    let values: [Double]?
  }

  /// The pieces built, and those being built, each with the group its waiters wait on; the
  /// points offered and not yet taken, by the kind of map; the outcomes of those measured,
  /// until their builder collects them; the batches numbered so far.
  private struct State {
    var pieces: [Key: MeasurementMap.Piece] = [:]
    var building: [Key: DispatchGroup] = [:]
    var offered: [Measurer.MapKey: [OfferedPoint]] = [:]
    var measured: [PointPlace: Outcome] = [:]
    var batches = 0
  }

  private let state = Mutex(State())

  /// An empty set, for measurers made with the same instrument and settings.
  public init() {}

  /// What `pieceOrClaim(_:waiting:)` found.
  enum Claim {
    /// Some measurer has built the piece.
    case built(MeasurementMap.Piece)
    /// No one has: the caller is to build it and hand it over with `keep(_:at:)`.
    case claimed
    /// Another measurer is building it, and the caller would not wait.
    case busy
  }

  /// The piece at `key` if some measurer has built it, waiting while another builds it where
  /// `waiting` (else `busy`); `claimed` when no one has. While it waits, it calls `help`, which
  /// says whether it did something (measured a point offered, `helpMeasure(kind:exact:)`),
  /// until it has nothing to do, and then looks again every 10 ms (new points may be offered
  /// meanwhile).
  func pieceOrClaim(_ key: Key, waiting: Bool, help: () -> Bool = { false }) -> Claim {
    while true {
      let (piece, wait) = state.withLock { state -> (MeasurementMap.Piece?, DispatchGroup?) in
        if let piece = state.pieces[key] { return (piece, nil) }
        if let group = state.building[key] { return (nil, group) }
        let group = DispatchGroup()
        group.enter()
        state.building[key] = group
        return (nil, nil)
      }
      if let piece { return .built(piece) }
      guard let wait else { return .claimed }
      guard waiting else { return .busy }
      if !help() { _ = wait.wait(timeout: .now() + .milliseconds(10)) }
    }
  }

  /// Keeps `piece`, built at `key` by the measurer that claimed it (`pieceOrClaim(_:waiting:)`),
  /// for the others, and wakes those waiting for it.
  func keep(_ piece: MeasurementMap.Piece, at key: Key) {
    let group = state.withLock { state -> DispatchGroup? in
      if state.pieces[key] == nil {
        if state.pieces.count >= Self.pieceLimit { state.pieces.removeAll() }
        state.pieces[key] = piece
      }
      return state.building.removeValue(forKey: key)
    }
    group?.leave()
  }

  /// The exact outputs at the `points` (ȳ, v) of a piece of the map `kind`, in order: `exact`
  /// here, each point offered meanwhile to the measurers that find the piece being built
  /// (`helpMeasure(kind:exact:)`); returns once every point is measured.
  func measure(
    _ points: [(y: Double, v: Double)], kind: Measurer.MapKey,
    exact: (Double, Double) -> [Double]?
  ) -> [[Double]?] {
    let done = DispatchGroup()
    let batch = state.withLock { state -> Int in
      let batch = state.batches
      state.batches += 1
      for (index, point) in points.enumerated() {
        done.enter()
        state.offered[kind, default: []].append(
          OfferedPoint(batch: batch, index: index, y: point.y, v: point.v, done: done))
      }
      return batch
    }
    // This batch's points not yet taken, in order, until the others have taken the rest.
    while let point = take(kind, batch: batch) { measure(point, exact: exact) }
    done.wait()
    return state.withLock { state in
      points.indices.map { index in
        state.measured.removeValue(forKey: PointPlace(batch: batch, index: index))?.values
      }
    }
  }

  /// Measures with `exact` one point that a builder of a piece of the map `kind` has offered
  /// and no one has taken: whether there was one.
  func helpMeasure(kind: Measurer.MapKey, exact: (Double, Double) -> [Double]?) -> Bool {
    guard let point = take(kind, batch: nil) else { return false }
    measure(point, exact: exact)
    return true
  }

  /// The first point offered for the map `kind` (of `batch`, where given), taken from the
  /// offers.
  private func take(_ kind: Measurer.MapKey, batch: Int?) -> OfferedPoint? {
    state.withLock { state in
      guard let offers = state.offered[kind],
        let first = offers.firstIndex(where: { batch == nil || $0.batch == batch })
      else { return nil }
      let point = offers[first]
      state.offered[kind]?.remove(at: first)
      if state.offered[kind]?.isEmpty == true { state.offered[kind] = nil }
      return point
    }
  }

  /// Measures `point` with `exact`, keeps its outcome for its builder, and counts it done.
  private func measure(_ point: OfferedPoint, exact: (Double, Double) -> [Double]?) {
    let values = exact(point.y, point.v)
    state.withLock { state in
      state.measured[PointPlace(batch: point.batch, index: point.index)] = Outcome(
        values: values)
    }
    point.done.leave()
  }
}
