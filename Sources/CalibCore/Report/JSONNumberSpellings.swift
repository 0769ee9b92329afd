/// The JSON spellings of the numbers a thread wrote last, by their bits: a report repeats
/// many of the numbers of the one before it (the calibrated domain, the response range, the
/// level, the local curvature test of a neighbourhood, the standards), and making the shortest
/// round-trip digits of a `Double` costs more than all the rest of writing it.
///
/// Direct-mapped: a number's slot is fixed by its bits, and a new number takes the slot over.
/// A spelling is the number's `appendJSONNumber(_:to:)` bytes whatever the slots hold, so the
/// output is the same with or without, and in any order. One per thread: not thread-safe.
public final class JSONNumberSpellings {
  /// Slots, a power of 2.
  static let slots = 512
  /// The longest spelling a slot holds: a Double's shortest form is at most 24 bytes
  /// (-2.2250738585072014e-308).
  static let width = 24

  private let keys: UnsafeMutablePointer<UInt64>
  private let lengths: UnsafeMutablePointer<UInt8>
  private let spellings: UnsafeMutablePointer<UInt8>

  /// Empty slots (the bits of a NaN, which no spelling is asked for).
  public init() {
    keys = .allocate(capacity: Self.slots)
    keys.initialize(repeating: Double.nan.bitPattern, count: Self.slots)
    lengths = .allocate(capacity: Self.slots)
    lengths.initialize(repeating: 0, count: Self.slots)
    spellings = .allocate(capacity: Self.slots * Self.width)
    spellings.initialize(repeating: 0, count: Self.slots * Self.width)
  }

  deinit {
    keys.deallocate()
    lengths.deallocate()
    spellings.deallocate()
  }

  /// The spelling of a finite `value`, from its slot or made there by `spell`, which writes
  /// at most `width` bytes at the pointer it is given and returns how many.
  func spelling(
    of value: Double, spell: (UnsafeMutablePointer<UInt8>) -> Int
  ) -> UnsafeBufferPointer<UInt8> {
    let bits = value.bitPattern
    // Fibonacci hashing: the top bits of the product mix every bit of the number's.
    let slot = Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> 55) & (Self.slots - 1)
    let start = spellings + slot * Self.width
    if keys[slot] != bits {
      lengths[slot] = UInt8(truncatingIfNeeded: spell(start))
      keys[slot] = bits
    }
    return UnsafeBufferPointer(start: start, count: Int(lengths[slot]))
  }
}
