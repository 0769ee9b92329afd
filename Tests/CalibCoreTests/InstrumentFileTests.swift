import CalibCore
import Foundation
import Testing

@Suite("Instrument files")
struct InstrumentFileTests {
  func instrument() throws -> InstrumentState {
    let data = try readCalibration("x,y,u\n0,0.1,0.05\n1,2.0,0.05\n2,4.1,0.06\n3,5.9,0.05\n", sy: "u")
    let provenance = Provenance(input: "cal.csv", inputSHA256: data.sha256, calibVersion: CalibVersion.current, command: ["calib", "fit"])
    return try ResponseModel(spec: "line", predictors: ["x"]).fit(to: data, provenance: provenance)
  }

  @Test("written and read back unchanged, bit for bit")
  func roundTrip() throws {
    let state = try instrument()
    let bytes = try InstrumentFile.encode(state)
    let back = try InstrumentFile.decode(bytes, name: "i.json")
    #expect(back == state)
    #expect(try InstrumentFile.encode(back) == bytes)
  }

  @Test("the file holds what the contract names")
  func contractFields() throws {
    let bytes = try InstrumentFile.encode(try instrument())
    let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    #expect(json["format"] as? String == "calib-instrument/1")
    let model = try #require(json["model"] as? [String: Any])
    #expect(model["spec"] as? String == "line")
    #expect(model["formula"] as? String == "b0 + b1*x")
    #expect(model["predictors"] as? [String] == ["x"])
    let parameters = try #require(json["parameters"] as? [[String: Any]])
    #expect(parameters.map { $0["name"] as? String } == ["b0", "b1"])
    #expect(parameters.allSatisfy { $0["estimate"] is Double && $0["std_error"] is Double })
    let fit = try #require(json["fit"] as? [String: Any])
    for key in ["n", "dof", "rss", "residual_sd", "chi2", "converged", "r_squared"] { #expect(fit[key] != nil, "fit.\(key)") }
    #expect(json["covariance"] is [[Double]])
    #expect(json["noise"] is [String: Any] && json["domain"] is [String: Any] && json["provenance"] is [String: Any])
    let provenance = try #require(json["provenance"] as? [String: Any])
    #expect((provenance["input_sha256"] as? String)?.count == 64)
  }

  @Test("an unweighted fit writes chi2 as null")
  func nullChi2() throws {
    let data = try readCalibration("x,y\n0,0.1\n1,2.0\n2,4.1\n3,5.9\n")
    let bytes = try InstrumentFile.encode(try ResponseModel(spec: "line", predictors: ["x"]).fit(to: data, provenance: testProvenance))
    #expect(String(decoding: bytes, as: UTF8.self).contains("\"chi2\" : null"))
  }

  @Test("malformed and foreign files are refused with a reason", arguments: [
    ("not json at all", "not an instrument file"),
    ("[1, 2]", "not an instrument file"),
    ("{\"parameters\": []}", "no \"format\" field"),
    ("{\"format\": \"calib-report/1\"}", "\"calib-report/1\" is not one this calib reads"),
    ("{\"format\": \"calib-instrument/1\"}", "missing field"),
  ])
  func refused(_ text: String, message: String) {
    let error = #expect(throws: InputError.self) { try InstrumentFile.decode(Array(text.utf8), name: "i.json") }
    #expect(error?.file == "i.json")
    #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
  }

  /// Each case changes one field of a valid file so that it no longer agrees with the rest.
  @Test("posterior samples that do not match the parameters are refused")
  func badSamples() throws {
    let data = try readCalibration("x,y\n1,21.1\n2,38.0\n3,58.9\n4,73.5\n5,95.2\n6,108.8\n8,139.1\n10,168.3\n")
    var state = try ResponseModel(spec: "mm", predictors: ["x"]).fit(to: data, posterior: .mcmc, provenance: testProvenance)
    #expect(try InstrumentFile.decode(try InstrumentFile.encode(state), name: "i.json") == state)
    state.posterior.samples?[3] = [1]
    let error = #expect(throws: InputError.self) { try InstrumentFile.decode(try InstrumentFile.encode(state), name: "i.json") }
    #expect(error?.message.contains("posterior.samples") == true)
  }

  @Test("an inconsistent file is refused", arguments: [
    ("covariance", "[[1, 2, 3], [4, 5, 6]]"),
    ("model.spec", "\"poly:2\""),
    ("model.spec", "\"b1*(x\""),
    ("fit.dof", "3"),
    ("posterior.kind", "\"mystery\""),
    ("domain.y", "[1, 2]"),
    ("domain.response_range", "{\"lower\": 5, \"upper\": 1}"),
    ("parameters", "[]"),
  ])
  func inconsistent(_ path: String, replacement: String) throws {
    var json = try #require(try JSONSerialization.jsonObject(with: Data(try InstrumentFile.encode(try instrument()))) as? [String: Any])
    let value = try JSONSerialization.jsonObject(with: Data(replacement.utf8), options: .fragmentsAllowed)
    let keys = path.split(separator: ".").map(String.init)
    if keys.count == 1 {
      json[keys[0]] = value
    } else {
      var inner = try #require(json[keys[0]] as? [String: Any])
      inner[keys[1]] = value
      json[keys[0]] = inner
    }
    let broken = [UInt8](try JSONSerialization.data(withJSONObject: json))
    let error = #expect(throws: InputError.self) { try InstrumentFile.decode(broken, name: "i.json") }
    #expect(error?.message.hasPrefix("inconsistent instrument file") == true, "\(error?.description ?? "")")
  }
}
