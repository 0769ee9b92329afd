/// The version of calib, recorded in every file it writes.
public enum CalibVersion {
  /// Semantic version of this build.
  public static let current = "0.1.0"
}
