@testable import CalibCore
import Testing

/// The plot's axes (docs/plot.md): round ticks, labels that tell neighbours apart, no stall on
/// a range far narrower than its magnitude, and axis ranges that one far observation does not
/// stretch.
@Suite("Plot axes")
struct PlotScaleTests {
  @Test func ticksAndLabels() {
    let scale = PlotScale(lower: -0.3, upper: 10.4, start: 0, end: 100, logarithmic: false)
    #expect(scale.ticks() == [0, 2, 4, 6, 8, 10])
    let log = PlotScale(lower: 0.05, upper: 3000, start: 0, end: 100, logarithmic: true)
    #expect(log.ticks() == [0.1, 1, 10, 100, 1000])
    // 1e12 + 1e-4: the ticks are counted, and their labels differ.
    let narrow = PlotScale(
      lower: 1e12, upper: 1e12 + 1e-4, start: 0, end: 100, logarithmic: false)
    let ticks = narrow.ticks()
    #expect(ticks.count <= 101)
    let labels = ticks.map { PlotScale.label($0, step: narrow.tickStep()) }
    #expect(Set(labels).count == labels.count)
  }

  @Test func aFarObservationDoesNotStretchTheAxes() throws {
    let state = try fixtureInstrument(
      "absorbance-line.csv", x: "concentration", y: "absorbance", spec: "line")
    let instrument = try Instrument(state)
    let measurer = try Measurer(instrument: instrument, settings: MeasurementSettings())
    let far = try measurer.measure(Observation(id: "far", readings: [1e6], line: 2))
    let plot = try CalibrationPlot(instrument: instrument, observations: [far])
    // The domain is [0, 10]: x stays within two widths of it, y within the readings' span
    // widened by its height on each side.
    #expect(plot.xRange.lowerBound >= -21 && plot.xRange.upperBound <= 31)
    #expect(plot.yRange.upperBound < 4)
    #expect(!plot.svg.contains("nan") && !plot.svg.contains("inf"))
  }
}
