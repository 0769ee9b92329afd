import Synchronization

/// The pieces of measurement maps that several measurers of the same instrument and settings
/// share: the threads of one run (`calib measure --threads`), each with its measurer.
///
/// A piece is a function of the instrument, the settings, the kind of observation and its
/// place only (`MeasurementMap`), so whichever measurer builds it, every other may use it:
/// the figures are the same bit for bit, and each piece is built about once in a run instead
/// of once per thread. Two measurers that need the same piece at the same moment may both build
/// it; the first kept wins, and the two are equal.
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

  private let pieces = Mutex<[Key: MeasurementMap.Piece]>([:])

  /// An empty set, for measurers made with the same instrument and settings.
  public init() {}

  /// The piece at `key`, if some measurer has built it.
  func piece(_ key: Key) -> MeasurementMap.Piece? {
    pieces.withLock { $0[key] }
  }

  /// Keeps `piece`, built at `key`, for the others, unless another measurer kept it first.
  func keep(_ piece: MeasurementMap.Piece, at key: Key) {
    pieces.withLock {
      guard $0[key] == nil else { return }
      if $0.count >= Self.pieceLimit { $0.removeAll() }
      $0[key] = piece
    }
  }
}
