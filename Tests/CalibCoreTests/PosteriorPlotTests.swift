import CalibCore
import Foundation
import Testing

/// One observation's posterior as `calib plot --posterior` draws it: the tabulated density
/// against the brute-force posterior of BayesianMeasurementTests, the marginals of several
/// unknowns against the report's own quantiles, and the rendered picture (rsvg-convert) with
/// the credible interval, the HPD bars and the median where their numbers say.
@Suite("Posterior plots")
struct PosteriorPlotTests {
  @Test("the density of one reading within 1e-6 of its peak of a brute-force posterior")
  func densityAgainstBruteForce() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let measurer = try Measurer(instrument: state, settings: MeasurementSettings())
    let (report, density) = try measurer.measureWithDensity(
      Observation(id: "a", readings: [0.5], line: 2))
    let brute = try BruteForcePosterior(
      range: measurer.priorRange, intervals: 600_000,
      logLikelihood: BayesianMeasurementTests.logLikelihood(
        state, readings: [0.5], uncertainties: nil))
    #expect(density.quantity == "concentration" && density.x.count == 401)
    let peak = try #require(density.density.max())
    for (x, p) in zip(density.x, density.density) {
      let reference = brute.relativeDensity(x) / brute.mass
      #expect(abs(p - reference) <= 1e-6 * peak, "p(\(x)) \(p) vs \(reference)")
    }
    // The span holds the posterior: at least 1 − 2e-4 of its mass, and the interval inside.
    let (first, last) = (try #require(density.x.first), try #require(density.x.last))
    #expect(brute.cdf(last) - brute.cdf(first) >= 1 - 2e-4)
    let interval = report.x.interval
    #expect(first < (interval.lower ?? first) && (interval.upper ?? last) < last)
  }

  @Test("each unknown's marginal of several outputs integrates to 1 and holds the report's median")
  func marginalsOfSeveralUnknowns() throws {
    let instrument = try GeometryTests.mixture()
    let measurer = try MultiOutputMeasurer(instrument: instrument, settings: MeasurementSettings())
    var observation = Observation(id: "M1", readings: [0.1229, 2.3052, 1.6685], line: 2)
    observation.outputs = 3
    let (report, densities) = try measurer.measureWithDensities(observation)
    #expect(densities.map(\.quantity) == ["c1", "c2"])
    for density in densities {
      let estimate = try #require(report.quantities?[density.quantity])
      // Trapezoid rule on the nodes: the mass, and the CDF at the report's median.
      var cumulative = [0.0]
      for k in 1..<density.x.count {
        let piece = 0.5 * (density.density[k] + density.density[k - 1])
        cumulative.append(cumulative[k - 1] + piece * (density.x[k] - density.x[k - 1]))
      }
      let mass = try #require(cumulative.last)
      #expect(abs(mass - 1) <= 2e-3, "\(density.quantity): mass \(mass)")
      let median = try #require(estimate.median)
      let k = try #require(density.x.lastIndex { $0 <= median })
      let t = (median - density.x[k]) / (density.x[k + 1] - density.x[k])
      let below = cumulative[k] + t * (cumulative[k + 1] - cumulative[k])
      #expect(abs(below - 0.5) <= 3e-3, "\(density.quantity): F(median) \(below)")
    }
  }

  @Test("the picture: interval, HPD bars and median where their numbers say")
  func rendered() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let instrument = try Instrument(state)
    let measurer = try Measurer(instrument: instrument, settings: MeasurementSettings())
    let (report, density) = try measurer.measureWithDensity(
      Observation(id: "a", readings: [0.5], line: 2))
    let plot = PosteriorPlot(
      id: "a", reading: "0.5", status: report.coverage.status,
      panels: [PosteriorPlot.Panel(density: density, estimate: report.x, domain: 0...1.5)])
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "calib-posterior-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (svg, png) = (
      folder.appendingPathComponent("p.svg"), folder.appendingPathComponent("p.png")
    )
    try Data(plot.svg.utf8).write(to: svg)
    _ = try PlotRenderingTests.run("rsvg-convert", [svg.path, "-o", png.path])
    let script = PlotRenderingTests.script
    #expect(try PlotRenderingTests.run("python3", [script, png.path, "size"]) == "800 430")
    let panel = try #require(plot.panels.first)
    let (x0, x1) = (plot.xRanges[0].lowerBound, plot.xRanges[0].upperBound)
    let top = plot.densityRanges[0].upperBound
    func page(_ x: Double, _ p: Double) -> (Double, Double) {
      (
        panel.left + panel.width * (x - x0) / (x1 - x0),
        panel.top + panel.height * (top - p) / top
      )
    }
    func height(at x: Double) -> Double {
      let k = density.x.lastIndex { $0 <= x } ?? 0
      return density.density[k]
    }
    func colour(_ point: (Double, Double), _ rgb: [Int], radius: Int = 1) throws -> Bool {
      try PlotRenderingTests.run(
        "python3",
        [script, png.path, "colour", "\(point.0)", "\(point.1)"] + rgb.map(String.init)
          + ["\(radius)"]) == "1"
    }
    let (lower, upper) = (try #require(report.x.interval.lower), report.x.interval.upper)
    let median = try #require(report.x.median)
    let inside = 0.5 * (lower + median)
    #expect(try colour(page(inside, 0.5 * height(at: inside)), [0x6b, 0xae, 0xd6]))
    let outside = lower - 0.02 * (x1 - x0)
    #expect(try colour(page(outside, 0.3 * height(at: outside)), [0xde, 0xeb, 0xf7]))
    #expect(try colour(page(median, 0.5 * height(at: median)), [0, 0, 0], radius: 2))
    let hpd = try #require(report.x.hpd?.first)
    let middle = 0.5 * (try #require(hpd.lower) + (try #require(hpd.upper)))
    let bar = (page(middle, 0).0, panel.top + panel.height - 10)
    #expect(try colour(bar, [0xe6, 0x55, 0x0d]))
    // Beyond the interval on the right, no interval fill at the foot.
    let right = try #require(upper) + 0.02 * (x1 - x0)
    #expect(try !colour(page(right, 0.3 * height(at: right)), [0x6b, 0xae, 0xd6], radius: 0))
  }

  @Test("several outputs: one block per output, each standard where its coordinates say")
  func severalOutputsRendered() throws {
    let instrument = try GeometryTests.sensor()
    let plot = try CalibrationPlot(instrument: instrument)
    #expect(plot.panels.count == 2 && !plot.logarithmicX)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "calib-outputs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (svg, png) = (
      folder.appendingPathComponent("s.svg"), folder.appendingPathComponent("s.png")
    )
    try Data(plot.svg.utf8).write(to: svg)
    _ = try PlotRenderingTests.run("rsvg-convert", [svg.path, "-o", png.path])
    let script = PlotRenderingTests.script
    #expect(try PlotRenderingTests.run("python3", [script, png.path, "size"]) == "800 1200")
    for (j, output) in instrument.outputs.enumerated() {
      let panel = plot.panels[j]
      let (x0, x1) = (plot.xRanges[j].lowerBound, plot.xRanges[j].upperBound)
      let (y0, y1) = (plot.yRanges[j].lowerBound, plot.yRanges[j].upperBound)
      for (x, y) in zip(output.state.domain.x[0], output.state.domain.y) {
        let px = panel.left + panel.width * (x - x0) / (x1 - x0)
        let py = panel.top + panel.height * (y1 - y) / (y1 - y0)
        let found = try PlotRenderingTests.run(
          "python3", [script, png.path, "colour", "\(px)", "\(py)", "0", "0", "255", "2"])
        #expect(found == "1", "output \(j): standard (\(x), \(y)) not at (\(px), \(py))")
      }
    }
  }
}
