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
