internal import CVectorMath
internal import CalibSystem

// The C library's elementary functions under names that do not collide with the cases of
// `ElementaryFunction` or with the standard library.

@inline(__always) func _exp(_ a: Double) -> Double { exp(a) }
@inline(__always) func _log(_ a: Double) -> Double { log(a) }
@inline(__always) func _log1p(_ a: Double) -> Double { log1p(a) }
@inline(__always) func _expm1(_ a: Double) -> Double { expm1(a) }
@inline(__always) func _sin(_ a: Double) -> Double { sin(a) }
@inline(__always) func _cos(_ a: Double) -> Double { cos(a) }
@inline(__always) func _tan(_ a: Double) -> Double { tan(a) }
@inline(__always) func _atan(_ a: Double) -> Double { atan(a) }
@inline(__always) func _pow(_ a: Double, _ b: Double) -> Double { pow(a, b) }
@inline(__always) func _sinh(_ a: Double) -> Double { sinh(a) }
@inline(__always) func _cosh(_ a: Double) -> Double { cosh(a) }
@inline(__always) func _asinh(_ a: Double) -> Double { asinh(a) }

// Many at a time (`Sources/CVectorMath`): the one place the engine calls that module.

/// eᵃ by glibc's vector exponential on x86-64 Linux (within 4 ulp), the C library's `exp`
/// elsewhere: bit for bit what `exponentials(_:count:)` gives for a.
@inline(__always) func _vectorExp(_ a: Double) -> Double { calib_exp(a) }

/// Replaces each of the `count` values at `values` by its exponential, as `_vectorExp` gives
/// it, two at a time on x86-64 Linux.
@inline(__always) func exponentials(_ values: UnsafeMutablePointer<Double>, count: Int) {
  calib_exp_each(values, count)
}

/// The correctly rounded square roots of the `count` values at `values` into `roots` (NaN
/// below 0), two at a time on x86-64 (SSE2), where `squareRoot()` takes them one by one.
@inline(__always) func squareRoots(
  of values: UnsafePointer<Double>, into roots: UnsafeMutablePointer<Double>, count: Int
) {
  calib_sqrt_each(roots, values, count)
}
