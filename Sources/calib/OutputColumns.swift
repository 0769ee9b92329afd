/// The reading columns `--y y1,y2,...` of an instrument with several outputs: one per output,
/// in the order it was fitted.
///
/// - Throws: `CommandFailure.usage` for an empty name, a column named twice, the outputs in
///   another order, or another number of columns than outputs.
func outputColumns(_ text: String, outputs: [String]) throws -> [String] {
  let columns = columnList(text)
  if text.split(separator: ",", omittingEmptySubsequences: false).count != columns.count {
    throw CommandFailure.usage("--y: an empty column name in '\(text)'")
  }
  if let repeated = columns.indices.first(where: { columns[..<$0].contains(columns[$0]) }) {
    throw CommandFailure.usage(
      "--y: the column '\(columns[repeated])' is given twice; give one column per output")
  }
  if columns != outputs, Set(columns) == Set(outputs) {
    throw CommandFailure.usage(
      "--y: the columns \(columns.joined(separator: ",")) are the instrument's outputs in another order; give them in the order it was fitted, --y \(outputs.joined(separator: ","))"
    )
  }
  guard columns.count == outputs.count else {
    throw CommandFailure.usage(
      "--y: the instrument has \(outputs.count) outputs (\(outputs.joined(separator: ", "))); give one column of readings per output, in that order, found \(columns.count)"
    )
  }
  return columns
}
