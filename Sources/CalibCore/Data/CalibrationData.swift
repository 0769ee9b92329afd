/// The standards of a calibration: known quantities x (one column per predictor), the
/// instrument's readings y, and optionally the readings' standard uncertainties and
/// replicate groups.
///
/// Values are kept to twice double precision (`DoubleDouble`), exactly as the decimal text
/// gave them, so that the fit sees the data a certifying body computed with.
public struct CalibrationData: Sendable {
  /// The file's name, for messages and provenance.
  public var source: String
  /// The predictor columns' names.
  public var predictorNames: [String]
  /// The response column's name.
  public var responseName: String
  /// `predictors[i][k]`: predictor k of standard i.
  package var predictors: [[DoubleDouble]]
  /// The reading of each standard.
  package var responses: [DoubleDouble]
  /// The standard uncertainty u(y) of each reading, in the units of y, when known.
  package var responseUncertainties: [DoubleDouble]?
  /// The standard uncertainty u(x) of each standard's value (`--sx`, one predictor), in the
  /// units of x, when the standards are not exact; 0 marks an exact one.
  package var predictorUncertainties: [DoubleDouble]?
  /// The replicate group of each standard, when given.
  public var groups: [String]?
  /// The line of the file each standard came from.
  public var lines: [Int]
  /// The column (in characters, from 1) where each standard's reading starts in its line; nil
  /// for standards not read from a file.
  package var responseColumns: [Int]?
  /// SHA-256 of the file's bytes, in hexadecimal.
  public var sha256: String

  /// The number of standards.
  public var count: Int { responses.count }

  /// Standards given directly (simulations, tests).
  init(
    source: String, predictorNames: [String], responseName: String, predictors: [[DoubleDouble]],
    responses: [DoubleDouble], responseUncertainties: [DoubleDouble]?, groups: [String]?,
    lines: [Int], sha256: String
  ) {
    self.source = source
    self.predictorNames = predictorNames
    self.responseName = responseName
    self.predictors = predictors
    self.responses = responses
    self.responseUncertainties = responseUncertainties
    self.groups = groups
    self.lines = lines
    self.sha256 = sha256
  }

  /// Reads the standards from a CSV file.
  ///
  /// - Parameters:
  ///   - reader: A reader positioned after the header.
  ///   - predictors: The predictor columns' names (`--x`).
  ///   - response: The response column's name (`--y`).
  ///   - uncertainty: The column of standard uncertainties of the readings (`--sy`), if any.
  ///   - group: The column of replicate group labels (`--group`), if any.
  ///   - predictorUncertainty: The column of standard uncertainties of the standards' values
  ///     (`--sx`), if any: numbers ≥ 0.
  /// - Throws: `InputError` naming the file, line and column of the first bad value.
  package init(
    reading reader: CSVReader, predictors: [String], response: String,
    uncertainty: String? = nil, group: String? = nil, predictorUncertainty: String? = nil
  ) throws(InputError) {
    let predictorColumns = try predictors.map { name throws(InputError) in
      try reader.column(named: name)
    }
    let responseColumn = try reader.column(named: response)
    let uncertaintyColumn = try uncertainty.map { name throws(InputError) in
      try reader.column(named: name)
    }
    let groupColumn = try group.map { name throws(InputError) in try reader.column(named: name) }
    let predictorUncertaintyColumn = try predictorUncertainty.map { name throws(InputError) in
      try reader.column(named: name)
    }

    source = reader.name
    predictorNames = predictors
    responseName = response
    self.predictors = []
    responses = []
    responseUncertainties = uncertaintyColumn == nil ? nil : []
    groups = groupColumn == nil ? nil : []
    predictorUncertainties = predictorUncertaintyColumn == nil ? nil : []
    lines = []
    responseColumns = []
    while try reader.nextRecord() {
      self.predictors.append(
        try predictorColumns.map { k throws(InputError) in try reader.number(at: k) })
      responses.append(try reader.number(at: responseColumn))
      if let k = uncertaintyColumn {
        let u = try reader.number(at: k)
        guard u.high > 0 else {
          let (line, column) = reader.location(of: k)
          throw InputError(
            file: reader.name, line: line, column: column,
            // Cannot trap: uncertaintyColumn (and responseUncertainties) exist exactly when uncertainty
            // is given; groups exactly when groupColumn is.
            message:
              "a standard uncertainty must be positive, found \(reader.text(at: k).trimmingSpaces) in column '\(uncertainty!)'"
          )
        }
        responseUncertainties!.append(u)
      }
      if let k = groupColumn { groups!.append(reader.text(at: k).trimmingSpaces) }
      if let k = predictorUncertaintyColumn {
        let u = try reader.number(at: k)
        guard u.high >= 0 else {
          let (line, column) = reader.location(of: k)
          throw InputError(
            file: reader.name, line: line, column: column,
            message:
              "a standard uncertainty of a standard's value must be zero or positive, found \(reader.text(at: k).trimmingSpaces) in column '\(predictorUncertainty ?? "")'"
          )
        }
        predictorUncertainties?.append(u)
      }
      lines.append(reader.line)
      responseColumns?.append(reader.location(of: responseColumn).column)
    }
    sha256 = reader.sha256
  }
}
