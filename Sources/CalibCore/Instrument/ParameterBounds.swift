/// The bounds a fit put on a nonlinear model's parameters (`posterior.bounds`, a uniform
/// prior within them), in the parameters' order: nil for a parameter that is free.
struct ParameterBounds {
  /// The bound of each parameter, or nil.
  let limits: [RangeRecord?]

  /// The bounds in `bounds` (by name) of `parameters`, in their order.
  init(_ bounds: [String: RangeRecord]?, parameters: [String]) {
    limits = parameters.map { bounds?[$0] }
  }

  /// Whether each parameter value in `a` (in the parameters' order) lies within its bounds,
  /// ends included. A NaN lies within none.
  func admit(_ a: [Double]) -> Bool {
    for (j, limit) in limits.enumerated() {
      if let limit, !limit.contains(a[j]) { return false }
    }
    return true
  }
}
