/// An observation that could not be measured: what the report holds in place of its numbers.
///
/// One bad observation never sinks a batch: it is reported with an `error` object (a code and
/// a message) and no `x` or `coverage`, the summary counts it, and the rest of the batch is
/// measured. See docs/report-file.md.
public struct ObservationFailure: Codable, Equatable, Sendable {
  /// The observation's name.
  public var id: String
  /// The line of the observations file where it starts.
  public var line: Int
  /// The readings that could be read, in input order (empty when none could).
  public var readings: [Double]
  /// What went wrong.
  public var error: Problem

  /// Why an observation has no numbers.
  public struct Problem: Codable, Equatable, Sendable {
    /// A stable name for scripts to branch on.
    public var code: Code
    /// What went wrong, for people: the file, line and column where there are some.
    public var message: String
  }

  /// The kinds of failure.
  public enum Code: String, Codable, Equatable, Sendable {
    /// A row of the observation could not be read: a reading or u that is not a positive
    /// finite number, a record with the wrong number of fields.
    case unreadable
    /// The observation cannot be measured with this instrument and these settings.
    case notMeasurable = "not_measurable"
    /// A numerical routine failed (a GSL status, a posterior that could not be normalized).
    case numericalFailure = "numerical_failure"
    /// A figure of the result came out as NaN or infinite: the result is withheld.
    case nonFiniteResult = "non_finite_result"
  }

  /// The failure of `observation`, described by `error` (what measuring it threw).
  public init(_ observation: Observation, error: any Error) {
    id = observation.id
    line = observation.line
    readings = observation.readings.filter(\.isFinite)
    switch error {
    case let error as InputError:
      self.error = Problem(code: .unreadable, message: error.description)
    case let error as MeasurementError:
      self.error = Problem(code: .notMeasurable, message: error.description)
    case let error as NonFiniteResult:
      self.error = Problem(code: .nonFiniteResult, message: error.description)
    default:
      self.error = Problem(code: .numericalFailure, message: "\(error)")
    }
  }
}

/// A report figure that came out as NaN or infinite where the report has no null for it.
public struct NonFiniteResult: Error, Equatable, Sendable, CustomStringConvertible {
  /// The path of the figure in the observation's report, e.g. `x.sd`.
  public var path: String

  /// The figure at `path` is not finite.
  public init(path: String) {
    self.path = path
  }

  public var description: String {
    "the figure \(path) came out as NaN or infinite; the result is withheld (please report this)"
  }
}
