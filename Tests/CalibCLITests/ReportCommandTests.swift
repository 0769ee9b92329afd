import Foundation
import Testing

/// `calib report` (docs/report.md) opened in headless Chromium (Debian's `chromium`, which
/// `make test` installs when missing): the page loads with no console message at all (a page
/// that breaks its own Content-Security-Policy is caught, the control), a screenshot is not
/// blank, and the tables of the page as the browser built it hold the numbers of the JSON
/// files `calib fit`, `calib measure` and `calib limits` write, exactly.
@Suite("calib report")
struct ReportCommandTests {
  /// Runs headless Chromium on `page` with `arguments`; its standard output and error,
  /// written to files in `directory` (Chromium's log is long).
  static func chromium(
    _ arguments: [String], page: URL, in directory: URL
  ) throws -> (
    output: String, log: String
  ) {
    let (out, err) = (
      directory.appendingPathComponent("chromium.out"),
      directory.appendingPathComponent("chromium.err")
    )
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
      [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--enable-logging=stderr", "--v=0",
        "--user-data-dir=" + directory.appendingPathComponent("profile").path,
      ] + arguments + [page.absoluteString]
    process.standardInput = Pipe()
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "chromium \(arguments) failed")
    return (
      try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8)
    )
  }

  /// The console messages Chromium logged for the page.
  static func consoleMessages(_ log: String) -> [Substring] {
    log.split(separator: "\n").filter { $0.contains(":CONSOLE") }
  }

  /// The full numbers (`data-value`) of the rows of table `id` in `html`, cell by cell (nil
  /// for a cell without one), and each row's first cell's text.
  static func table(_ id: String, in html: String) throws -> [(name: String, values: [Double?])] {
    let start = try #require(html.range(of: "<table id=\"\(id)\">"), "no table \(id)")
    let end = try #require(html.range(of: "</table>", range: start.upperBound..<html.endIndex))
    let body = html[start.upperBound..<end.lowerBound]
    let rows = body.components(separatedBy: "<tr>").dropFirst(2)
    return rows.map { row in
      let cells = row.components(separatedBy: "<td").dropFirst()
      let values = cells.map { cell -> Double? in
        guard let mark = cell.range(of: "data-value=\"") else { return nil }
        let rest = cell[mark.upperBound...]
        return rest.firstIndex(of: "\"").flatMap { Double(rest[..<$0]) }
      }
      let first = cells.first.map { cell -> String in
        let text = cell.drop { $0 != ">" }.dropFirst()
        return String(text.prefix { $0 != "<" })
      }
      return (first ?? "", values)
    }
  }

  /// Tests/Reference/plot/png_pixels.py's answer about a PNG (see that script).
  static func pixels(_ arguments: [String]) throws -> String {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Reference/plot/png_pixels.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "png_pixels.py \(arguments) failed")
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A JSON value read by JSONDecoder, whose numbers read back as the doubles written
  /// (JSONSerialization's may be off by an ulp).
  enum JSONValue: Decodable {
    case number(Double), text(String), flag(Bool), list([JSONValue])
    case object([String: JSONValue]), null

    init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      if container.decodeNil() {
        self = .null
      } else if let value = try? container.decode(Bool.self) {
        self = .flag(value)
      } else if let value = try? container.decode(Double.self) {
        self = .number(value)
      } else if let value = try? container.decode(String.self) {
        self = .text(value)
      } else if let value = try? container.decode([JSONValue].self) {
        self = .list(value)
      } else {
        self = .object(try container.decode([String: JSONValue].self))
      }
    }

    subscript(key: String) -> JSONValue? {
      if case .object(let members) = self { return members[key] }
      return nil
    }
    var number: Double? { if case .number(let value) = self { value } else { nil } }
    var text: String? { if case .text(let value) = self { value } else { nil } }
    var list: [JSONValue]? { if case .list(let value) = self { value } else { nil } }
  }

  static func json(_ url: URL) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
  }

  @Test("the page in Chromium: no console message, not blank, the JSON's numbers in its tables")
  func inChromium() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = { (name: String) in CommandLineTool.fixtures.appendingPathComponent(name).path }
    let fit = try CommandLineTool.run(
      [
        "fit", fixture("absorbance-line.csv"), "--x", "concentration", "--y", "absorbance",
        "--group", "standard", "-o", "abs.json",
      ], in: directory)
    #expect(fit.status == 0, "\(fit.error)")
    // The fixture's samples and one that cannot be read.
    let samples =
      try String(contentsOfFile: fixture("absorbance-observations.csv"), encoding: .utf8)
      + "broken,abc\n"
    try samples.write(
      to: directory.appendingPathComponent("samples.csv"), atomically: true, encoding: .utf8)
    let arguments = ["abs.json", "samples.csv", "--y", "absorbance", "--group", "sample"]
    let report = try CommandLineTool.run(
      ["report"] + arguments + ["--alpha", "0.01", "-o", "report.html"], in: directory)
    #expect(report.status == 0, "\(report.error)")
    // --strict: the page is written, and the exit says a sample could not be measured.
    let strict = try CommandLineTool.run(
      ["report"] + arguments + ["--strict", "-o", "strict.html"], in: directory)
    #expect(strict.status == 65 && strict.error.contains("1 observation could not be measured"))
    #expect(
      FileManager.default.fileExists(atPath: directory.appendingPathComponent("strict.html").path))
    let measure = try CommandLineTool.run(
      ["measure"] + arguments + ["-o", "m.json"], in: directory)
    #expect(measure.status == 0, "\(measure.error)")
    let limits = try CommandLineTool.run(
      ["limits", "abs.json", "--alpha", "0.01", "-o", "l.json"], in: directory)
    #expect(limits.status == 0, "\(limits.error)")

    let page = directory.appendingPathComponent("report.html")
    let html = try String(contentsOf: page, encoding: .utf8)
    // Nothing to fetch: no reference to another file or address (the SVG namespace aside).
    let references = html.replacingOccurrences(
      of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
    for word in ["http:", "https:", "src=", "href=", "url(http", "@import"] {
      #expect(!references.contains(word), "\(word)")
    }
    let loaded = try Self.chromium(["--dump-dom"], page: page, in: directory)
    #expect(Self.consoleMessages(loaded.log).isEmpty, "\(Self.consoleMessages(loaded.log))")
    let dom = loaded.output

    // The samples: estimate, sd and interval of each, as `calib measure` reports them.
    let rows = try Self.table("measurements", in: dom)
    let observations = try #require(
      try Self.json(directory.appendingPathComponent("m.json"))["observations"]?.list)
    #expect(rows.count == observations.count && rows.count == 7)
    for (row, observation) in zip(rows, observations) {
      #expect(row.name == observation["id"]?.text)
      guard let x = observation["x"] else {
        #expect(row.name == "broken" && row.values[3] == nil)
        continue
      }
      let interval = try #require(x["interval"])
      let expected = [x["estimate"], x["sd"], interval["lower"], interval["upper"]].map {
        $0?.number
      }
      #expect(Array(row.values[3...6]) == expected, "\(row.name): \(row.values) vs \(expected)")
      // An estimate the range cuts is shown as a bound, as the table shows it.
      if observation["coverage"]?["prior_bound"]?.number != nil {
        let lower = try #require(interval["lower"]?.number)
        #expect(dom.contains(String(format: "\">&gt; %.6g</td>", lower)), "\(row.name)")
      }
    }
    // Parameters and back-calculated standards as in the instrument file.
    let instrument = try Self.json(directory.appendingPathComponent("abs.json"))
    let parameters = try #require(instrument["parameters"]?.list)
    let parameterRows = try Self.table("parameters", in: dom)
    #expect(parameterRows.map(\.name) == parameters.compactMap { $0["name"]?.text })
    #expect(parameterRows.map { $0.values[1] } == parameters.map { $0["estimate"]?.number })
    #expect(parameterRows.map { $0.values[2] } == parameters.map { $0["std_error"]?.number })
    let standards = try #require(instrument["standards"]?.list)
    let standardRows = try Self.table("back-calculated", in: dom)
    #expect(standardRows.count == standards.count)
    for (row, standard) in zip(standardRows, standards) {
      #expect(row.values[0] == standard["x"]?.number)
      #expect(row.values[2] == standard["back_calculated"]?.number)
      #expect(row.values[3] == standard["recovery"]?.number)
    }
    // The limits, with the same α.
    let limitsFile = try Self.json(directory.appendingPathComponent("l.json"))
    let limitRows = try Self.table("detection-limits", in: dom)
    for (k, key) in ["critical_value", "detection_limit", "quantification_limit"].enumerated() {
      let limit = try #require(limitsFile[key])
      #expect(limitRows[k].values[1] == limit["x"]?.number, "\(key)")
      #expect(limitRows[k].values[2] == limit["y"]?.number, "\(key)")
    }

    // A screenshot: not blank, the plot drawn.
    let shot = directory.appendingPathComponent("shot.png")
    _ = try Self.chromium(
      ["--window-size=1000,3000", "--screenshot=" + shot.path], page: page, in: directory)
    let ink = try Self.pixels([shot.path, "ink", "0", "0", "1000", "3000"])
    #expect((Double(ink) ?? 0) > 0.02, "ink \(ink)")

    // The control: a page that breaks its own policy is seen.
    let bad = directory.appendingPathComponent("bad.html")
    try html.replacingOccurrences(
      of: "</body>", with: "<img src=\"http://example.invalid/x.png\"></body>"
    ).write(to: bad, atomically: true, encoding: .utf8)
    let broken = try Self.chromium(["--dump-dom"], page: bad, in: directory)
    #expect(!Self.consoleMessages(broken.log).isEmpty)
  }

  @Test("several outputs: the sensor and the mixture, each unknown's numbers those of measure")
  func severalOutputs() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = { (name: String) in CommandLineTool.fixtures.appendingPathComponent(name).path }
    for (name, fit, observations, columns, predictors) in [
      (
        "sensor", ["two-channel-sensor.csv", "--x", "conc", "--y", "signal,reference"],
        "two-channel-observations.csv", "signal,reference", ["conc"]
      ),
      (
        "mixture",
        [
          "two-component-mixture.csv", "--x", "c1,c2", "--y", "A420,A520,A610", "--model",
          "b0 + b1*c1 + b2*c2",
        ], "two-component-observations.csv", "A420,A520,A610", ["c1", "c2"]
      ),
    ] {
      let fitted = try CommandLineTool.run(
        ["fit", fixture(fit[0])] + fit.dropFirst() + ["-o", "\(name).json"], in: directory)
      #expect(fitted.status == 0, "\(fitted.error)")
      let arguments = ["\(name).json", fixture(observations), "--y", columns, "--id", "sample"]
      let report = try CommandLineTool.run(
        ["report"] + arguments + ["-o", "\(name).html"], in: directory)
      #expect(report.status == 0, "\(report.error)")
      let measure = try CommandLineTool.run(
        ["measure"] + arguments + ["-o", "\(name)-m.json"], in: directory)
      #expect(measure.status == 0, "\(measure.error)")
      let page = directory.appendingPathComponent("\(name).html")
      let loaded = try Self.chromium(["--dump-dom"], page: page, in: directory)
      #expect(Self.consoleMessages(loaded.log).isEmpty, "\(Self.consoleMessages(loaded.log))")
      let dom = loaded.output
      #expect(dom.contains("<table id=\"noise-covariance\">"))
      #expect(dom.contains("<table id=\"back-calculated\">"))
      #expect(dom.contains("<svg") == (predictors.count == 1))
      let rows = try Self.table("measurements", in: dom)
      let json = try Self.json(directory.appendingPathComponent("\(name)-m.json"))
      let reports = try #require(json["observations"]?.list)
      #expect(rows.count == reports.count && !rows.isEmpty)
      for (row, observation) in zip(rows, reports) {
        #expect(row.name == observation["id"]?.text)
        for (a, predictor) in predictors.enumerated() {
          let x = try #require(
            predictors.count == 1 ? observation["x"] : observation["quantities"]?[predictor])
          let expected = [
            x["estimate"]?.number, x["sd"]?.number, x["interval"]?["lower"]?.number,
            x["interval"]?["upper"]?.number,
          ]
          let first = 2 + 6 * a
          #expect(Array(row.values[first..<(first + 4)]) == expected, "\(row.name) \(predictor)")
        }
      }
    }
  }

  @Test("errors: a missing file, a bad option, a missing column; no file left")
  func errors() throws {
    let directory = try CommandLineTool.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = { (name: String) in CommandLineTool.fixtures.appendingPathComponent(name).path }
    _ = try CommandLineTool.fitAbsorbance(in: directory)
    for (arguments, status) in [
      (["report", "missing.json"], Int32(66)),
      (["report", "abs.json", "--y", "absorbance"], 64),
      (["report", "abs.json", "--alpha", "0.7"], 64),
      (["report", "abs.json", fixture("absorbance-observations.csv"), "--y", "nope"], 65),
    ] {
      let outcome = try CommandLineTool.run(arguments + ["-o", "bad.html"], in: directory)
      #expect(outcome.status == status, "\(arguments): \(outcome.error)")
    }
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.html").path))
  }
}
