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
    [UInt8](try JSONEncoder.calibFile.encode(state)) + [0x0A]
  }

  /// Reads and validates an instrument file: the instrument it describes.
  ///
  /// Every field the engine relies on is checked (`InstrumentValidation`): a refused file
  /// names the line and column of a syntax error (a truncated file: its end), or the JSON path
  /// of the field that is missing, of the wrong type, or inconsistent with the rest
  /// (`$.model.predictors: expected at least one predictor`).
  ///
  /// - Parameters:
  ///   - bytes: The file's content.
  ///   - name: The file's name, for messages.
  /// - Throws: `InputError` naming the file and what is wrong.
  public static func decode(_ bytes: [UInt8], name: String) throws(InputError) -> Instrument {
    switch try decodeAny(bytes, name: name) {
    case .single(let instrument): return instrument
    case .multiOutput(let instrument):
      throw InputError(
        file: name,
        message:
          "$.outputs: the instrument has \(instrument.outputs.count) outputs (\(instrument.state.model.responses.joined(separator: ", "))); this command reads instruments with one"
      )
    }
  }

  /// The bytes of the instrument file of an instrument with several outputs, ending in a
  /// newline.
  ///
  /// - Throws: `EncodingError` when a value is not finite (a bug upstream).
  public static func encode(_ state: MultiOutputState) throws -> [UInt8] {
    [UInt8](try JSONEncoder.calibFile.encode(state)) + [0x0A]
  }

  /// Reads and validates an instrument file of either kind: one output, or several (a file
  /// with an `outputs` list).
  ///
  /// - Throws: `InputError` naming the file and what is wrong, as `decode` does.
  public static func decodeAny(
    _ bytes: [UInt8], name: String
  ) throws(InputError) -> LoadedInstrument {
    let document: JSONValue
    do {
      document = try JSONDocument.parse(bytes)
    } catch {
      throw InputError(
        file: name, line: error.line, column: error.column,
        message: "not an instrument file: malformed JSON: \(error.message)")
    }
    guard case .object(let members) = document else {
      throw InputError(
        file: name,
        message: "$: not an instrument file: expected a JSON object, found \(document.kind)")
    }
    guard let format = members["format"] else {
      throw InputError(
        file: name,
        message:
          "$.format: not a calib instrument file: it has no \"format\" field (expected \"\(InstrumentState.currentFormat)\")"
      )
    }
    guard case .string(let formatName) = format, formatName == InstrumentState.currentFormat else {
      let found =
        if case .string(let text) = format { "\"\(text.prefix(40))\"" } else { format.kind }
      throw InputError(
        file: name,
        message:
          "$.format: \(found) is not a format this calib reads; expected \"\(InstrumentState.currentFormat)\""
      )
    }
    if members["outputs"] != nil {
      let state: MultiOutputState
      do {
        state = try JSONValueDecoder.decode(MultiOutputState.self, from: document)
      } catch {
        throw InputError(file: name, message: "\(error.path): \(error.message)")
      }
      return .multiOutput(try MultiOutputInstrument(state, name: name))
    }
    let state: InstrumentState
    do {
      state = try JSONValueDecoder.decode(InstrumentState.self, from: document)
    } catch {
      throw InputError(file: name, message: "\(error.path): \(error.message)")
    }
    return .single(try Instrument(state, name: name))
  }
}

/// An instrument file's instrument: one output, or several.
public enum LoadedInstrument: Sendable {
  /// An instrument with one output (`calib fit --y COL`).
  case single(Instrument)
  /// An instrument with several outputs (`calib fit --y COL,COL,...`).
  case multiOutput(MultiOutputInstrument)
}
