import Foundation
import Testing

/// A tutorial of docs/tutorials, run as written: every command of its ```sh blocks, in order,
/// in a fresh folder holding a link to the repository's Fixtures, with the built `calib` first
/// on the PATH.
struct TutorialRun {
  /// The tutorial's Markdown.
  let text: String
  /// The folder the commands ran in (their `out/` is inside it).
  let directory: URL
  /// Standard output and standard error of every command, in order.
  let output: String

  /// The repository's docs/tutorials folder.
  static var folder: URL {
    CommandLineTool.fixtures.deletingLastPathComponent().appendingPathComponent("docs")
      .appendingPathComponent("tutorials")
  }

  /// The commands of the ```sh blocks of `markdown`: one a line (a line ending in a backslash
  /// goes on on the next), blank lines and `#` comments left out.
  static func commands(in markdown: String) -> [String] {
    var commands: [String] = []
    var inside = false
    var pending = ""
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if !inside {
        inside = trimmed == "```sh"
        continue
      }
      if trimmed == "```" {
        inside = false
        continue
      }
      if pending.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("#")) { continue }
      if trimmed.hasSuffix("\\") {
        pending += trimmed.dropLast() + " "
      } else {
        commands.append(pending + trimmed)
        pending = ""
      }
    }
    return commands
  }

  /// The lines of the ```text blocks of `markdown` (the output excerpts), without trailing
  /// blanks, leaving out empty lines and `...` (an excerpt's elision).
  static func excerptLines(in markdown: String) -> [String] {
    var lines: [String] = []
    var inside = false
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if !inside {
        inside = trimmed == "```text"
        continue
      }
      if trimmed == "```" {
        inside = false
        continue
      }
      if trimmed.isEmpty || trimmed == "..." { continue }
      lines.append(
        String(line).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
    }
    return lines
  }

  /// Runs the tutorial `name` (a file of docs/tutorials), expecting every command to exit 0.
  init(_ name: String) throws {
    text = try String(
      contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
    directory = try CommandLineTool.scratchDirectory()
    try FileManager.default.createSymbolicLink(
      at: directory.appendingPathComponent("Fixtures"),
      withDestinationURL: CommandLineTool.fixtures)
    let binaries = CommandLineTool.executable.deletingLastPathComponent().path
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let commands = Self.commands(in: text)
    #expect(commands.count >= 5, "\(name): \(commands.count) commands")
    var output = ""
    for command in commands {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/sh")
      process.arguments = ["-c", command]
      process.currentDirectoryURL = directory
      process.environment = ProcessInfo.processInfo.environment.merging(
        ["PATH": binaries + ":" + path]
      ) { $1 }
      let pipe = Pipe(), input = Pipe()
      process.standardOutput = pipe
      process.standardError = pipe
      process.standardInput = input
      try process.run()
      try input.fileHandleForWriting.close()
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      let text = String(decoding: data, as: UTF8.self)
      #expect(
        process.terminationStatus == 0,
        "\(name): `\(command)` exit \(process.terminationStatus): \(text)")
      output += text
    }
    self.output = output
  }

  /// Every line of the tutorial's output excerpts is a line the commands printed.
  func expectExcerptsPrinted(sourceLocation: SourceLocation = #_sourceLocation) {
    let printed = Set(
      output.split(separator: "\n").map {
        String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
      })
    let excerpts = Self.excerptLines(in: text)
    #expect(!excerpts.isEmpty, sourceLocation: sourceLocation)
    for line in excerpts {
      let found = printed.contains(line)
      #expect(found, "not printed: \(line)", sourceLocation: sourceLocation)
    }
  }

  /// The JSON document the commands wrote at `path` (relative to the run's folder).
  func json(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: directory.appendingPathComponent(path))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
  }

  /// `stated`, as the tutorial's text prints it (a typographic minus allowed), is there and
  /// within `tolerance` of `value`.
  func expectStated(
    _ stated: String, is value: Double?, within tolerance: Double,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let found = text.contains(stated)
    #expect(found, "the text does not state \(stated)", sourceLocation: sourceLocation)
    let number = Double(stated.replacingOccurrences(of: "−", with: "-")) ?? .nan
    let actual = value ?? .nan
    #expect(
      Swift.abs(number - actual) <= tolerance, "\(stated) stated, \(actual) computed",
      sourceLocation: sourceLocation)
  }

  /// Removes the run's folder.
  func remove() {
    try? FileManager.default.removeItem(at: directory)
  }
}

/// The tutorials of docs/tutorials run as written, print what they show, and state the figures
/// their commands compute.
@Suite("Tutorials")
struct TutorialTests {
  /// The entries of `file[key]` (a JSON array of objects).
  static func objects(_ file: [String: Any], _ key: String) -> [[String: Any]] {
    file[key] as? [[String: Any]] ?? []
  }

  /// The number at `path` (keys, or indices into arrays) in `object`.
  static func number(_ object: Any?, _ path: Any...) -> Double? {
    number(object, path: path)
  }

  /// The number at `path` (keys, or indices into arrays) in `object`.
  static func number(_ object: Any?, path: [Any]) -> Double? {
    var current = object
    for step in path {
      if let key = step as? String {
        current = (current as? [String: Any])?[key]
      } else if let index = step as? Int, let array = current as? [Any], index < array.count {
        current = array[index]
      } else {
        return nil
      }
    }
    return (current as? NSNumber)?.doubleValue
  }

  /// The observation `id` of the report at `path`.
  static func observation(_ run: TutorialRun, _ path: String, _ id: String) throws -> [String: Any]
  {
    try objects(run.json(path), "observations").first { $0["id"] as? String == id } ?? [:]
  }

  @Test("a chemist's straight line: limits, DIN 32645, p_above")
  func straightLine() throws {
    let run = try TutorialRun("straight-line.md")
    defer { run.remove() }
    run.expectExcerptsPrinted()
    let limits = try run.json("out/absorbance-limits.json")
    run.expectStated("0.0581", is: Self.number(limits, "critical_value", "x"), within: 5e-5)
    run.expectStated("0.009767", is: Self.number(limits, "critical_value", "y"), within: 5e-7)
    run.expectStated("0.116", is: Self.number(limits, "detection_limit", "x"), within: 5e-4)
    run.expectStated("0.211", is: Self.number(limits, "quantification_limit", "x"), within: 1e-3)
    run.expectStated("1.746", is: Self.number(limits, "figures", "quantile_alpha"), within: 5e-4)
    run.expectStated("0.00329", is: Self.number(limits, "figures", "blank_sd"), within: 5e-6)
    let blank = try Self.observation(run, "out/samples.json", "blank")
    run.expectStated("0.603", is: Self.number(blank, "x", "p_above", "probability"), within: 5e-4)
    #expect(Self.number(blank, "x", "p_above", "threshold") == 0)
    #expect(blank["quantitation"] as? String == "below_lloq")
    let low = try Self.observation(run, "out/samples-above-0.3.json", "low")
    run.expectStated("0.941", is: Self.number(low, "x", "p_above", "probability"), within: 5e-4)
    #expect(Self.number(low, "x", "p_above", "threshold") == 0.3)
    let svg = try String(
      contentsOf: run.directory.appendingPathComponent("out/absorbance.svg"), encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.contains(">extrapolated<"))
    // The posterior of `low` and the report: the interval and median the text states.
    let posterior = try String(
      contentsOf: run.directory.appendingPathComponent("out/posterior-low.svg"), encoding: .utf8)
    #expect(posterior.contains("95% equal-tailed [0.2845, 0.4246]"))
    let lowInterval = low["x"] as? [String: Any]
    run.expectStated("0.28455", is: Self.number(lowInterval, "interval", "lower"), within: 5e-6)
    run.expectStated("0.35467", is: Self.number(lowInterval, "median"), within: 5e-6)
    let page = try String(
      contentsOf: run.directory.appendingPathComponent("out/report.html"), encoding: .utf8)
    #expect(page.contains("<table id=\"measurements\">") && page.contains("<td>low</td>"))
    // The DIN 32645 table: calib's figures to the six digits printed.
    let din = try run.json("out/din-limits.json")
    let iterative = try run.json("out/din-limits-iterative.json")
    run.expectStated("0.069813", is: Self.number(din, "critical_value", "x"), within: 5e-7)
    run.expectStated("0.139625", is: Self.number(din, "detection_limit", "x"), within: 5e-7)
    run.expectStated("0.242622", is: Self.number(din, "quantification_limit", "x"), within: 5e-7)
    run.expectStated(
      "0.069813", is: Self.number(iterative, "critical_value", "x"), within: 5e-7)
    run.expectStated(
      "0.132905", is: Self.number(iterative, "detection_limit", "x"), within: 5e-7)
    run.expectStated(
      "0.211950", is: Self.number(iterative, "quantification_limit", "x"), within: 5e-7)
    #expect((din["warnings"] as? [String])?.first?.contains("lies outside the calibrated") == true)
  }

  @Test("an ELISA 4PL plate: the range of quantitation and the undiluted samples")
  func elisa() throws {
    let run = try TutorialRun("elisa-4pl.md")
    defer { run.remove() }
    run.expectExcerptsPrinted()
    let instrument = try run.json("out/elisa.json")
    run.expectStated("0.3", is: Self.number(instrument, "quantitation", "lloq"), within: 0)
    run.expectStated("100", is: Self.number(instrument, "quantitation", "uloq"), within: 0)
    let failing = Self.objects(instrument, "standards").filter { $0["pass"] as? Bool == false }
    #expect(failing.map { Self.number($0, "x") } == [300, 300])
    let expected: [(String, Double, String)] = [
      ("P1", 1, "within"), ("P2", 10, "within"), ("P3-d10", 10, "above_uloq"),
      ("P3-d100", 100, "within"), ("P4", 2, "below_lloq"), ("P5", 50, "within"),
    ]
    let report = try run.json("out/plate.json")
    let observations = Self.objects(report, "observations")
    try #require(observations.map { $0["id"] as? String } == expected.map(\.0))
    for (observation, (id, factor, quantitation)) in zip(observations, expected) {
      #expect(observation["quantitation"] as? String == quantitation, "\(id)")
      #expect(Self.number(observation, "undiluted", "factor") == factor, "\(id)")
      for path: [Any] in [["estimate"], ["sd"], ["interval", "lower"], ["interval", "upper"]] {
        let x = Self.number(observation["x"], path: path)
        let undiluted = Self.number(observation["undiluted"], path: path)
        let product = factor * (x ?? .nan)
        #expect(
          Swift.abs((undiluted ?? .nan) - product) <= 1e-12 * Swift.abs(product),
          "\(id) \(path): \(String(describing: undiluted)), \(factor) × \(String(describing: x))")
      }
    }
    let p2 = observations[1], p3 = observations[3], p4 = observations[4]
    run.expectStated("60.514", is: Self.number(p2, "undiluted", "estimate"), within: 5e-4)
    run.expectStated("2.2551", is: Self.number(p2, "undiluted", "sd"), within: 5e-5)
    run.expectStated("1734.6", is: Self.number(p3, "undiluted", "estimate"), within: 0.05)
    run.expectStated("1623.4", is: Self.number(p3, "undiluted", "interval", "lower"), within: 0.05)
    run.expectStated("1858.3", is: Self.number(p3, "undiluted", "interval", "upper"), within: 0.05)
    run.expectStated("0.2594", is: Self.number(p4, "undiluted", "estimate"), within: 5e-5)
    run.expectStated(
      "1637.6", is: Self.number(observations[2], "undiluted", "estimate"), within: 0.05)
    #expect((observations[2]["coverage"] as? [String: Any])?["status"] as? String == "out_of_range")
    let csv = try String(
      contentsOf: run.directory.appendingPathComponent("out/plate.csv"), encoding: .utf8)
    #expect(csv.contains(",within,10.0,60.514489"))
    let svg = try String(
      contentsOf: run.directory.appendingPathComponent("out/plate.svg"), encoding: .utf8)
    #expect(svg.contains("conc_ng_mL (log scale)") && run.text.contains("conc_ng_mL (log scale)"))
    let page = try String(
      contentsOf: run.directory.appendingPathComponent("out/plate.html"), encoding: .utf8)
    #expect(page.contains("<table id=\"measurements\">") && page.contains("<td>P3-d100</td>"))
    #expect(page.contains("Not given:"))
  }

  @Test("the Pontius load cell: the certified values, the loads and their statuses")
  func pontius() throws {
    let run = try TutorialRun("pontius-load-cell.md")
    defer { run.remove() }
    run.expectExcerptsPrinted()
    let instrument = try run.json("out/pontius.json")
    let parameters = Self.objects(instrument, "parameters")
    // NIST's certified values (Pontius.dat), as the tutorial's table prints them, to 1e-9.
    let certified = [
      ("0.673565789473684E-03", "0.107938612033077E-03"),
      ("0.732059160401003E-06", "0.157817399981659E-09"),
      ("-0.316081871345029E-14", "0.486652849992036E-16"),
    ]
    #expect(parameters.count == certified.count)
    for (parameter, (value, sd)) in zip(parameters, certified) {
      let estimate = Self.number(parameter, "estimate")
      let error = Self.number(parameter, "std_error")
      run.expectStated(value, is: estimate, within: 1e-9 * Swift.abs(Double(value) ?? 0))
      run.expectStated(sd, is: error, within: 1e-9 * (Double(sd) ?? 0))
    }
    run.expectStated(
      "0.205177424076185E-03", is: Self.number(instrument, "fit", "residual_sd"),
      within: 1e-9 * 0.205177424076185E-03)
    run.expectStated(
      "0.999999900178537", is: Self.number(instrument, "fit", "r_squared"), within: 1e-9)
    let loads = try Self.objects(run.json("out/loads.json"), "observations")
    try #require(
      loads.map { ($0["coverage"] as? [String: Any])?["status"] as? String }
        == ["covered", "covered", "covered", "extrapolated"])
    run.expectStated("298.76", is: Self.number(loads[1], "x", "sd"), within: 5e-3)
    run.expectStated("380.72", is: Self.number(loads[3], "x", "sd"), within: 5e-3)
    run.expectStated(
      "3.46", is: Self.number(loads[3], "coverage", "leverage", "ratio"), within: 5e-3)
    #expect(Self.number(loads[3], "coverage", "p_outside_domain") == 1)
    let coverage = try run.json("out/pontius-coverage.json")
    let regions = Self.objects(coverage, "regions")
    #expect(regions.map { $0["status"] as? String } == ["extrapolated", "covered", "extrapolated"])
    #expect(regions.map { Self.number($0, "lower") } == [-2_700_000, 150_000, 3_000_000])
    run.expectStated(
      "313.27", is: Self.number(coverage, "design", "worst", "x_sd"), within: 5e-3)
    run.expectStated(
      "309.41", is: Self.number(coverage, "design", "suggested_standard", "x_sd"), within: 5e-3)
    run.expectStated("0.0123", is: Self.number(coverage, "design", "reduction"), within: 5e-5)
  }

  @Test("a two-output instrument: both outputs against one, the channels' disagreement")
  func twoOutputs() throws {
    let run = try TutorialRun("two-output-instrument.md")
    defer { run.remove() }
    run.expectExcerptsPrinted()
    func width(_ path: String, _ id: String) throws -> Double? {
      let interval = (try Self.observation(run, path, id)["x"] as? [String: Any])?["interval"]
      guard let lower = Self.number(interval, "lower"), let upper = Self.number(interval, "upper")
      else { return nil }
      return upper - lower
    }
    run.expectStated("0.695", is: try width("out/sensor-samples.json", "S2"), within: 5e-4)
    run.expectStated("0.751", is: try width("out/signal-samples.json", "S2"), within: 5e-4)
    run.expectStated("0.739", is: try width("out/reference-samples.json", "S2"), within: 5e-4)
    run.expectStated("0.50", is: try width("out/diagonal-samples.json", "S2"), within: 5e-3)
    let s4 = try Self.observation(run, "out/sensor-samples.json", "S4")
    #expect((s4["coverage"] as? [String: Any])?["status"] as? String == "inconsistent")
    run.expectStated(
      "33.66", is: Self.number(s4, "coverage", "metric", "from_manifold"), within: 5e-3)
    run.expectStated(
      "3.05e-12", is: Self.number(s4, "coverage", "consistency", "p_value"), within: 5e-15)
    for path in ["out/signal-samples.json", "out/reference-samples.json"] {
      let alone = try Self.observation(run, path, "S4")
      #expect((alone["coverage"] as? [String: Any])?["status"] as? String == "covered", "\(path)")
    }
    let coverage = try run.json("out/sensor-coverage.json")
    let axis = Self.objects(coverage, "axes").first ?? [:]
    let points = Self.objects(axis, "points")
    #expect(points.count == 201)
    run.expectStated("6.72", is: Self.number(points.first, "sensitivity"), within: 5e-3)
    let middle = points.min {
      Swift.abs((Self.number($0, "x") ?? .nan) - 4.5)
        < Swift.abs((Self.number($1, "x") ?? .nan) - 4.5)
    }
    run.expectStated("0.154", is: Self.number(middle, "x_sd"), within: 5e-4)
    run.expectStated(
      "0.165", is: Self.number(coverage, "design", "worst", "x_sd"), within: 5e-4)
    run.expectStated(
      "0.26", is: 100 * (Self.number(coverage, "design", "reduction") ?? .nan), within: 5e-3)
    let statuses = Self.objects(coverage, "observations").map {
      ($0["coverage"] as? [String: Any])?["status"] as? String
    }
    #expect(statuses == ["covered", "covered", "covered", "inconsistent"])
    let mixture = try Self.observation(run, "out/mixture-samples.json", "M1")
    run.expectStated("−0.817", is: Self.number(mixture, "correlation", 0, 1), within: 5e-4)
    run.expectStated(
      "0.023", is: Self.number(mixture, "coverage", "consistency", "p_value"), within: 5e-4)
  }
}
