extension CalibrationData {
  /// Reads the standards of an instrument with several outputs from a CSV file: one
  /// calibration per output (`--y y1,y2,...`), all on the same standards x, in the order of
  /// `responses`.
  ///
  /// Every output is read from the same row, so a standard is one vector of readings; a
  /// reading that is not a number stops the file at its line and column, as for one output.
  ///
  /// - Parameters:
  ///   - reader: A reader positioned after the header.
  ///   - predictors: The predictor columns' names (`--x`).
  ///   - responses: The response columns' names, one per output.
  ///   - group: The column of replicate group labels (`--group`), if any.
  /// - Throws: `InputError` naming the file, line and column of the first bad value.
  package static func outputs(
    reading reader: CSVReader, predictors: [String], responses: [String], group: String? = nil
  ) throws(InputError) -> [CalibrationData] {
    let predictorColumns = try predictors.map { name throws(InputError) in
      try reader.column(named: name)
    }
    let responseColumns = try responses.map { name throws(InputError) in
      try reader.column(named: name)
    }
    let groupColumn = try group.map { name throws(InputError) in try reader.column(named: name) }
    var x: [[DoubleDouble]] = []
    var y: [[DoubleDouble]] = Array(repeating: [], count: responses.count)
    var columns: [[Int]] = Array(repeating: [], count: responses.count)
    var groups: [String]? = groupColumn == nil ? nil : []
    var lines: [Int] = []
    while try reader.nextRecord() {
      x.append(try predictorColumns.map { k throws(InputError) in try reader.number(at: k) })
      for (j, k) in responseColumns.enumerated() {
        y[j].append(try reader.number(at: k))
        columns[j].append(reader.location(of: k).column)
      }
      if let k = groupColumn { groups?.append(reader.text(at: k).trimmingSpaces) }
      lines.append(reader.line)
    }
    return responses.indices.map { j in
      var data = CalibrationData(
        source: reader.name, predictorNames: predictors, responseName: responses[j],
        predictors: x, responses: y[j], responseUncertainties: nil, groups: groups,
        lines: lines, sha256: reader.sha256)
      data.responseColumns = columns[j]
      return data
    }
  }
}
