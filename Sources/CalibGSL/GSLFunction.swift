internal import CGSL

/// Hands a Swift closure to GSL as a `gsl_function`: the closure travels as the function's
/// parameter pointer, and a C trampoline calls it. The one place where calib builds a
/// `gsl_function`.
enum GSLFunction {
  /// Calls `body` with a `gsl_function` that evaluates `f`, valid only during the call.
  static func with<Result>(
    _ f: (Double) -> Double, _ body: (UnsafeMutablePointer<gsl_function>) -> Result
  ) -> Result {
    withoutActuallyEscaping(f) { closure in
      var context = closure
      return withUnsafeMutablePointer(to: &context) { pointer in
        var function = gsl_function(
          function: { x, parameters in
            // Cannot trap: GSL passes back the params pointer it was given, never null.
            parameters!.assumingMemoryBound(to: ((Double) -> Double).self).pointee(x)
          },
          params: UnsafeMutableRawPointer(pointer))
        return body(&function)
      }
    }
  }
}
