internal import CGSL

/// A dense row-major matrix owned by GSL (`gsl_matrix`), freed when the object goes away.
package final class GSLMatrix {
  let pointer: UnsafeMutablePointer<gsl_matrix>
  /// Number of rows.
  package let rows: Int
  /// Number of columns.
  package let columns: Int

  /// Allocates a `rows × columns` matrix of zeros (`gsl_matrix_calloc`).
  ///
  /// - Throws: `GSLError` when a dimension is zero or the allocation fails.
  package init(rows: Int, columns: Int) throws(GSLError) {
    GSL.prepare()
    guard rows > 0, columns > 0, let matrix = gsl_matrix_calloc(rows, columns) else {
      throw GSL.allocationFailure("gsl_matrix_calloc")
    }
    self.pointer = matrix
    self.rows = rows
    self.columns = columns
  }

  deinit {
    gsl_matrix_free(pointer)
  }

  /// The element in row `row` and column `column` (both from zero), read and written in place.
  package subscript(row: Int, column: Int) -> Double {
    get {
      // Cannot trap: indices come from loops over the dimensions (as for a Swift array).
      precondition(row >= 0 && row < rows && column >= 0 && column < columns)
      return pointer.pointee.data[row * pointer.pointee.tda + column]
    }
    set {
      // Cannot trap: indices come from loops over the dimensions (as for a Swift array).
      precondition(row >= 0 && row < rows && column >= 0 && column < columns)
      pointer.pointee.data[row * pointer.pointee.tda + column] = newValue
    }
  }

  /// Copies `other`, which must have the same dimensions, into this matrix.
  ///
  /// - Throws: `GSLError` (`GSL_EBADLEN`) when the dimensions differ.
  ///
  /// Calls `gsl_matrix_memcpy`.
  package func copy(from other: GSLMatrix) throws(GSLError) {
    try GSL.check(gsl_matrix_memcpy(pointer, other.pointer), "gsl_matrix_memcpy")
  }
}
