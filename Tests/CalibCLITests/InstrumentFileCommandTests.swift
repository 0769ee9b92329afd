import Foundation
import Testing

/// End-to-end: corrupted instrument files given to `calib show` and `calib measure` exit 65
/// with the place of the fault (JSON path, or line and column), never a trap or a signal.
@Suite("Corrupted instrument files on the command line")
struct InstrumentFileCommandTests {
  /// Fits the saturating-detector fixture with MCMC samples (`detector.json`) and the
  /// quadratic fixture with known u(y) (`quadratic.json`) into `directory`; writes one
  /// observation file for each.
  func instruments(in directory: URL) throws {
    let fixtures = CommandLineTool.fixtures
    let runs = [
      [
        "fit", fixtures.appendingPathComponent("saturating-detector.csv").path, "--x", "dose",
        "--y", "counts",
        "--model", "mm", "--posterior", "mcmc", "-o", "detector.json",
      ],
      [
        "fit", fixtures.appendingPathComponent("quadratic-vertex.csv").path, "--x", "x", "--y",
        "reading",
        "--sy", "u_reading", "--model", "poly:2", "-o", "quadratic.json",
      ],
    ]
    for arguments in runs {
      let run = try CommandLineTool.run(arguments, in: directory)
      #expect(run.status == 0, "\(run.error)")
    }
    try Data("id,y\na,100\n".utf8).write(to: directory.appendingPathComponent("detector.csv"))
    try Data("id,y,u\na,5,0.1\n".utf8).write(to: directory.appendingPathComponent("quadratic.csv"))
  }

  /// `calib show` and `calib measure` on `file`; the exit status and standard error of each.
  func runBoth(
    _ file: String, observations: String, in directory: URL
  ) throws -> [(
    String, CommandLineTool.Outcome
  )] {
    var uncertainty: [String] = []
    if observations == "quadratic.csv" { uncertainty = ["--sy", "u"] }
    return [
      ("show", try CommandLineTool.run(["show", file], in: directory)),
      (
        "measure",
        try CommandLineTool.run(
          ["measure", file, observations, "--y", "y", "--id", "id", "-o", "report.json"]
            + uncertainty, in: directory)
      ),
    ]
  }

  /// Replaces the value of `key` inside the object `object` (a top-level field) of the JSON
  /// text by `replacement`, as text, so that it can be anything (NaN, a truncation).
  func edit(_ text: String, object: String, key: String, replacement: String) throws -> String {
    var json = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    var inner = try #require(json[object] as? [String: Any])
    inner[key] = "@@"
    json[object] = inner
    return String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
      .replacingOccurrences(of: "\"@@\"", with: replacement)
  }

  @Test(
    "each class of corruption exits 65 naming the JSON path",
    arguments: [
      ("model", "predictors", "[]", "$.model.predictors: expected at least one predictor"),
      ("posterior", "sigma_samples", "null", "$.posterior.sigma_samples: expected a σ per sample"),
      ("posterior", "samples", "[]", "$.posterior.samples: expected at least one sample"),
      (
        "posterior", "samples", "[[1, 2, 3]]",
        "$.posterior.samples[0]: expected a draw of the 2 parameters"
      ),
      (
        "posterior", "scale", "[[1, 0], [0]]",
        "$.posterior.scale[1]: expected a row of 2 elements, found 1"
      ),
      (
        "posterior", "location", "[\"NaN\", 1]",
        "$.posterior.location[0]: expected a number, found a string"
      ),
      ("fit", "n", "\"8\"", "$.fit.n: expected an integer, found a string"),
      ("domain", "y", "{}", "$.domain.y: expected an array, found an object"),
      (
        "domain", "x_range", "[{\"lower\": 1e999, \"upper\": 2}]",
        "$.domain.x_range[0].lower: the number 1e999 is beyond"
      ),
      ("noise", "model", "\"lorentzian\"", "$.noise.model: "),
    ])
  func corrupted(_ object: String, key: String, replacement: String, message: String) throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instruments(in: directory)
    let text = String(
      decoding: try Data(contentsOf: directory.appendingPathComponent("detector.json")),
      as: UTF8.self)
    try Data(try edit(text, object: object, key: key, replacement: replacement).utf8)
      .write(to: directory.appendingPathComponent("broken.json"))
    for (command, run) in try runBoth("broken.json", observations: "detector.csv", in: directory) {
      #expect(run.status == 65, "\(command): \(run.error)")
      #expect(
        run.error.contains("calib: error: broken.json: \(message)"), "\(command): \(run.error)")
      #expect(run.output.isEmpty, "\(command) wrote output")
    }
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("report.json").path))
  }

  @Test("a truncated or malformed file exits 65 naming the line and column")
  func truncated() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instruments(in: directory)
    let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("quadratic.json")))
    let cut = Array(bytes.prefix(bytes.count / 2))
    try Data(cut).write(to: directory.appendingPathComponent("cut.json"))
    // The place where the text ends, counted independently: lines, and the last one's length.
    let lines = String(decoding: cut, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false)
    let location =
      "cut.json:\(lines.count):\((lines.last?.count ?? 0) + 1): not an instrument file: malformed JSON"
    for (command, run) in try runBoth("cut.json", observations: "quadratic.csv", in: directory) {
      #expect(run.status == 65 && run.error.contains(location), "\(command): \(run.error)")
    }
    let text = String(decoding: bytes, as: UTF8.self)
    try Data(try edit(text, object: "fit", key: "rss", replacement: "NaN").utf8).write(
      to: directory.appendingPathComponent("nan.json"))
    for (command, run) in try runBoth("nan.json", observations: "quadratic.csv", in: directory) {
      #expect(
        run.status == 65 && run.error.contains("nan.json:1:")
          && run.error.contains("expected a value"), "\(command): \(run.error)")
    }
  }

  /// Every top-level field and every field one level down, of both instruments, deleted, set
  /// to null, to a string, to a number and to an empty array: `calib show` and `calib measure`
  /// exit 0 or 65, never 70 (an internal error) nor a signal (≥ 128 or a crash).
  @Test("mutations of every field never trap", arguments: ["detector", "quadratic"])
  func mutations(_ name: String) throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instruments(in: directory)
    var original = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: directory.appendingPathComponent("\(name).json"))) as? [String: Any])
    // 40 posterior samples serve the checks as well as thousands, and keep each run short.
    if var posterior = original["posterior"] as? [String: Any],
      let samples = posterior["samples"] as? [Any],
      let sigmas = posterior["sigma_samples"] as? [Any]
    {
      posterior["samples"] = Array(samples.prefix(40))
      posterior["sigma_samples"] = Array(sigmas.prefix(40))
      original["posterior"] = posterior
    }
    let replacements: [Any?] = [nil, NSNull(), "x", 7.5, [Any]()]
    var mutants: [(String, [String: Any])] = []
    for key in original.keys.sorted() {
      for replacement in replacements {
        var copy = original
        copy[key] = replacement
        mutants.append(("$.\(key) → \(replacement.map { "\($0)" } ?? "deleted")", copy))
      }
      guard let inner = original[key] as? [String: Any] else { continue }
      for innerKey in inner.keys.sorted() {
        for replacement in replacements {
          var changed = inner
          changed[innerKey] = replacement
          var copy = original
          copy[key] = changed
          mutants.append(
            ("$.\(key).\(innerKey) → \(replacement.map { "\($0)" } ?? "deleted")", copy))
        }
      }
    }
    var refused = 0
    for (label, mutant) in mutants {
      try JSONSerialization.data(withJSONObject: mutant).write(
        to: directory.appendingPathComponent("mutant.json"))
      for (command, run) in try runBoth("mutant.json", observations: "\(name).csv", in: directory) {
        #expect(
          run.status == 0 || run.status == 65,
          "\(label), \(command): status \(run.status), \(run.error)")
        if run.status == 65 {
          refused += 1
          // The file refused with a JSON path, or (read) an observation refused by line.
          #expect(
            run.error.hasPrefix("calib: error: mutant.json: $")
              || run.error.hasPrefix("calib: error: \(name).csv:"),
            "\(label), \(command): \(run.error)")
        }
      }
    }
    #expect(refused > mutants.count, "refused \(refused) of \(2 * mutants.count) runs")
  }

  /// Found while fuzzing the formula parser: a formula nested 30 000 deep overflowed the stack
  /// (signal 11) from `--model` and from an instrument file's `model.spec`.
  @Test("a formula nested 30 000 deep is refused: usage from --model, data from a file")
  func deepFormula() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try instruments(in: directory)
    let deep =
      String(repeating: "(", count: 30_000) + "vmax*x/(km + x)"
      + String(repeating: ")", count: 30_000)
    let fit = try CommandLineTool.run(
      [
        "fit", CommandLineTool.fixtures.appendingPathComponent("saturating-detector.csv").path,
        "--x", "dose",
        "--y", "counts", "--model=\(deep)", "-o", "deep.json",
      ], in: directory)
    #expect(
      fit.status == 64 && fit.error.contains("longer than 1000"),
      "\(fit.status) \(fit.error.prefix(300))")
    let text = String(
      decoding: try Data(contentsOf: directory.appendingPathComponent("detector.json")),
      as: UTF8.self)
    let spec = String(
      decoding: try JSONSerialization.data(withJSONObject: deep, options: .fragmentsAllowed),
      as: UTF8.self)
    try Data(try edit(text, object: "model", key: "spec", replacement: spec).utf8).write(
      to: directory.appendingPathComponent("deep.json"))
    for (command, run) in try runBoth("deep.json", observations: "detector.csv", in: directory) {
      #expect(
        run.status == 65 && run.error.contains("deep.json: $.model.spec: not a model calib reads"),
        "\(command): \(run.status) \(run.error.prefix(300))")
    }
  }
}
