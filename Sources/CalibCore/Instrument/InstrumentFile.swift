import Foundation

/// Reading and writing instrument files (`calib-instrument/1`, see docs/instrument-file.md).
///
/// Written as pretty-printed JSON with sorted keys, so the same instrument gives the same
/// bytes on every run. Read back with validation: a file that is not JSON, not an instrument
/// file, of another format version, or inconsistent in itself is an `InputError`.
public enum InstrumentFile {
  /// The bytes of the instrument file for `state`, ending in a newline.
  ///
  /// - Throws: `EncodingError` when a value is not finite (a bug upstream).
  public static func encode(_ state: InstrumentState) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return [UInt8](try encoder.encode(state)) + [0x0A]
  }

  /// Reads and validates an instrument file.
  ///
  /// - Parameters:
  ///   - bytes: The file's content.
  ///   - name: The file's name, for messages.
  /// - Throws: `InputError` naming the file and what is wrong.
  public static func decode(_ bytes: [UInt8], name: String) throws(InputError) -> InstrumentState {
    struct Header: Decodable { var format: String? }
    let data = Data(bytes)
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: data)
    } catch {
      throw InputError(file: name, message: "not an instrument file: \(describe(error))")
    }
    guard let format = header.format else {
      throw InputError(file: name, message: "not a calib instrument file: it has no \"format\" field (expected \"\(InstrumentState.currentFormat)\")")
    }
    guard format == InstrumentState.currentFormat else {
      throw InputError(file: name, message: "the format \"\(format)\" is not one this calib reads; expected \"\(InstrumentState.currentFormat)\"")
    }
    let state: InstrumentState
    do {
      state = try JSONDecoder().decode(InstrumentState.self, from: data)
    } catch {
      throw InputError(file: name, message: "malformed instrument file: \(describe(error))")
    }
    try validate(state, name: name)
    return state
  }

  /// Checks that the parts of an instrument agree with each other and with its model.
  private static func validate(_ state: InstrumentState, name: String) throws(InputError) {
    func fail(_ message: String) -> InputError { InputError(file: name, message: "inconsistent instrument file: \(message)") }
    let model: ResponseModel
    do {
      model = try ResponseModel(spec: state.model.spec, predictors: state.model.predictors)
    } catch {
      throw fail("model.spec: \(error)")
    }
    let p = model.parameters.count
    guard state.parameters.map(\.name) == model.parameters else {
      throw fail("parameters are \(state.parameters.map(\.name)), the model's are \(model.parameters)")
    }
    guard state.covariance.count == p, state.covariance.allSatisfy({ $0.count == p }) else {
      throw fail("covariance must be \(p)×\(p)")
    }
    guard state.posterior.location.count == p, state.posterior.scale.count == p,
      state.posterior.scale.allSatisfy({ $0.count == p })
    else {
      throw fail("posterior location and scale must have \(p) parameters")
    }
    // A sampled nonlinear posterior says `mcmc`; files written before that said `laplace`.
    let sampled = !model.isLinear && state.posterior.samples != nil && state.posterior.kind == "mcmc"
    let expectedKind = sampled ? "mcmc" : !model.isLinear ? "laplace" : state.noise.model == "known" ? "normal" : "normal-scaled-inverse-chi2"
    guard state.posterior.kind == expectedKind, state.model.linear == model.isLinear else {
      throw fail("posterior.kind \"\(state.posterior.kind)\" does not fit a \(model.isLinear ? "linear" : "nonlinear") model with \(state.noise.model) noise (expected \"\(expectedKind)\")")
    }
    guard ["constant", "known"].contains(state.noise.model) else { throw fail("noise.model \"\(state.noise.model)\" is unknown") }
    if state.noise.model == "constant" {
      guard let s2 = state.posterior.s2, s2 >= 0, let dof = state.posterior.dof, dof > 0 else {
        throw fail("with the noise estimated, the posterior needs s2 ≥ 0 and dof > 0")
      }
    }
    if let samples = state.posterior.samples {
      guard !model.isLinear, !samples.isEmpty, samples.allSatisfy({ $0.count == p && $0.allSatisfy(\.isFinite) }) else {
        throw fail("posterior.samples must be draws of the \(p) parameters of a nonlinear model")
      }
      if let sigmas = state.posterior.sigmaSamples, sigmas.count != samples.count || sigmas.contains(where: { !($0 > 0) }) {
        throw fail("posterior.sigma_samples must hold one positive σ per sample")
      }
    }
    if let bounds = state.posterior.bounds, let unknown = bounds.keys.first(where: { !model.parameters.contains($0) }) {
      throw fail("posterior.bounds names '\(unknown)', which is not a parameter")
    }
    let n = state.fit.n
    let domain = state.domain
    guard domain.y.count == n, domain.x.count == model.predictors.count, domain.x.allSatisfy({ $0.count == n }),
      domain.leverage.count == n, domain.xRange.count == model.predictors.count,
      domain.uY.map({ $0.count == n }) ?? true, domain.groups.map({ $0.count == n }) ?? true
    else {
      throw fail("the domain must hold \(n) standards with \(model.predictors.count) predictor(s) each")
    }
    guard state.fit.dof == n - p else { throw fail("fit.dof must be n − p = \(n - p)") }
    for range in domain.xRange + [domain.responseRange] where !(range.lower <= range.upper) {
      throw fail("a range of the domain has lower \(range.lower) above upper \(range.upper)")
    }
  }

  /// A decoding error in a sentence, with the path of the offending field.
  private static func describe(_ error: any Error) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch error {
    case DecodingError.keyNotFound(let key, let context):
      return "missing field \"\(key.stringValue)\" at \(path(context.codingPath).isEmpty ? "top level" : path(context.codingPath))"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "\(path(context.codingPath)): \(context.debugDescription)"
    case DecodingError.dataCorrupted(let context):
      let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
      return [context.debugDescription, underlying].compactMap { $0 }.joined(separator: ": ")
    default:
      return "\(error)"
    }
  }
}
