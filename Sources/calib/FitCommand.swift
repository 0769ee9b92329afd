import ArgumentParser
import CalibCore
import Foundation

/// `calib fit`: the instrument state from calibration standards.
struct FitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Fit the instrument state p(a | calibration) to calibration standards.",
    discussion: """
      Reads standards (known x, readings y) from a CSV file with a header line and writes \
      the instrument file (JSON). Models linear in their parameters are fitted by weighted \
      linear least squares, others by GSL's trust-region nonlinear least squares from \
      --start or the family's own starting values; see docs/cli-fit.md.
      """ + "\n\n" + ModelFamilyHelp.discussion
  )

  @Argument(help: "The calibration CSV file, or - for standard input.")
  var calibration: String

  @Option(
    name: .customLong("x"),
    help: ArgumentHelp("Predictor column(s), comma-separated.", valueName: "col[,col...]"))
  var predictorColumns: String

  @Option(
    name: .customLong("y"),
    help: ArgumentHelp(
      "Response (reading) column; several, comma-separated, for an instrument with several outputs.",
      valueName: "col[,col...]"))
  var responseColumns: String

  @Option(
    help: ArgumentHelp(
      """
      A family (poly:N, line, exp, power, log, 4pl, 5pl, mm; formulas below) or a formula; with \
      several outputs, one for all or one per output separated by ';'.
      """,
      valueName: "spec"))
  var model: String = "poly:1"

  @Option(
    help: ArgumentHelp("Starting values for nonlinear formulas.", valueName: "name=value,..."))
  var start: String?

  @Option(
    name: .customLong("sy"),
    help: ArgumentHelp(
      "Column of standard uncertainties u(y) of the readings (weights 1/u²; σ known).",
      valueName: "col"))
  var uncertaintyColumn: String?

  @Option(
    name: .customLong("sx"),
    help: ArgumentHelp(
      """
      Column of standard uncertainties u(x) of the standards' values (≥ 0; needs --sy): a \
      straight line fitted by generalized distance regression (ISO/TS 28037 §7), other models \
      with the true x of each standard as a parameter (errors in variables).
      """,
      valueName: "col"))
  var predictorUncertaintyColumn: String?

  @Option(
    name: .customLong("group"),
    help: ArgumentHelp("Column of replicate group labels.", valueName: "col"))
  var groupColumn: String?

  @Option(
    help: ArgumentHelp(
      """
      Noise model [DISTRIBUTION:]SCALE, with μ the response. SCALE: constant (σ estimated; \
      default without --sy), known (u(y) from --sy), proportional (σ = s1·|μ|), linear \
      (σ = s0 + s1·|μ|), power (σ = s0·|μ|^k) or replicates (σ = s0·|μ|^k fitted to the \
      scatter of replicate standards); DISTRIBUTION: normal (default) or student \
      (Student's t with scale σ, ν estimated as df or fixed by --df); or poisson (counts). A \
      noise with parameters is fitted with the model by maximum likelihood.
      """,
      valueName: "spec"))
  var noise: NoiseSpec?

  @Option(
    name: .customLong("df"), parsing: .unconditional,
    help: ArgumentHelp(
      "Degrees of freedom ν of a Student-t noise, fixed (default: estimated).",
      valueName: "nu"))
  var degreesOfFreedom: Double?

  @Option(
    help: ArgumentHelp(
      """
      Bounds on parameters of a nonlinear model, a uniform prior for its posterior samples; an \
      end may be left open.
      """,
      valueName: "name=lo:hi,..."))
  var bounds: String?

  @Option(
    help: """
      How the instrument file describes what the standards leave uncertain in a nonlinear \
      model's parameters: a Gaussian at the best fit (laplace), draws from the exact posterior \
      (mcmc), or auto (default: mcmc where the Gaussian misjudges the fit by more than 20%). \
      With a noise fitted by likelihood, mcmc samples the noise's parameters too. A linear \
      model's posterior with a constant or known noise is exact; giving it one is an error.
      """)
  var posterior: PosteriorChoice?

  @Option(
    help: """
      Several outputs: the noise covariance between them, full (correlated noises, default) or \
      diagonal (independent outputs).
      """)
  var covariance: OutputCovarianceStructure?

  @OptionGroup var recovery: RecoveryOptions

  @OptionGroup var seed: SeedOptions

  @OptionGroup var csv: CSVOptions

  @OptionGroup var output: OutputOptions

  func validate() throws {
    let outputs = columnList(responseColumns)
    let listed = responseColumns.split(separator: ",", omittingEmptySubsequences: false)
    if outputs.count > 1 && listed.count != outputs.count {
      throw ValidationError("--y: an empty column name in '\(responseColumns)'")
    }
    if let shared = outputs.first(where: columnList(predictorColumns).contains) {
      throw ValidationError(
        "'\(shared)' is given both as a predictor (--x) and as an output (--y)")
    }
    if outputs.count > 1 {
      let refused: [(String, Bool)] = [
        ("--sy", uncertaintyColumn != nil), ("--sx", predictorUncertaintyColumn != nil),
        ("--start", start != nil), ("--bounds", bounds != nil), ("--posterior", posterior != nil),
        ("--df", degreesOfFreedom != nil),
        (
          "--noise \(noise?.description ?? "")",
          noise.map {
            $0.distribution != .normal
              || ![.constant, .proportional, .linear, .power].contains($0.scale)
          } ?? false
        ),
      ]
      if let (flag, _) = refused.first(where: \.1) {
        throw ValidationError(
          "\(flag) applies to an instrument with one output; with several (\(outputs.joined(separator: ", "))) each output's model is fitted with a normal noise whose scale is constant, proportional, linear or power, and the noise covariance between the outputs is estimated from the standardized residuals (docs/geometry.md)"
        )
      }
      if Set(outputs).count < outputs.count {
        throw ValidationError("--y: an output is named twice in '\(responseColumns)'")
      }
      let specs = model.split(separator: ";", omittingEmptySubsequences: false)
      guard specs.count == 1 || specs.count == outputs.count else {
        throw ValidationError(
          "--model: \(specs.count) specs separated by ';' for \(outputs.count) outputs; give one spec for all or one per output"
        )
      }
    } else if covariance != nil {
      throw ValidationError(
        "--covariance is the noise covariance between several outputs; give them with --y y1,y2,..."
      )
    }
    if predictorUncertaintyColumn != nil {
      guard uncertaintyColumn != nil else {
        throw ValidationError(
          "--sx needs --sy: generalized distance regression (ISO/TS 28037 §7) weighs each standard by u(y)² + b²·u(x)², so give the readings' standard uncertainties with --sy COL (a column of equal values where they share one)"
        )
      }
      if let noise, noise != NoiseSpec(argument: "known") {
        throw ValidationError(
          "--noise \(noise.description) cannot be combined with --sx: uncertain standards are fitted with the readings' u(y) known (--sy)"
        )
      }
    }
    if columnList(predictorColumns).isEmpty || columnList(responseColumns).isEmpty {
      throw ValidationError("--x and --y need at least one column name")
    }
    if let nu = degreesOfFreedom {
      guard noise?.distribution == .student else {
        throw ValidationError(
          "--df fixes the degrees of freedom of a Student-t noise; give --noise student:SCALE")
      }
      guard nu > 0, nu.isFinite else {
        throw ValidationError("--df: expected a positive number of degrees of freedom, found \(nu)")
      }
    }
    if let noise {
      if noise.scale == .known, uncertaintyColumn == nil {
        throw ValidationError("--noise \(noise.description) needs the uncertainties: give --sy COL")
      }
      if noise.scale != .known, uncertaintyColumn != nil {
        throw ValidationError(
          "--noise \(noise.description) estimates σ\(noise.scale == .constant ? "" : " from the standards")"
            + " and cannot be combined with --sy; drop one")
      }
    }
    if let start {
      for item in start.split(separator: ",", omittingEmptySubsequences: false) {
        let pair = item.split(separator: "=", maxSplits: 1)
        guard pair.count == 2, !pair[0].isEmpty, DecimalNumber.parse(String(pair[1])) != nil else {
          throw ValidationError(
            "--start: expected name=value pairs separated by commas, found '\(item)'")
        }
      }
    }
  }

  /// `--bounds name=lo:hi,...`, an empty end open.
  private func parsedBounds() throws -> [String: RangeRecord] {
    var result: [String: RangeRecord] = [:]
    for item in (bounds ?? "").split(separator: ",") {
      let pair = item.split(separator: "=", maxSplits: 1)
      let ends =
        pair.count == 2 ? pair[1].split(separator: ":", omittingEmptySubsequences: false) : []
      guard pair.count == 2, ends.count == 2 else {
        throw CommandFailure.usage(
          "--bounds: expected name=lo:hi (an end may be empty), found '\(item)'")
      }
      func end(_ text: Substring) throws -> Double? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        guard let value = DecimalNumber.parse(String(text))?.doubleValue else {
          throw CommandFailure.usage("--bounds: '\(text)' in '\(item)' is not a number")
        }
        return value
      }
      let (lower, upper) = (try end(ends[0]), try end(ends[1]))
      if let lower, let upper, lower >= upper {
        throw CommandFailure.usage("--bounds: the lower end must be below the upper in '\(item)'")
      }
      result[String(pair[0]).trimmingCharacters(in: .whitespaces)] = RangeRecord(
        lower: lower, upper: upper)
    }
    return result
  }

  func run() throws {
    if columnList(responseColumns).count > 1 { return try runSeveralOutputs() }
    try ExitStatus.reporting {
      let predictors = columnList(predictorColumns)
      let model = try ResponseModel(spec: model, predictors: predictors)
      if start != nil, model.isLinear {
        throw CommandFailure.usage(
          "--start: the model '\(model.spec)' is linear in its parameters and solved directly by least squares; starting values apply to nonlinear models"
        )
      }
      // A noise fitted by likelihood makes even a linear model's posterior approximate.
      let fittedNoise =
        noise.map { $0.distribution == .student || ($0.scale.varies && $0.scale != .replicates) }
        ?? false
      if let posterior, model.isLinear, noise?.scale == .replicates {
        throw CommandFailure.usage(
          "--posterior \(posterior.rawValue): with --noise replicates the variance function is fitted to the replicate groups' sample variances, not by likelihood with the model; the linear model '\(model.spec)' then takes its weights as known (weighted least squares, a Gaussian posterior), and the variance function's uncertainty enters the measurement as the t's local degrees of freedom. --posterior applies to nonlinear models and to noise fitted by likelihood"
        )
      }
      if let posterior, model.isLinear, !fittedNoise {
        throw CommandFailure.usage(
          "--posterior \(posterior.rawValue): the model '\(model.spec)' is linear in its parameters, so its posterior is exact (normal–scaled-inverse-χ², or normal with --sy); --posterior applies to nonlinear models and to noise fitted by likelihood"
        )
      }
      var startValues: [String: Double] = [:]
      for item in (start ?? "").split(separator: ",") {
        let pair = item.split(separator: "=", maxSplits: 1)
        let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
        guard model.parameters.contains(name) else {
          throw CommandFailure.usage(
            "--start: '\(name)' is not a parameter of the model; its parameters are \(model.parameters.joined(separator: ", "))"
          )
        }
        // Cannot trap: validate() refused any --start item that is not name=number.
        startValues[name] = DecimalNumber.parse(String(pair[1]))!.doubleValue
      }
      let reader = try csv.reader(path: calibration)
      let data = try CalibrationData(
        reading: reader, predictors: predictors, response: columnList(responseColumns)[0],
        uncertainty: uncertaintyColumn, group: groupColumn,
        predictorUncertainty: predictorUncertaintyColumn)
      let provenance = Provenance(
        input: calibration, inputSHA256: data.sha256, calibVersion: CalibVersion.current,
        command: ["calib"] + CommandLine.arguments.dropFirst())
      var instrument: InstrumentState
      do {
        instrument = try model.fit(
          to: data, start: startValues, posterior: posterior ?? .auto, seed: seed.seed,
          bounds: try parsedBounds(), noise: noise?.scale,
          distribution: noise?.distribution ?? .normal, degreesOfFreedom: degreesOfFreedom,
          provenance: provenance)
      } catch let error as FitError {
        // A model linear in its parameters takes no starting values: no --start hint.
        if model.isLinear, case .notConverged(let tried) = error {
          throw InputError(file: calibration, message: "the fit did not converge; tried: \(tried)")
        }
        throw error.commandLineInputError(in: calibration) ?? error
      }
      let windows = try recovery.windows
      instrument = instrument.backCalculated(
        recovery: windows.recovery, recoveryLowest: windows.lowest)
      try OutputFile.write(
        try InstrumentFile.encode(instrument), to: output.output, inputs: [calibration])
      // The engine returns what is doubtful about the fit as data; the command says it.
      var warnings = instrument.posterior.warnings ?? []
      if let test = instrument.fit.heteroscedasticity, test.pValue < 0.01, test.slope > 0 {
        warnings.append(
          "the residuals scatter more where the response is larger (Breusch–Pagan p = "
            + String(format: "%.2g", test.pValue)
            + "): the noise is not constant; fit --noise linear (or proportional, power) and"
            + " compare fit.aic in the files (docs/noise-models.md)")
      }
      for warning in warnings {
        writeToStandardError("calib: warning: \(warning)\n")
      }
    }
  }
}

extension FitCommand {
  /// `calib fit --y y1,y2,...`: an instrument with several outputs.
  private func runSeveralOutputs() throws {
    try ExitStatus.reporting {
      let predictors = columnList(predictorColumns)
      let outputs = columnList(responseColumns)
      let specs = model.split(separator: ";", omittingEmptySubsequences: false).map {
        String($0).trimmingCharacters(in: .whitespaces)
      }
      let models = try outputs.indices.map { j in
        try ResponseModel(spec: specs.count == 1 ? specs[0] : specs[j], predictors: predictors)
      }
      if let nonlinear = models.first(where: { !$0.isLinear }), nonlinear.family == nil {
        throw CommandFailure.usage(
          "--model: the formula '\(nonlinear.spec)' is nonlinear in its parameters; with several outputs a nonlinear model must be a family with automatic starting values (4pl, exp, ...), as --start applies to one output"
        )
      }
      let reader = try csv.reader(path: calibration)
      let data = try CalibrationData.outputs(
        reading: reader, predictors: predictors, responses: outputs, group: groupColumn)
      let provenance = Provenance(
        input: calibration, inputSHA256: data[0].sha256, calibVersion: CalibVersion.current,
        command: ["calib"] + CommandLine.arguments.dropFirst())
      var state: MultiOutputState
      do {
        state = try MultiOutputFit.fit(
          to: data, models: models, structure: covariance ?? .full,
          noise: noise?.scale ?? .constant, spec: model,
          seed: seed.seed, provenance: provenance)
      } catch let error as FitError {
        throw error.commandLineInputError(in: calibration) ?? error
      }
      let windows = try recovery.windows
      state = state.backCalculated(recovery: windows.recovery, recoveryLowest: windows.lowest)
      try OutputFile.write(
        try InstrumentFile.encode(state), to: output.output, inputs: [calibration])
    }
  }
}

/// The names in a comma-separated list, trimmed.
func columnList(_ text: String) -> [String] {
  text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter {
    !$0.isEmpty
  }
}
