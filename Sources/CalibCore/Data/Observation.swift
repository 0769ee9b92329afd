/// One observation of an unknown sample: a single reading, or the replicate readings that
/// share a `--group` label.
public struct Observation: Sendable, Equatable {
  /// The observation's name: the `--group` label, the `--id` value, or its line number.
  public var id: String
  /// The readings y*, in the units of the instrument's response; for an instrument with
  /// several outputs, the reading vectors one after another (`outputs` values each).
  public var readings: [Double]
  /// The number of outputs of each reading (the length of a reading vector): 1 for a
  /// single-output instrument.
  public var outputs: Int = 1
  /// The standard uncertainty of each reading, when given (`--sy`).
  public var uncertainties: [Double]?
  /// The line of the file where the observation starts.
  public var line: Int
  /// The factor by which the sample was diluted before it was read (`--dilution`): the
  /// undiluted sample's x is this times the measured x. Nil when not given.
  public var dilution: Double?
  /// Why a row of this observation could not be read (a reading that is not a number, a
  /// record with too few fields), or nil. `readings` then holds only the readable ones, and
  /// measuring the observation reports this problem instead of numbers.
  public var defect: InputError?

  /// An observation named `id` with its readings (and their u), starting at `line`.
  public init(
    id: String, readings: [Double], uncertainties: [Double]? = nil, line: Int,
    defect: InputError? = nil
  ) {
    self.id = id
    self.readings = readings
    self.uncertainties = uncertainties
    self.line = line
    self.defect = defect
  }
}

/// Reads observations from a CSV file one at a time, in input order.
///
/// Rows that share a `--group` label must be consecutive: a label that comes back after
/// another group is an error (sorting the file by group fixes it). This keeps memory flat:
/// only the current group is held, and the set of labels seen.
public final class ObservationReader {
  private let reader: CSVReader

  /// The SHA-256 of the bytes read so far: the file's, once every observation has been read.
  package var sha256: String { reader.sha256 }
  private let responseColumns: [Int]
  private let idColumn: Int?
  private let groupColumn: Int?
  private let uncertaintyColumn: Int?
  private let dilutionColumn: Int?
  private var pending: (group: String, observation: Observation)?
  /// The rows with the wrong number of fields read while a group was pending, each an
  /// observation of its own that comes after the group (which they do not end).
  private var deferred: [Observation] = []
  /// Observations read and ready, to be returned next, first to last.
  private var ready: [Observation] = []
  private var finishedGroups: Set<String> = []
  private var exhausted = false
  /// A slice of the file (`CSVShard`): whether the first record is the one before the slice,
  /// read for its group label only; the label whose rows are skipped at the slice's start;
  /// and the line where the next slice starts.
  private var readsContext: Bool
  private var skippedGroup: String?
  private let startLine: Int
  private let endLine: Int?
  private var sliceEnded = false

  /// Prepares to read observations.
  ///
  /// - Parameters:
  ///   - reader: A CSV reader positioned after the header.
  ///   - response: The readings' column (`--y`); for several outputs, the columns separated by
  ///     commas, one per output in the instrument's order (`--y y1,y2`).
  ///   - id: The column naming each observation (`--id`), if any.
  ///   - group: The column grouping replicate readings (`--group`), if any.
  ///   - uncertainty: The column of the readings' standard uncertainties (`--sy`), if any.
  ///   - dilution: The column of each sample's dilution factor (`--dilution`), if any.
  ///   - shard: For one slice of the file (`calib measure --shard`): the reader's bytes after
  ///     the header start at the slice's context record when it has one (a group column
  ///     given), else at its first record. The observations returned are those that start in
  ///     the slice: the rows continuing the context record's group are skipped, and the last
  ///     group is read to its end past the slice.
  /// - Throws: `InputError` for a column the file does not have.
  package init(
    reader: CSVReader, response: String, id: String? = nil, group: String? = nil,
    uncertainty: String? = nil, dilution: String? = nil, shard: CSVShard? = nil
  ) throws(InputError) {
    self.reader = reader
    readsContext = group != nil && shard?.contextStart != nil
    startLine = shard?.startLine ?? 0
    endLine = shard?.endLine
    if let shard { reader.resume(atLine: readsContext ? shard.contextLine : shard.startLine) }
    responseColumns = try response.split(separator: ",").map { name throws(InputError) in
      try reader.column(named: String(name))
    }
    idColumn = try id.map { name throws(InputError) in try reader.column(named: name) }
    groupColumn = try group.map { name throws(InputError) in try reader.column(named: name) }
    uncertaintyColumn = try uncertainty.map { name throws(InputError) in
      try reader.column(named: name)
    }
    dilutionColumn = try dilution.map { name throws(InputError) in try reader.column(named: name) }
  }

  /// The dilution factor of the current record: a positive finite number (below 1 for a sample
  /// concentrated before it was read); nil without the column.
  private func dilutionFactor() -> Result<Double?, InputError> {
    guard let k = dilutionColumn else { return .success(nil) }
    do {
      let factor = try reader.number(at: k).doubleValue
      guard factor > 0, factor.isFinite else {
        let (line, column) = reader.location(of: k)
        return .failure(
          InputError(
            file: reader.name, line: line, column: column,
            message:
              "expected a positive dilution factor (the undiluted sample is that many times the measured one), found \(reader.text(at: k).trimmingSpaces)"
          ))
      }
      return .success(factor)
    } catch {
      return .failure(error)
    }
  }

  /// The next observation, or nil at the end of the file.
  ///
  /// A row that cannot be read (a reading or u that is not a positive finite number, a
  /// record with the wrong number of fields) does not stop the file: its observation comes
  /// back with `defect` set, and the rows after it are read as usual. A row with the wrong
  /// number of fields is an observation of its own (its group label cannot be trusted): it
  /// does not end the group being read, and comes after it.
  ///
  /// - Throws: `InputError` where the file itself is broken (an unterminated quote, a blank
  ///   line between records) or a group recurs after another.
  public func next() throws(InputError) -> Observation? {
    guard !sliceEnded, let observation = try nextInFile() else { return nil }
    if let endLine, observation.line >= endLine {
      sliceEnded = true
      return nil
    }
    return observation
  }

  /// The next observation of the file (`next()` without the end of a slice).
  private func nextInFile() throws(InputError) -> Observation? {
    if readsContext {
      readsContext = false
      try skipContext()
    }
    if !ready.isEmpty { return ready.removeFirst() }
    while !exhausted {
      var fieldCountProblem: InputError?
      guard try reader.nextRecord(fieldCountProblem: &fieldCountProblem) else {
        exhausted = true
        break
      }
      let id = idColumn.flatMap {
        $0 < reader.fieldCount ? reader.text(at: $0).trimmingSpaces : nil
      }
      if let fieldCountProblem {
        // Before the slice: a row of the slice before, read on the way from the context.
        if reader.line < startLine { continue }
        let broken = Observation(
          id: id ?? "\(reader.line)", readings: [], line: reader.line, defect: fieldCountProblem)
        guard pending != nil else { return broken }
        deferred.append(broken)
        continue
      }
      var defect: InputError?
      var reading: [Double]? = []
      do {
        for column in responseColumns { reading?.append(try reader.number(at: column).doubleValue) }
      } catch {
        defect = error
        reading = nil
      }
      var uncertainty: Double?
      if let k = uncertaintyColumn {
        do {
          let u = try reader.number(at: k).doubleValue
          if u > 0 {
            uncertainty = u
          } else {
            let (line, column) = reader.location(of: k)
            defect =
              defect
              ?? InputError(
                file: reader.name, line: line, column: column,
                message:
                  "a standard uncertainty must be positive, found \(reader.text(at: k).trimmingSpaces)"
              )
          }
        } catch {
          defect = defect ?? error
        }
      }
      var dilution: Double?
      switch dilutionFactor() {
      case .success(let factor): dilution = factor
      case .failure(let error): defect = defect ?? error
      }
      // A reading and its u enter together, or not at all.
      let readings = defect == nil ? reading ?? [] : []
      let uncertainties =
        uncertaintyColumn == nil ? nil : defect == nil ? uncertainty.map { [$0] } ?? [] : []
      guard let groupColumn else {
        var observation = Observation(
          id: id ?? "\(reader.line)", readings: readings, uncertainties: uncertainties,
          line: reader.line, defect: defect)
        observation.outputs = responseColumns.count
        observation.dilution = dilution
        return observation
      }
      let label = reader.text(at: groupColumn).trimmingSpaces
      if let skipped = skippedGroup {
        if label == skipped { continue }
        skippedGroup = nil
      }
      if var current = pending, current.group == label {
        current.observation.readings += readings
        if let uncertainties { current.observation.uncertainties? += uncertainties }
        current.observation.defect = current.observation.defect ?? defect
        if let dilution, let first = current.observation.dilution, dilution != first,
          let k = dilutionColumn
        {
          let (line, column) = reader.location(of: k)
          current.observation.defect =
            current.observation.defect
            ?? InputError(
              file: reader.name, line: line, column: column,
              message:
                "the dilution factor of group '\(label)' changes from \(first) to \(dilution): replicate readings of one sample share its dilution"
            )
        }
        pending = current
        continue
      }
      if finishedGroups.contains(label) {
        let (line, column) = reader.location(of: groupColumn)
        throw InputError(
          file: reader.name, line: line, column: column,
          message:
            "the rows of group '\(label)' are not consecutive; sort the file by the group column")
      }
      var started = Observation(
        id: id ?? label, readings: readings, uncertainties: uncertainties, line: reader.line,
        defect: defect)
      started.outputs = responseColumns.count
      started.dilution = dilution
      let finished = pending
      pending = (label, started)
      if let finished {
        finishedGroups.insert(finished.group)
        ready = deferred
        deferred = []
        return finished.observation
      }
    }
    guard let finished = pending else { return ready.isEmpty ? nil : ready.removeFirst() }
    pending = nil
    ready = deferred
    deferred = []
    return finished.observation
  }

  /// Reads the record before the slice for its group label: the rows after it with that
  /// label belong to a group begun before the slice, and are skipped. A record with the wrong
  /// number of fields is an observation of its own and continues no group.
  private func skipContext() throws(InputError) {
    var fieldCountProblem: InputError?
    guard let groupColumn, try reader.nextRecord(fieldCountProblem: &fieldCountProblem),
      fieldCountProblem == nil
    else { return }
    let label = reader.text(at: groupColumn).trimmingSpaces
    skippedGroup = label
    finishedGroups.insert(label)
  }
}
