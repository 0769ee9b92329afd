internal import CalibGSL

/// Where an instrument file came from.
public struct Provenance: Codable, Equatable, Sendable {
  /// The calibration file's name as given.
  public var input: String
  /// SHA-256 of the calibration file's bytes.
  public var inputSHA256: String
  /// The calib version that wrote the file.
  public var calibVersion: String
  /// The GSL version calib was built with.
  public var gslVersion: String
  /// The command line that made the file.
  public var command: [String]

  /// The provenance of a file made now from `input`, with the GSL version of this build.
  public init(input: String, inputSHA256: String, calibVersion: String, command: [String]) {
    self.input = input
    self.inputSHA256 = inputSHA256
    self.calibVersion = calibVersion
    self.gslVersion = GSL.version
    self.command = command
  }

  enum CodingKeys: String, CodingKey {
    case input, command
    case inputSHA256 = "input_sha256"
    case calibVersion = "calib_version"
    case gslVersion = "gsl_version"
  }
}
