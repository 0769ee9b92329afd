import Crypto

/// SHA-256 digests as calib writes them in provenance records: 64 lowercase hexadecimal
/// digits.
public enum SHA256Digest {
  /// The SHA-256 of `bytes`.
  public static func hex(of bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

  /// A digest's bytes as lowercase hexadecimal.
  static func hex(_ digest: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in digest { text += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
    return String(decoding: text, as: UTF8.self)
  }
}
