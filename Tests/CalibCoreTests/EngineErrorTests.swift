import CalibCore
import Testing

/// The engine's errors are cases with data, worded in the words of the domain: no message the
/// engine raises names a command-line flag (the command line words the remedy with its flags,
/// CalibCLITests/FlagWordingTests). Reference: each case is the one the contract of the
/// throwing function names (docs/architecture.md: the engine never words a flag), and the
/// data it carries are those of the input (the names, counts and lines given to it).
@Suite("engine errors are structured and name no flag")
struct EngineErrorTests {
  /// Four standards of a saturating curve: enough for the two-parameter `mm` family.
  let saturating = "x,y\n1,2\n2,4\n3,5\n4,5.5\n"

  /// No flag (`--name`) in a message meant for any front end.
  func namesNoFlag(_ text: String) -> Bool {
    !text.contains("--")
  }

  @Test("a bound on a name that is not a parameter: the name and the model's parameters")
  func boundOnUnknownParameter() throws {
    let data = try readCalibration(saturating)
    let error = #expect(
      throws: FitError.boundOnUnknownParameter(name: "c", parameters: ["vmax", "km"])
    ) {
      try ResponseModel(spec: "mm", predictors: ["x"]).fit(
        to: data, bounds: ["c": RangeRecord(lower: 0, upper: 1)], provenance: testProvenance)
    }
    #expect(error?.isUsageProblem == true)
    #expect(error?.inputError(in: "cal.csv") == nil)
    #expect(namesNoFlag(error?.description ?? "--"), "\(String(describing: error))")
  }

  @Test("bounds on a linear model: the model, and the problem is one of usage")
  func boundsOnLinearModel() throws {
    let data = try readCalibration(saturating)
    let model = try ResponseModel(spec: "line", predictors: ["x"])
    let name = try #require(model.parameters.first)
    let error = #expect(throws: FitError.boundsOnLinearModel(model: "line")) {
      try model.fit(
        to: data, bounds: [name: RangeRecord(lower: 0, upper: 1)], provenance: testProvenance)
    }
    #expect(error?.isUsageProblem == true)
    #expect(namesNoFlag(error?.description ?? "--"), "\(String(describing: error))")
  }

  @Test("a nonlinear formula without starting values: the model and the missing parameters")
  func missingStartingValues() throws {
    let data = try readCalibration(saturating)
    let error = #expect(
      throws: FitError.missingStartingValues(model: "b1*x/(b2 + x)", parameters: ["b1", "b2"])
    ) {
      try ResponseModel(spec: "b1*x/(b2 + x)", predictors: ["x"]).fit(
        to: data, provenance: testProvenance)
    }
    #expect(error?.isUsageProblem == true)
    #expect(error?.description.hasSuffix("give starting values for b1, b2") == true)
    #expect(namesNoFlag(error?.description ?? "--"), "\(String(describing: error))")
  }

  /// A line (2 parameters) from 2 standards with σ estimated needs a third (closed form:
  /// n ≥ p + 1); the same 2 standards with known u(y) are enough (n ≥ p).
  @Test("too few standards to estimate the noise: the count given and the parameters")
  func tooFewStandardsForNoise() throws {
    let data = try readCalibration("x,y\n1,2\n2,4\n")
    let error = #expect(throws: FitError.tooFewStandardsForNoise(have: 2, parameters: 2)) {
      try ResponseModel(spec: "line", predictors: ["x"]).fit(to: data, provenance: testProvenance)
    }
    #expect(error?.isUsageProblem == false)
    let input = try #require(error?.inputError(in: "cal.csv"))
    #expect(input.file == "cal.csv" && input.line == nil)
    #expect(
      input.message
        == "2 standards given, at least 3 needed: the model has 2 parameters and one more"
        + " standard is needed to estimate the noise (or give the readings' standard"
        + " uncertainties)")
    #expect(namesNoFlag(error?.description ?? "--"))
  }

  @Test("the other fit errors say their remedy without a flag, and keep their line")
  func otherFitErrors() {
    let undefined = FitError.undefinedAtStart(line: 4, x: [0], start: "b1 = 1, b2 = -1")
    #expect(undefined.line == 4)
    #expect(undefined.description.hasPrefix("line 4: the model or its derivatives"))
    #expect(undefined.inputError(in: "cal.csv")?.line == 4)
    for error in [
      undefined, FitError.notConverged(tried: "trust region from the given start"),
      FitError.improperPosterior,
    ] {
      #expect(namesNoFlag(error.description), "\(error)")
      #expect(error.description.contains("starting values"), "\(error)")
    }
    #expect(FitError.improperPosterior.description.contains("improper under the flat prior"))
  }

  @Test("averaging over posterior samples an instrument does not hold is a setting problem")
  func noPosteriorSamples() throws {
    let state = try textInstrument(saturating, spec: "line")
    let error = #expect(throws: MeasurementError.noPosteriorSamples) {
      try Measurer(instrument: state, settings: MeasurementSettings(marginalization: .samples))
    }
    #expect(error?.isSettingProblem == true)
    #expect(namesNoFlag(error?.description ?? "--"))
  }

  /// y = x² at seven standards: the residuals are 0 to rounding, so σ has no estimate.
  @Test("an instrument with no noise estimate cannot measure: a case, not a message")
  func noNoiseEstimate() throws {
    let state = try textInstrument("x,y\n-3,9\n-2,4\n-1,1\n0,0\n1,1\n2,4\n3,9\n", spec: "poly:2")
    let error = #expect(throws: MeasurementError.noNoiseEstimate) {
      try Measurer(instrument: state, settings: MeasurementSettings())
    }
    #expect(error?.isSettingProblem == false)
    #expect(namesNoFlag(error?.description ?? "--"))
  }

  /// The standards' u(y) differ (0.1 and 0.2), so a reading's u cannot be taken from them.
  @Test("a reading without the u a known-noise instrument needs: the observation's name")
  func missingUncertainty() throws {
    let state = try textInstrument(
      "x,y,u\n1,2,0.1\n2,4,0.2\n3,5.9,0.1\n", spec: "line", sy: "u")
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    let error = #expect(throws: MeasurementError.missingUncertainty(observation: "o")) {
      try measurer.measure(Observation(id: "o", readings: [3], line: 2))
    }
    #expect(error?.description.hasPrefix("observation 'o': ") == true)
    #expect(namesNoFlag(error?.description ?? "--"))
  }

  @Test("a posterior that cannot be integrated on the range carries the range and the error")
  func posteriorNotIntegrable() {
    let error = MeasurementError.posteriorNotIntegrable(
      lower: -1e300, upper: 1e300, relativeError: 0.5)
    #expect(error.isSettingProblem)
    #expect(
      error.description
        == "the posterior could not be integrated accurately on the range [-1e+300, 1e+300]"
        + " (estimated relative error 0.5): give a narrower prior range of x")
    // An estimate that is not a finite number is said in words.
    for relativeError in [Double.nan, .infinity] {
      let text = MeasurementError.posteriorNotIntegrable(
        lower: 0, upper: 1, relativeError: relativeError
      ).description
      #expect(text.contains("(its error has no finite estimate)"), "\(text)")
      #expect(!text.contains("nan") && !text.contains("inf"), "\(text)")
    }
  }

  @Test(
    "a CSV header of one column holding another delimiter carries that delimiter as a hint",
    arguments: [
      ("x;y\n1;2\n", Character(";"), true), ("x\ty\n1\t2\n", Character("\t"), false),
    ])
  func delimiterHint(_ text: String, delimiter: Character, decimalComma: Bool) throws {
    let error = #expect(throws: InputError.self) { try readCalibration(text) }
    #expect(error?.hint == .delimiter(delimiter, decimalCommaLikely: decimalComma))
    #expect(error?.line == 1 && error?.column == 1)
    #expect(error?.message == "no column named 'x'; the header has '\(text.prefix(3))'")
    #expect(error?.description.contains(InputError.Hint.name(of: delimiter)) == true)
    #expect(namesNoFlag(error?.description ?? "--"), "\(String(describing: error))")
  }

  @Test("a number written with a decimal comma carries the decimal-comma hint at its place")
  func decimalCommaHint() throws {
    let error = #expect(throws: InputError.self) { try readCalibration("x,y\n1,\"1,5\"\n") }
    #expect(error?.hint == .decimalComma)
    #expect(error?.line == 2 && error?.column == 3)
    #expect(error?.message == "expected a number in column 'y', found '1,5'")
    #expect(namesNoFlag(error?.description ?? "--"), "\(String(describing: error))")
  }
}
