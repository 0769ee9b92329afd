internal import CGSL

/// Switches GSL's aborting error handler off. Evaluated once, lazily and thread-safely, by the
/// first use of any GSL wrapper (Swift initializes globals exactly once).
private let errorHandlerOff: Bool = {
  _ = gsl_set_error_handler_off()
  return true
}()

/// The one place where calib talks to GSL about errors.
package enum GSL {
  /// Makes sure GSL's error handler is off before any GSL call. Cheap after the first call.
  static func prepare() {
    // Cannot trap: errorHandlerOff is a constant true, evaluated once; the check makes it run.
    precondition(errorHandlerOff)
  }

  /// Turns a GSL status code into a thrown `GSLError`.
  ///
  /// - Parameters:
  ///   - status: The value a GSL function returned.
  ///   - function: The GSL function's name, for the message.
  /// - Throws: `GSLError` when `status` is not `GSL_SUCCESS`.
  static func check(_ status: Int32, _ function: String) throws(GSLError) {
    guard status != Int32(GSL_SUCCESS) else { return }
    throw GSLError(status: status, function: function, reason: reason(status))
  }

  /// The allocation failure of `function`, as GSL would describe it.
  static func allocationFailure(_ function: String) -> GSLError {
    GSLError(status: Int32(GSL_ENOMEM), function: function, reason: reason(Int32(GSL_ENOMEM)))
  }

  /// `gsl_strerror` for a status code.
  static func reason(_ status: Int32) -> String {
    guard let text = gsl_strerror(status) else { return "unknown GSL error" }
    return String(cString: text)
  }

  /// The version of the GSL headers calib was built with, e.g. `2.7.1`.
  package static var version: String { GSL_VERSION }
}
