/// One observation of an unknown sample: a single reading, or the replicate readings that
/// share a `--group` label.
public struct Observation: Sendable, Equatable {
  /// The observation's name: the `--group` label, the `--id` value, or its line number.
  public var id: String
  /// The readings y*, in the units of the instrument's response.
  public var readings: [Double]
  /// The standard uncertainty of each reading, when given (`--sy`).
  public var uncertainties: [Double]?
  /// The line of the file where the observation starts.
  public var line: Int

  /// An observation named `id` with its readings (and their u), starting at `line`.
  public init(id: String, readings: [Double], uncertainties: [Double]? = nil, line: Int) {
    self.id = id
    self.readings = readings
    self.uncertainties = uncertainties
    self.line = line
  }
}

/// Reads observations from a CSV file one at a time, in input order.
///
/// Rows that share a `--group` label must be consecutive: a label that comes back after
/// another group is an error (sorting the file by group fixes it). This keeps memory flat:
/// only the current group is held, and the set of labels seen.
public final class ObservationReader {
  private let reader: CSVReader
  private let responseColumn: Int
  private let idColumn: Int?
  private let groupColumn: Int?
  private let uncertaintyColumn: Int?
  private var pending: (group: String, observation: Observation)?
  private var finishedGroups: Set<String> = []
  private var exhausted = false

  /// Prepares to read observations.
  ///
  /// - Parameters:
  ///   - reader: A CSV reader positioned after the header.
  ///   - response: The readings' column (`--y`).
  ///   - id: The column naming each observation (`--id`), if any.
  ///   - group: The column grouping replicate readings (`--group`), if any.
  ///   - uncertainty: The column of the readings' standard uncertainties (`--sy`), if any.
  /// - Throws: `InputError` for a column the file does not have.
  public init(reader: CSVReader, response: String, id: String? = nil, group: String? = nil, uncertainty: String? = nil) throws(InputError) {
    self.reader = reader
    responseColumn = try reader.column(named: response)
    idColumn = try id.map { name throws(InputError) in try reader.column(named: name) }
    groupColumn = try group.map { name throws(InputError) in try reader.column(named: name) }
    uncertaintyColumn = try uncertainty.map { name throws(InputError) in try reader.column(named: name) }
  }

  /// The next observation, or nil at the end of the file.
  ///
  /// - Throws: `InputError` at the line and column of a bad value or a group that recurs.
  public func next() throws(InputError) -> Observation? {
    while !exhausted {
      guard try reader.nextRecord() else {
        exhausted = true
        break
      }
      let reading = try reader.number(at: responseColumn).doubleValue
      var uncertainty: Double?
      if let k = uncertaintyColumn {
        let u = try reader.number(at: k).doubleValue
        guard u > 0 else {
          let (line, column) = reader.location(of: k)
          throw InputError(file: reader.name, line: line, column: column, message: "a standard uncertainty must be positive, found \(reader.text(at: k).trimmingSpaces)")
        }
        uncertainty = u
      }
      let id = idColumn.map { reader.text(at: $0).trimmingSpaces }
      guard let groupColumn else {
        return Observation(id: id ?? "\(reader.line)", readings: [reading], uncertainties: uncertainty.map { [$0] }, line: reader.line)
      }
      let label = reader.text(at: groupColumn).trimmingSpaces
      if var current = pending, current.group == label {
        current.observation.readings.append(reading)
        if let uncertainty { current.observation.uncertainties?.append(uncertainty) }
        pending = current
        continue
      }
      if finishedGroups.contains(label) {
        let (line, column) = reader.location(of: groupColumn)
        throw InputError(
          file: reader.name, line: line, column: column,
          message: "the rows of group '\(label)' are not consecutive; sort the file by the group column")
      }
      let started = Observation(id: id ?? label, readings: [reading], uncertainties: uncertainty.map { [$0] }, line: reader.line)
      let finished = pending
      pending = (label, started)
      if let finished {
        finishedGroups.insert(finished.group)
        return finished.observation
      }
    }
    defer { pending = nil }
    return pending?.observation
  }
}
