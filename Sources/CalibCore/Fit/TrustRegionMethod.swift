internal import CalibGSL

/// The trust-region subproblem method of a run of the nonlinear solver (GSL's
/// `gsl_multifit_nlinear` trust-region strategies), as the instrument file records it.
public enum TrustRegionMethod: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
  /// Levenberg–Marquardt with geodesic acceleration (Transtrum & Sethna 2012).
  case levenbergMarquardtAccelerated = "Levenberg–Marquardt with geodesic acceleration"
  /// Levenberg–Marquardt.
  case levenbergMarquardt = "Levenberg–Marquardt"
  /// Double dogleg (Dennis & Mei 1979).
  case doubleDogleg = "double dogleg"

  /// The GSL layer's name for the method.
  var solverMethod: TrustRegionSolver.Method {
    switch self {
    case .levenbergMarquardtAccelerated: return .levenbergMarquardtAccelerated
    case .levenbergMarquardt: return .levenbergMarquardt
    case .doubleDogleg: return .doubleDogleg
    }
  }

  /// The raw value, as the files write it.
  public var description: String { rawValue }
}
