import CalibCore

/// The engine's errors worded for the command line.
///
/// The engine (a library) says what is wrong in the words of the domain and carries the data
/// of each problem; here the same problems are worded with the flags that fix them (`--sy`,
/// `--start`, `--bounds`, `--delimiter`, …). Every message the command line prints or writes
/// into a report for an engine error comes from `commandLineMessage`.
protocol CommandLineMessage: Error {
  /// The message for a user of the command line: the problem, with the flags that fix it.
  var commandLineMessage: String { get }
}

extension InputError: CommandLineMessage {
  /// `file:line:column: message`, then the hint worded with `--delimiter` and
  /// `--decimal-comma`.
  var commandLineMessage: String {
    "\(location): \(message)" + (hint.map(Self.commandLineWording) ?? "")
  }

  /// A hint with the flags that read the file as it was probably meant.
  private static func commandLineWording(_ hint: Hint) -> String {
    switch hint {
    case .delimiter(let delimiter, let decimalComma):
      let name = Hint.name(of: delimiter)
      return "; the header reads as one column holding \(name): give --delimiter \(name)"
        + (decimalComma ? " (and --decimal-comma if numbers are written 1,5)" : "")
    case .decimalComma:
      return ": write decimals with a point, or give --decimal-comma (with --delimiter ';')"
    }
  }
}

extension FitError: CommandLineMessage {
  /// `line N: ` where the problem is at a standard, then `commandLineProblem`.
  var commandLineMessage: String {
    (line.map { "line \($0): " } ?? "") + commandLineProblem
  }

  /// The problem without its line, its remedy worded with `calib fit`'s flags.
  var commandLineProblem: String {
    switch self {
    case .tooFewStandardsForNoise(let have, let parameters):
      return FitError.tooFewForNoiseText(have: have, parameters: parameters) + " (or give --sy)"
    case .undefinedAtStart:
      return undefinedAtStartText
        + " give starting values with --start for which the model is finite at every standard"
    case .missingStartingValues(let model, let missing):
      return "the model '\(model)' is nonlinear in its parameters; give starting values for"
        + " \(missing.joined(separator: ", ")) with --start"
        + " \(missing.map { "\($0)=VALUE" }.joined(separator: ","))"
    case .boundOnUnknownParameter(let name, let parameters):
      return "--bounds: '\(name)' is not a parameter of the model; its parameters are"
        + " \(parameters.joined(separator: ", "))"
    case .boundsOnLinearModel(let model):
      return "--bounds applies to the posterior samples of a nonlinear model; the model"
        + " '\(model)' is linear, and its posterior is exact"
    case .errorsInVariablesNeedResponseUncertainties:
      return "--sx needs --sy: generalized distance regression (ISO/TS 28037 §7) weighs each"
        + " standard by u(y)² + b²·u(x)², so the readings' standard uncertainties are needed too"
        + " (a column of equal values where they share one)"
    case .notConverged(let tried):
      return "the nonlinear fit did not converge; tried: \(tried). Give better starting values"
        + " with --start"
    case .improperPosterior:
      return FitError.improperPosteriorText
        + "; bound it with --bounds, or use --posterior laplace. Give better starting values"
        + " with --start"
    default:
      return problem
    }
  }

  /// As `inputError(in:)`, the problem as bad input of the calibration file `file`, worded
  /// for the command line; nil for a matter of usage.
  func commandLineInputError(in file: String) -> InputError? {
    guard var error = inputError(in: file) else { return nil }
    error.message = commandLineProblem
    return error
  }
}

extension MeasurementError: CommandLineMessage {
  /// The problem, its remedy worded with `calib measure`'s flags.
  var commandLineMessage: String {
    switch self {
    case .noNoiseEstimate:
      return MeasurementError.noNoiseEstimateText
        + "; refit with the standards' uncertainties (--sy)"
    case .missingUncertainty(let id):
      return
        "observation '\(id)': the instrument's noise is known per reading (it was fitted with"
        + " --sy) and its standards' u(y) differ, so each reading needs its own: give --sy"
    case .noPosteriorSamples:
      return MeasurementError.noPosteriorSamplesText + ": fit it with --posterior mcmc"
    case .noReadingsAtTruth(let noise, let response, fromPrior: true):
      return MeasurementError.noReadingsText(noise: noise, response: response)
        + "; the prior range of x reaches it: draw the truth from the calibrated domain with"
        + " --truth domain"
    case .posteriorNotIntegrable(let lower, let upper, let relativeError):
      return MeasurementError.notIntegrableText(
        lower: lower, upper: upper, relativeError: relativeError) + ": give a narrower --range"
    default:
      return description
    }
  }
}

extension ObservationFailure {
  /// The failure of `observation` as the command line reports it: as `init(_:error:)`, with
  /// an engine error's message worded for the command line (`commandLineMessage`).
  init(commandLine observation: Observation, error: any Error) {
    self.init(observation, error: error)
    if let error = error as? any CommandLineMessage {
      self.error.message = error.commandLineMessage
    }
  }

  /// The failure of `observation` whose measurement threw `error`, for a batch that goes on.
  ///
  /// - Throws: `CommandFailure.usage` for readings without the u a known-noise instrument
  ///   needs: a missing `--sy`, which every observation of the batch lacks alike.
  init(measuring observation: Observation, error: any Error) throws {
    if let error = error as? MeasurementError, case .missingUncertainty = error {
      throw CommandFailure.usage(error.commandLineMessage)
    }
    self.init(commandLine: observation, error: error)
  }
}
