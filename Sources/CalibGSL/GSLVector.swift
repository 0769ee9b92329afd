internal import CGSL

/// A dense vector owned by GSL (`gsl_vector`), freed when the object goes away.
package final class GSLVector {
  let pointer: UnsafeMutablePointer<gsl_vector>
  /// Number of elements.
  package let count: Int

  /// Allocates a vector of `count` zeros (`gsl_vector_calloc`).
  ///
  /// - Throws: `GSLError` when `count` is zero or the allocation fails.
  package init(count: Int) throws(GSLError) {
    GSL.prepare()
    guard count > 0, let vector = gsl_vector_calloc(count) else {
      throw GSL.allocationFailure("gsl_vector_calloc")
    }
    self.pointer = vector
    self.count = count
  }

  deinit {
    gsl_vector_free(pointer)
  }

  /// The element at `index` (from zero), read and written in place.
  package subscript(index: Int) -> Double {
    get {
      // Cannot trap: indices come from loops over 0..<count (as for a Swift array).
      precondition(index >= 0 && index < count)
      return pointer.pointee.data[index * pointer.pointee.stride]
    }
    set {
      // Cannot trap: indices come from loops over 0..<count (as for a Swift array).
      precondition(index >= 0 && index < count)
      pointer.pointee.data[index * pointer.pointee.stride] = newValue
    }
  }
}
