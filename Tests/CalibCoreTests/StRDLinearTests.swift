import CalibCore
import Foundation
import Testing

/// NIST StRD linear regression: every certified estimate, standard error and the residual
/// sd, judged by the log relative error (correct significant digits).
@Suite("NIST StRD linear least squares")
struct StRDLinearTests {
  struct Certified: Decodable {
    struct Values: Decodable {
      var params: [Double]
      var stddev: [Double]
      var rss: Double
      var residual_sd: Double
      var r_squared: Double
    }
    var name: String
    var regressors: [String]
    var param_names: [String]
    var predictors: [String]
    var certified: Values
  }

  /// The 11 linear sets, Filip (NIST's hardest) included.
  static let datasets = [
    "Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley",
    "Wampler1", "Wampler2", "Wampler3", "Wampler4", "Wampler5",
  ]

  /// The model as a formula in calib's language: Σ param·regressor.
  static func formula(_ set: Certified) -> String {
    zip(set.param_names, set.regressors).map { name, regressor in
      regressor == "1" ? name : "\(name)*\(regressor)"
    }.joined(separator: " + ")
  }

  @Test("certified values to 12 digits (log relative error ≥ 12)", arguments: datasets)
  func certifiedDigits(_ name: String) throws {
    let set = try ReferenceData.json("strd/\(name).json", as: Certified.self)
    let data = try ReferenceData.calibration("strd/\(name).csv", x: set.predictors, y: "y")
    let model = try ResponseModel(spec: Self.formula(set), predictors: set.predictors)
    #expect(model.isLinear)
    let instrument = try model.fit(to: data, provenance: testProvenance)
    #expect(instrument.parameters.map(\.name) == set.param_names)
    let estimates = instrument.parameters.enumerated().map { k, parameter in
      logRelativeError(parameter.estimate, certified: set.certified.params[k])
    }
    let standardErrors = instrument.parameters.enumerated().map { k, parameter in
      logRelativeError(parameter.stdError, certified: set.certified.stddev[k])
    }
    let residualSD = logRelativeError(
      instrument.fit.residualSD ?? .nan, certified: set.certified.residual_sd)
    let digits = estimates + standardErrors + [residualSD]
    let worst = digits.min() ?? 0
    let (worstEstimate, worstError) = (
      try #require(estimates.min()), try #require(standardErrors.min())
    )
    print(
      String(
        format: "LRE %@: estimates %.1f, std errors %.1f, residual sd %.1f (condition %.3g)",
        name, worstEstimate, worstError, residualSD, instrument.fit.conditionNumber))
    // The issue asks for 9; we reach 14 or more and hold 12 so that a regression shows.
    #expect(worst >= 12, "worst LRE \(worst) in \(digits)")
    #expect(
      logRelativeError(instrument.fit.rSquared ?? .nan, certified: set.certified.r_squared) >= 12)
  }
}
