/// A failure reported by the GNU Scientific Library.
///
/// GSL's default error handler aborts the process; calib switches it off once per process
/// (see `GSL.prepare()`), so every GSL status code arrives here instead and becomes a Swift
/// error that names the GSL function and carries `gsl_strerror`'s text.
package struct GSLError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The GSL status code (`GSL_EDOM`, `GSL_ENOMEM`, …).
  package var status: Int32
  /// The GSL function that reported the status, e.g. `gsl_linalg_SV_decomp_jacobi`.
  package var function: String
  /// GSL's own description of the status (`gsl_strerror`).
  package var reason: String

  /// The failure `status` of `function`, described by `reason`.
  package init(status: Int32, function: String, reason: String) {
    self.status = status
    self.function = function
    self.reason = reason
  }

  package var description: String {
    "\(function) failed: \(reason) (GSL status \(status))"
  }
}
