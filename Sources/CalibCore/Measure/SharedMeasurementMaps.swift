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

  /// The pieces built, and those being built, each with the group its waiters wait on.
  private struct State {
    var pieces: [Key: MeasurementMap.Piece] = [:]
    var building: [Key: DispatchGroup] = [:]
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
  /// `waiting` (else `busy`); `claimed` when no one has.
  func pieceOrClaim(_ key: Key, waiting: Bool) -> Claim {
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
      wait.wait()
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
}
