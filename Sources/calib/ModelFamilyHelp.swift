import CalibCore
import Foundation

/// The named families of `calib fit --model` as `fit --help` lists them: each name with its
/// formula in x and its parameter names, taken from the engine's own models (`ModelFamily`
/// through `ResponseModel`) so that the help cannot drift from what is fitted.
enum ModelFamilyHelp {
  /// One line per family, e.g. `  4pl     d + (a - d)/(1 + (x/c)^b)    a, b, c, d`.
  static var lines: [String] {
    let rows = ModelFamily.names.compactMap(row)
    let nameWidth = rows.map(\.name.count).max() ?? 0
    let formulaWidth = rows.map(\.formula.count).max() ?? 0
    return rows.map { row in
      "  " + pad(row.name, nameWidth) + "  " + pad(row.formula, formulaWidth) + "  "
        + row.parameters.joined(separator: ", ")
    }
  }

  /// The paragraph of `fit --help` that lists the families.
  static var discussion: String {
    (["Families of --model, with their formula in x and their parameters:"] + lines)
      .joined(separator: "\n")
  }

  /// The family `name` as the engine builds it. `poly:N` is written from `poly:2`, its last
  /// term and parameter generalized to N (`b0 + b1*x + ... + bN*x^N`; b0, b1, ..., bN).
  ///
  /// A family name is a model by construction; were one ever refused, its line would be
  /// missing, and the golden test of `fit --help` says so.
  private static func row(
    _ name: String
  ) -> (name: String, formula: String, parameters: [String])? {
    guard name == "poly:N" else {
      guard let model = try? ResponseModel(spec: name, predictors: ["x"]) else { return nil }
      return (name, model.formula, model.parameters)
    }
    guard let model = try? ResponseModel(spec: "poly:2", predictors: ["x"]) else { return nil }
    func general(_ text: String) -> String { text.replacingOccurrences(of: "2", with: "N") }
    var terms = model.formula.components(separatedBy: " + ")
    terms.insert("...", at: terms.count - 1)
    var parameters = model.parameters
    parameters.insert("...", at: parameters.count - 1)
    return (
      name, terms.map(general).joined(separator: " + "), parameters.map(general)
    )
  }

  private static func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
  }
}
