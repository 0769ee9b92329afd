import CalibCore
import Foundation
import Testing

/// `calib plot`'s SVG rendered by a real renderer (rsvg-convert, Debian's librsvg2-bin, which
/// `make test` installs when missing) and the picture checked with the standard library's
/// PNG decoder (Tests/Reference/plot/png_pixels.py): its size, ink in both panels, and each
/// standard's point drawn where its coordinates say, mapped independently from the axis
/// ranges the plot reports.
@Suite("Plots rendered")
struct PlotRenderingTests {
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Reference/plot/png_pixels.py").path

  /// Runs `command` (found on PATH) with `arguments`; its standard output.
  static func run(_ command: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "\(command) \(arguments) failed")
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func check(_ state: InstrumentState, observations: [Observation], logarithmic: Bool) throws {
    let instrument = try Instrument(state)
    let measurer = try Measurer(instrument: instrument, settings: MeasurementSettings())
    let reports = try observations.map { try measurer.measure($0) }
    let plot = try CalibrationPlot(instrument: instrument, observations: reports)
    #expect(plot.logarithmicX == logarithmic)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "calib-plot-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let svg = folder.appendingPathComponent("plot.svg")
    let png = folder.appendingPathComponent("plot.png")
    try Data(plot.svg.utf8).write(to: svg)
    _ = try Self.run("rsvg-convert", [svg.path, "-o", png.path])
    #expect(try Self.run("python3", [Self.script, png.path, "size"]) == "800 600")
    let panel = plot.panel
    let ink =
      Double(
        try Self.run(
          "python3",
          [Self.script, png.path, "ink"]
            + [panel.left, panel.top, panel.width, panel.height].map {
              "\(Int($0))"
            })) ?? 0
    #expect(ink > 0.05, "ink in the main panel: \(ink)")
    let (xs, ys) = (state.domain.x[0], state.domain.y)
    let (x0, x1) = (plot.xRange.lowerBound, plot.xRange.upperBound)
    let (y0, y1) = (plot.yRange.lowerBound, plot.yRange.upperBound)
    for (x, y) in zip(xs, ys) {
      let t =
        logarithmic
        ? (x > 0 ? (log10(x) - log10(x0)) / (log10(x1) - log10(x0)) : 0)
        : (x - x0) / (x1 - x0)
      let px = panel.left + panel.width * t
      let py = panel.top + panel.height * (y1 - y) / (y1 - y0)
      let found = try Self.run(
        "python3", [Self.script, png.path, "colour", "\(px)", "\(py)", "0", "0", "255", "2"])
      #expect(found == "1", "standard (\(x), \(y)) not drawn at (\(px), \(py))")
    }
  }

  @Test func absorbanceLine() throws {
    try check(
      fixtureInstrument(
        "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line"),
      observations: [
        Observation(id: "a", readings: [0.41], line: 2),
        Observation(id: "b", readings: [1.3], line: 3),
      ], logarithmic: false)
  }

  @Test func dilutionSeriesOnALogAxis() throws {
    try check(
      fixtureInstrument("elisa-blank.csv", x: "conc_ng_mL", y: "od", spec: "4pl"),
      observations: [Observation(id: "s", readings: [0.9], line: 2)], logarithmic: true)
  }
}
