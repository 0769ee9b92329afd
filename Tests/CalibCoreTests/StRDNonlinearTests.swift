import CalibCore
import Foundation
import Testing

/// NIST StRD nonlinear regression: every problem in Tests/Reference/strd from both NIST
/// starting points, every certified estimate and standard error, and the residual sd, to at
/// least 6 significant digits (the requirement).
@Suite("NIST StRD nonlinear least squares")
struct StRDNonlinearTests {
  struct Certified: Decodable {
    struct Values: Decodable {
      var params: [Double]
      var stddev: [Double]
      var residual_sd: Double
    }
    var name: String
    var kind: String
    var model_expr: String?
    var param_names: [String]
    var predictors: [String]
    var response: String?
    var start1: [Double]?
    var start2: [Double]?
    var certified: Values
  }

  /// The nonlinear problems listed in the index; a missing index throws, failing the tests.
  static func problems() throws -> [String] {
    let bytes = try ReferenceData.bytes("strd/INDEX.csv")
    var names: [String] = []
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
      let fields = line.split(separator: ",").map(String.init)
      if fields.count > 1, fields[1] == "nonlinear" { names.append(fields[0]) }
    }
    return names
  }

  static func cases() throws -> [(String, Int)] {
    try problems().flatMap { [($0, 1), ($0, 2)] }
  }

  @Test("the index lists the 19 nonlinear problems of NIST StRD")
  func indexIsComplete() throws {
    #expect(try Self.problems().count == 19)
  }

  @Test(
    "certified values to 8 digits (log relative error ≥ 8) from both starts",
    arguments: try cases())
  func certifiedDigits(_ name: String, start: Int) throws {
    let set = try ReferenceData.json("strd/\(name).json", as: Certified.self)
    var data = try ReferenceData.calibration("strd/\(name).csv", x: set.predictors, y: "y")
    if set.response == "log(y)" {
      // Nelson: the model is for log(y); the file holds y.
      data.responses = data.responses.map { $0.applying(.log) }
    }
    let model = try ResponseModel(spec: try #require(set.model_expr), predictors: set.predictors)
    #expect(model.parameters == set.param_names)
    let values = try #require(start == 1 ? set.start1 : set.start2)
    // One start value per parameter: the zip below would drop a missing one.
    try #require(values.count == set.param_names.count)
    let instrument = try model.fit(
      to: data, start: Dictionary(uniqueKeysWithValues: zip(set.param_names, values)),
      posterior: .laplace, provenance: testProvenance)
    let estimates = instrument.parameters.enumerated().map {
      logRelativeError($1.estimate, certified: set.certified.params[$0])
    }
    let errors = instrument.parameters.enumerated().map {
      logRelativeError($1.stdError, certified: set.certified.stddev[$0])
    }
    let sd = logRelativeError(
      instrument.fit.residualSD ?? .nan, certified: set.certified.residual_sd)
    let (worstEstimate, worstError) = (try #require(estimates.min()), try #require(errors.min()))
    print(
      String(
        format: "LRE %@ start %d: estimates %.1f, std errors %.1f, residual sd %.1f", name, start,
        worstEstimate, worstError, sd))
    // The issue asks for 6 digits; every problem reaches 8 or more, and 8 is held so that a
    // regression shows.
    #expect(try #require((estimates + errors + [sd]).min()) >= 8, "\(estimates) \(errors) \(sd)")
  }
}
