/// The whole noise model an instrument is fitted with: the scale σ(μ) (`NoiseModel`), the
/// distribution of a reading about μ, and for Student's t a ν fixed by the user (or nil when ν
/// is estimated).
struct NoiseForm: Sendable, Equatable {
  let model: NoiseModel
  let distribution: NoiseDistribution
  let fixedDegreesOfFreedom: Double?
  /// For a `linear` noise measured, the smallest |μ̂| at the standards: below it σ keeps its
  /// value there (`NoiseFunction.lowestMagnitude`); 0 in the fit and for the other scales.
  private(set) var lowestMagnitude = 0.0

  init(
    model: NoiseModel, distribution: NoiseDistribution = .normal,
    fixedDegreesOfFreedom: Double? = nil
  ) {
    self.model = model
    self.distribution = distribution
    self.fixedDegreesOfFreedom = distribution == .student ? fixedDegreesOfFreedom : nil
  }

  /// The form an instrument file's noise record describes.
  init(_ record: NoiseRecord) {
    self.init(
      model: record.model, distribution: record.distribution ?? .normal,
      fixedDegreesOfFreedom: record.fixedDegreesOfFreedom)
  }

  /// Whether the noise has parameters fitted by maximum likelihood with the model's (or is
  /// Poisson): a σ that varies, or any Student-t noise.
  var isFittedByLikelihood: Bool { model.varies || distribution == .student }

  /// The parameters of σ(μ): the scale model's, and for Student's t with a constant scale the
  /// scale itself (`s0`).
  var scaleParameterNames: [String] {
    distribution == .student && model == .constant ? ["s0"] : model.parameterNames
  }

  /// The largest ν a fit reports: beyond it a t is normal to within 0.1% in its sd and the
  /// likelihood too flat in ν to estimate it, so the fit says the readings show no heavy tails.
  static let largestDegreesOfFreedom = 1000.0

  /// log p(ν) up to a constant, the prior of an estimated ν where the measurement integrates
  /// over it: Gamma(2, rate 0.1), p(ν) ∝ ν·e^(−ν/10) (mean 20; Juárez & Steel, J. Bus. Econ.
  /// Stat. 28, 52, 2010). A flat prior will not do: the likelihood tends to that of normal
  /// noise, a positive constant, as ν → ∞, and its integral diverges.
  static func logDegreesOfFreedomPrior(_ nu: Double) -> Double {
    nu > 0 ? _log(nu) - nu / 10 : -.infinity
  }

  /// Whether ν is a parameter of the fit.
  var estimatesDegreesOfFreedom: Bool {
    distribution == .student && fixedDegreesOfFreedom == nil
  }

  /// The names of all the noise parameters, in the order θ holds them after the model's:
  /// the scale's, then `df` when ν is estimated.
  var parameterNames: [String] {
    scaleParameterNames + (estimatesDegreesOfFreedom ? ["df"] : [])
  }

  /// This form as a measurement uses it: a `linear` noise σ = s0 + s1·|μ| held at its value at
  /// the smallest response magnitude of the standards, `lowest`, below it. Fitted, s0 may come
  /// out negative, and the line of σ then reaches 0 below the standards, where no reading could
  /// be explained; below the standards the noise is an extrapolation, and this one keeps the
  /// noise the calibration saw at its low end (continuous in s0 and s1, so integration over
  /// them is smooth). The other scales keep their forms: σ → 0 as μ → 0 is what a proportional
  /// or power noise states.
  func measured(lowest: Double) -> NoiseForm {
    var form = self
    form.lowestMagnitude = model == .linear && lowest.isFinite ? Swift.abs(lowest) : 0
    return form
  }

  /// The noise at the parameters η (in the order of `parameterNames`).
  func function(_ eta: [Double]) -> NoiseFunction {
    let scaleCount = scaleParameterNames.count
    let nu: Double =
      distribution == .normal
      ? .infinity : fixedDegreesOfFreedom ?? (eta.count > scaleCount ? eta[scaleCount] : .nan)
    return NoiseFunction(
      model: model, parameters: Array(eta.prefix(scaleCount)), nu: nu,
      lowestMagnitude: lowestMagnitude)
  }

  /// The noise as messages name it: "linear noise", "student:linear noise".
  var name: String {
    distribution == .student ? "student:\(model) noise" : "\(model) noise"
  }

  /// A sentence for the fit's method: the distribution and σ's formula.
  var methodDescription: String {
    switch (distribution, model) {
    case (_, .poisson): "Poisson counts (σ = √μ)"
    case (.normal, _): "normal noise with σ = \(model.formula)"
    case (.student, .constant):
      "Student-t noise (\(degreesOfFreedomDescription)) with a constant scale σ = s0"
    case (.student, _):
      "Student-t noise (\(degreesOfFreedomDescription)) with scale σ = \(model.formula)"
    }
  }

  private var degreesOfFreedomDescription: String {
    fixedDegreesOfFreedom.map { "ν = \($0), fixed" } ?? "ν estimated as df"
  }
}
