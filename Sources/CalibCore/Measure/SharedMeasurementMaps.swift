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
/// others (`offer(_:kind:)`) and takes their outcomes in order (`outcome(of:at:exact:)`),
/// measuring those no one has taken; one that finds the piece being built measures an offered
/// point with its own map of the same kind (`helpMeasure(kind:exact:)`) before it leaves the
/// observation for later or while it waits. A point's outputs are a function of its place
/// alone, the same bits whoever measures it, and the builder reads them in its own order,
/// withdrawing the rest (`withdraw(_:)`) where it stops early: the pieces are those one
/// measurer alone builds.
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

  /// A point a builder has offered (`offer(_:kind:)`): the k-th of its batch, at (ȳ, v), and
  /// the semaphore signalled once a helper has measured it.
  private struct OfferedPoint {
    let place: PointPlace
    let y: Double
    let v: Double
    let measured: DispatchSemaphore
  }

  /// A point of a batch: the batch, and the point's place in it.
  struct PointPlace: Hashable {
    let batch: Int
    let index: Int
  }

  /// The points a builder has offered, for it alone to read their outcomes in order
  /// (`outcome(of:at:exact:)`) and withdraw the rest (`withdraw(_:)`).
  final class Offer {
    let batch: Int
    let kind: Measurer.MapKey
    /// One per point, signalled once a helper has measured it.
    fileprivate let measured: [DispatchSemaphore]
    /// The points read so far: all before this one.
    fileprivate var read = 0

    fileprivate init(batch: Int, kind: Measurer.MapKey, measured: [DispatchSemaphore]) {
      self.batch = batch
      self.kind = kind
      self.measured = measured
    }
  }

  /// The pieces built, and those being built, each with the group its waiters wait on; the
  /// points offered and not yet taken, by the kind of map; the outcomes of points measured
  /// apart from their builder's reading (nil where the exact path cannot map the point),
  /// until it reads them; the points being measured whose builder has withdrawn its offer,
  /// whose outcomes are dropped when they come; the batches numbered so far.
  private struct State {
    var pieces: [Key: MeasurementMap.Piece] = [:]
    var building: [Key: DispatchGroup] = [:]
    var offered: [Measurer.MapKey: [OfferedPoint]] = [:]
    var measured: [PointPlace: [Double]?] = [:]
    var dropped: Set<PointPlace> = []
    var batches = 0
    /// Points measured by a measurer other than their builder, in all.
    var helped = 0
  }

  private let state = Mutex(State())

  /// An empty set, for measurers made with the same instrument and settings.
  public init() {}

  /// What `pieceOrClaim(_:waiting:help:)` found.
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

  /// Keeps `piece`, built at `key` by the measurer that claimed it (`pieceOrClaim(_:waiting:help:)`),
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

  /// Offers the `points` (ȳ, v) of a piece of the map `kind` to the measurers that find it
  /// being built (`helpMeasure(kind:exact:)`).
  func offer(_ points: [(y: Double, v: Double)], kind: Measurer.MapKey) -> Offer {
    let semaphores = points.map { _ in DispatchSemaphore(value: 0) }
    let batch = state.withLock { state -> Int in
      let batch = state.batches
      state.batches += 1
      for (index, point) in points.enumerated() {
        state.offered[kind, default: []].append(
          OfferedPoint(
            place: PointPlace(batch: batch, index: index), y: point.y, v: point.v,
            measured: semaphores[index]))
      }
      return batch
    }
    return Offer(batch: batch, kind: kind, measured: semaphores)
  }

  /// The exact outputs at point `index` of `offer`: measured here with `exact` where no one
  /// has taken it; else, while a helper measures it, the next points of the offer no one has
  /// taken are measured here (their outcomes kept for their turn), and then its outcome is
  /// waited for.
  func outcome(
    of offer: Offer, at index: Int, exact: (Double, Double) -> [Double]?
  ) -> [Double]? {
    let place = PointPlace(batch: offer.batch, index: index)
    offer.read = max(offer.read, index + 1)
    while true {
      enum Next {
        case measured([Double]?)
        case mine(OfferedPoint)
        case ahead(OfferedPoint)
        case wait
      }
      let next = state.withLock { state -> Next in
        if let outcome = state.measured.removeValue(forKey: place) { return .measured(outcome) }
        let offers = state.offered[offer.kind] ?? []
        if let k = offers.firstIndex(where: { $0.place == place }) {
          return .mine(Self.remove(k, kind: offer.kind, from: &state))
        }
        if let k = offers.firstIndex(where: { $0.place.batch == offer.batch }) {
          return .ahead(Self.remove(k, kind: offer.kind, from: &state))
        }
        return .wait
      }
      switch next {
      case .measured(let outcome):
        return outcome
      case .mine(let point):
        return exact(point.y, point.v)
      case .ahead(let point):
        let values = exact(point.y, point.v)
        state.withLock { $0.measured[point.place] = values }
      case .wait:
        offer.measured[index].wait()
      }
    }
  }

  /// Withdraws what remains of `offer` once its builder has read what it needs: the points no
  /// one has taken, the outcomes not read, and those of points still being measured, dropped
  /// when they come.
  func withdraw(_ offer: Offer) {
    state.withLock { state in
      var untaken: Set<Int> = []
      state.offered[offer.kind]?.removeAll { point in
        guard point.place.batch == offer.batch else { return false }
        untaken.insert(point.place.index)
        return true
      }
      if state.offered[offer.kind]?.isEmpty == true { state.offered[offer.kind] = nil }
      for index in offer.read..<offer.measured.count where !untaken.contains(index) {
        let place = PointPlace(batch: offer.batch, index: index)
        if state.measured.removeValue(forKey: place) == nil { state.dropped.insert(place) }
      }
    }
  }

  /// Measures with `exact` one point that a builder of a piece of the map `kind` has offered
  /// and no one has taken: whether there was one.
  func helpMeasure(kind: Measurer.MapKey, exact: (Double, Double) -> [Double]?) -> Bool {
    guard
      let point = state.withLock({ state in
        state.offered[kind].flatMap { $0.isEmpty ? nil : Self.remove(0, kind: kind, from: &state) }
      })
    else { return false }
    let values = exact(point.y, point.v)
    state.withLock { state in
      state.helped += 1
      if state.dropped.remove(point.place) == nil { state.measured[point.place] = values }
    }
    point.measured.signal()
    return true
  }

  /// Points measured by a measurer other than their builder so far.
  var helpedPoints: Int { state.withLock { $0.helped } }

  /// Takes the k-th point offered for the map `kind` out of the offers.
  private static func remove(
    _ k: Int, kind: Measurer.MapKey, from state: inout State
  ) -> OfferedPoint {
    // Cannot trap: the callers found k among the offers of `kind`.
    let point = state.offered[kind]!.remove(at: k)
    if state.offered[kind]!.isEmpty { state.offered[kind] = nil }
    return point
  }
}
