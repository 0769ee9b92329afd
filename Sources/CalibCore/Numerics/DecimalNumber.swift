internal import CalibSystem

/// Strict reading of a decimal number, as calib accepts them in data files and formulas.
///
/// Accepted: an optional sign, digits with an optional decimal point (`12`, `-0.5`, `.11019`,
/// `3.`), and an optional exponent (`1e-3`, `2.5E+04`). Rejected: text, `nan`, `inf`,
/// hexadecimal, thousands separators, a decimal comma, and values beyond the range of a
/// double. The result is the decimal value to twice double precision: `high` is the correctly
/// rounded double (`strtod`), `low` what rounding left over.
package enum DecimalNumber {
  /// Why a field is not a number.
  package enum Failure: Error, Equatable, Sendable {
    /// Nothing there (after spaces are trimmed).
    case empty
    /// A decimal comma where a point was expected, e.g. `1,5`.
    case decimalComma
    /// Not of the form of a decimal number.
    case malformed
    /// Too large in magnitude for a double.
    case overflow
  }

  /// The outcome of reading one field.
  package enum Outcome: Equatable, Sendable {
    case value(DoubleDouble)
    case failure(Failure)

    /// The value, when there is one.
    package var value: DoubleDouble? {
      if case .value(let v) = self { return v }
      return nil
    }
  }

  /// Reads `text`, after trimming spaces and tabs at both ends.
  package static func parse(_ text: String) -> DoubleDouble? {
    var copy = text
    return copy.withUTF8 { parse(bytes: $0).value }
  }

  /// Reads the bytes of one field, after trimming spaces and tabs at both ends.
  ///
  /// - Complexity: O(length); allocates nothing.
  package static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
    var start = 0
    var end = bytes.count
    while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
    while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
    guard start < end else { return .failure(.empty) }

    // Syntax, and the significant digits with the decimal exponent they imply.
    var i = start
    var negative = false
    if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
      negative = bytes[i] == UInt8(ascii: "-")
      i += 1
    }
    var digits = SignificantDigits()
    var sawDigit = false
    var sawPoint = false
    while i < end {
      let b = bytes[i]
      if b >= 0x30 && b <= 0x39 {
        sawDigit = true
        digits.append(b - 0x30, afterPoint: sawPoint)
      } else if b == UInt8(ascii: ".") && !sawPoint {
        sawPoint = true
      } else {
        break
      }
      i += 1
    }
    guard sawDigit else { return .failure(.malformed) }
    var exponent = 0
    if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      var exponentNegative = false
      if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
        exponentNegative = bytes[i] == UInt8(ascii: "-")
        i += 1
      }
      guard i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 else { return .failure(.malformed) }
      while i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
        if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[i] - 0x30) }
        i += 1
      }
      if exponentNegative { exponent = -exponent }
    }
    if i < end {
      return .failure(bytes[i] == UInt8(ascii: ",") && !sawPoint ? .decimalComma : .malformed)
    }

    // The correctly rounded double, from the C library.
    let high: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: end - start + 1) {
      buffer in
      for k in start..<end { buffer[k - start] = CChar(bitPattern: bytes[k]) }
      buffer[end - start] = 0
      // Cannot trap: a temporary allocation of capacity ≥ 1 has a base address.
      return strtod(buffer.baseAddress!, nil)
    }
    guard high.isFinite else { return .failure(.overflow) }
    // `strtod` read the sign; the digits are the magnitude.
    let low = digits.remainder(after: Swift.abs(high), decimalExponent: exponent)
    return .value(DoubleDouble(high, negative ? -low : low))
  }
}

/// The leading significant digits of a decimal number, in 19-digit chunks.
private struct SignificantDigits {
  /// At most this many significant digits are kept: beyond them a double-double has no room.
  static let kept = 38
  var high: UInt64 = 0
  var low: UInt64 = 0
  var lowCount = 0
  var count = 0
  /// The power of ten the kept digits, read as an integer, must be multiplied by.
  var scale = 0

  mutating func append(_ digit: UInt8, afterPoint: Bool) {
    if count == 0 && digit == 0 {
      if afterPoint { scale -= 1 }
      return
    }
    if count < Self.kept {
      if count < 19 {
        high = high * 10 + UInt64(digit)
      } else {
        low = low * 10 + UInt64(digit)
        lowCount += 1
      }
      count += 1
      if afterPoint { scale -= 1 }
    } else if !afterPoint {
      scale += 1
    }
  }

  /// The decimal value minus `rounded` (its double), as a double; 0 where the value is
  /// outside the range in which a double-double can represent it.
  func remainder(after rounded: Double, decimalExponent: Int) -> Double {
    guard count > 0, rounded != 0, rounded.isNormal, Swift.abs(rounded) < 1e300,
      Swift.abs(rounded) > 1e-290
    else {
      return 0
    }
    var value = DoubleDouble(high)
    if lowCount > 0 {
      value = value * powerOfTen(lowCount) + DoubleDouble(low)
    }
    let e = scale + decimalExponent
    value = e >= 0 ? value * powerOfTen(e) : value / powerOfTen(-e)
    let low = (value - DoubleDouble(rounded)).doubleValue
    guard low.isFinite, Swift.abs(low) <= rounded.ulp else { return 0 }
    return low
  }

  /// 10ⁿ to double-double precision (exact for n ≤ 22, since 10²² < 2⁵³·5²²… is a double).
  private func powerOfTen(_ n: Int) -> DoubleDouble {
    var result = DoubleDouble(1.0)
    var base = DoubleDouble(10.0)
    var k = n
    while k > 0 {
      if k & 1 == 1 { result = result * base }
      base = base * base
      k >>= 1
    }
    return result
  }
}
