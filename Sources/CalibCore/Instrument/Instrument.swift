/// An instrument state that has passed every check an instrument file passes
/// (docs/instrument-file.md, "Validation"), with its response model compiled: what the
/// measurement and the coverage check take.
///
/// Built once, by reading a file (`InstrumentFile.decode`) or from a state in memory
/// (`init(_:name:)`); nothing downstream checks it again. Its fields read as the state's
/// (`instrument.model.spec`, `instrument.posterior.location`), and cannot be changed: a
/// changed state is a new instrument, checked anew.
@dynamicMemberLookup
public struct Instrument: Equatable, Sendable {
  /// The state, as it is written in the instrument file.
  public let state: InstrumentState
  /// The response model the state describes, compiled.
  let responseModel: ResponseModel

  /// Checks `state` completely.
  ///
  /// - Parameters:
  ///   - state: The instrument state, as `ResponseModel.fit` returns it or decoded from a file.
  ///   - name: The name messages give the instrument (its file's name).
  /// - Throws: `InputError` naming the JSON path of the first field that is wrong or
  ///   inconsistent with the rest.
  public init(_ state: InstrumentState, name: String = "instrument") throws(InputError) {
    do {
      responseModel = try InstrumentValidation.check(state)
    } catch {
      throw InputError(file: name, message: "\(error.path): \(error.message)")
    }
    self.state = state
  }

  /// A field of the state.
  public subscript<Value>(dynamicMember field: KeyPath<InstrumentState, Value>) -> Value {
    state[keyPath: field]
  }

  public static func == (lhs: Instrument, rhs: Instrument) -> Bool { lhs.state == rhs.state }
}
