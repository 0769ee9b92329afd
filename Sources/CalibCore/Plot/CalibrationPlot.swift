internal import CalibGSL
import Foundation

/// The picture of a calibration (docs/plot.md): the fitted curve with its credible band (the
/// instrument's uncertainty) and its prediction band (plus the noise of one reading), the
/// standards with error bars of one noise sd, the calibrated domain shaded, a panel of the
/// standards' residuals standardized by the noise model (where heteroscedasticity shows), and
/// the measured observations as horizontal intervals at their mean reading, coloured by
/// coverage status. An SVG document 800 units wide and 600 units high per output: an
/// instrument with several outputs (one unknown) gets one such block per output, each against
/// the same unknown.
public struct CalibrationPlot: Sendable {
  /// The SVG document.
  public let svg: String
  /// Each output's main panel, in order: its rectangle (left, top, width, height) in SVG
  /// units, and the data ranges its axes span: a value x is drawn at
  /// left + width·(x − lower)/(upper − lower) (in log10 x when `logarithmicX`), a response y at
  /// top + height·(upper − y)/(upper − lower).
  public let panels: [(left: Double, top: Double, width: Double, height: Double)]
  public let xRanges: [ClosedRange<Double>]
  public let yRanges: [ClosedRange<Double>]
  /// Whether x is drawn on a log axis.
  public let logarithmicX: Bool

  /// The first (for one output, the only) main panel, and its ranges.
  public var panel: (left: Double, top: Double, width: Double, height: Double) { panels[0] }
  public var xRange: ClosedRange<Double> { xRanges[0] }
  public var yRange: ClosedRange<Double> { yRanges[0] }

  /// Fill colours of the observations by status (and of the standards).
  static let statusColours: [CoverageStatus: String] = [
    .covered: "#1b9e77", .sparse: "#d95f02", .extrapolated: "#7570b3",
    .outOfRange: "#e7298a", .inconsistent: "#a6761d",
  ]
  /// The standards' fill: a pure colour, so that a rendered picture can be checked.
  static let standardColour = "#0000ff"
  /// The height of one output's block.
  static let blockHeight = 600.0

  /// An observation as one output's panel draws it: the mean reading of that output, the
  /// interval and estimate of x, and the coverage status.
  struct Mark {
    let reading: Double
    let lower: Double?
    let upper: Double?
    let estimate: Double
    let status: CoverageStatus
  }

  /// The plot of `instrument`, with `observations` measured with it (their intervals and
  /// statuses) and a log x axis when `logarithmicX` says so (nil: when the standards are a
  /// geometric design, as for a dilution series).
  ///
  /// - Throws: `MeasurementError.unsupportedInstrument` for several predictors.
  public init(
    instrument: Instrument, observations: [ObservationReport] = [],
    logarithmicX logScale: Bool? = nil
  ) throws {
    let marks = observations.map {
      Mark(
        reading: $0.coverage.reading.mean, lower: $0.x.interval.lower,
        upper: $0.x.interval.upper, estimate: $0.x.estimate, status: $0.coverage.status)
    }
    try self.init(blocks: [(instrument, marks)], logarithmicX: logScale)
  }

  /// The plot of an instrument with several outputs and one unknown: one block per output,
  /// its curve against the unknown, with `observations` measured with the instrument drawn at
  /// each output's mean reading.
  ///
  /// - Throws: `MeasurementError.unsupportedInstrument` for several unknowns.
  public init(
    instrument: MultiOutputInstrument, observations: [MultiOutputObservationReport] = [],
    logarithmicX logScale: Bool? = nil
  ) throws {
    let predictors = instrument.state.model.predictors
    guard predictors.count == 1 else {
      throw MeasurementError.unsupportedInstrument(
        "calib plot draws the curves of several outputs against one unknown; this instrument has \(predictors.count) (\(predictors.joined(separator: ", "))): see calib coverage for its map"
      )
    }
    let blocks = instrument.outputs.indices.map { j in
      let marks = observations.compactMap { report -> Mark? in
        guard let x = report.x, !report.readings.isEmpty else { return nil }
        let mean = report.readings.reduce(0.0) { $0 + $1[j] } / Double(report.readings.count)
        return Mark(
          reading: mean, lower: x.interval.lower, upper: x.interval.upper, estimate: x.estimate,
          status: report.coverage.status)
      }
      return (instrument.outputs[j], marks)
    }
    try self.init(blocks: blocks, logarithmicX: logScale)
  }

  /// One block per output, stacked.
  private init(blocks: [(Instrument, [Mark])], logarithmicX logScale: Bool?) throws {
    var canvas = SVGCanvas(width: 800, height: Self.blockHeight * Double(blocks.count))
    var panels: [(left: Double, top: Double, width: Double, height: Double)] = []
    var xRanges: [ClosedRange<Double>] = []
    var yRanges: [ClosedRange<Double>] = []
    var logX = false
    for (j, block) in blocks.enumerated() {
      let drawn = try Self.block(
        &canvas, instrument: block.0, marks: block.1, logarithmicX: logScale,
        offset: Self.blockHeight * Double(j))
      panels.append(drawn.panel)
      xRanges.append(drawn.xRange)
      yRanges.append(drawn.yRange)
      logX = drawn.logarithmicX
    }
    svg = canvas.document
    self.panels = panels
    self.xRanges = xRanges
    self.yRanges = yRanges
    logarithmicX = logX
  }

  /// Draws one output's block (title, main panel, residual panel) `offset` units down the
  /// page; its main panel, ranges and whether x is on a log axis.
  private static func block(
    _ canvas: inout SVGCanvas, instrument: Instrument, marks observations: [Mark],
    logarithmicX logScale: Bool?, offset: Double
  ) throws -> (
    panel: (left: Double, top: Double, width: Double, height: Double),
    xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, logarithmicX: Bool
  ) {
    let linear = try MeasuringInstrument(instrument)
    let state = instrument.state
    let spacing = StandardSpacing(standards: linear.standardsX)
    // A log axis needs positive standards.
    let logX = (logScale ?? spacing.logarithmic) && linear.standardsX.contains { $0 > 0 }
    let width = 800.0
    let left = 84.0, right = 24.0, top = offset + 48.0
    let mainHeight = 330.0, gap = 64.0, residualHeight = 110.0

    // x: the standards and the observations' estimates, these no farther than two calibrated
    // widths beyond the domain (a factor of 100 on a log axis): one far observation must not
    // squash the calibration; it is drawn at the edge with an arrow.
    let domain = linear.domain
    let span = domain.upperBound - domain.lowerBound
    let reach: ClosedRange<Double> =
      logX
      ? (linear.standardsX.filter { $0 > 0 }.min() ?? 1) / 100...domain.upperBound * 100
      : (domain.lowerBound - 2 * max(span, 1e-300))...(domain.upperBound + 2 * max(span, 1e-300))
    let xs =
      linear.standardsX
      + observations.map { min(max($0.estimate, reach.lowerBound), reach.upperBound) }
    let xLimits = PlotScale.padded(xs, logarithmic: logX)
    let xScale = PlotScale(
      lower: xLimits.lower, upper: xLimits.upper, start: left, end: width - right,
      logarithmic: logX)
    // The curve and its bands on 241 points across the axis.
    let nodes = (0...240).map { i -> Double in
      let t = Double(i) / 240
      return logX
        ? xLimits.lower * pow(xLimits.upper / xLimits.lower, t)
        : xLimits.lower + t * (xLimits.upper - xLimits.lower)
    }
    let dof = linear.noiseKnown ? nil : Double(linear.dof)
    let quantile =
      dof.map { Distributions.studentQuantile(0.975, degreesOfFreedom: $0) }
      ?? Distributions.normalQuantile(0.975)
    /// The variance of one reading: a standard's own u where it has one.
    func noiseVariance(_ mean: Double, standard: Int? = nil) -> Double {
      standard.flatMap { linear.standardsU?[$0] }.map { $0 * $0 }
        ?? linear.readingVariance(atMean: mean)
    }
    let curve = nodes.map { linear.evaluate(at: $0) }
    let credible = curve.map {
      quantile * linear.responseVariance(leverage: $0.leverage).squareRoot()
    }
    let prediction = curve.map {
      quantile * linear.predictionVariance(atMean: $0.mean, leverage: $0.leverage).squareRoot()
    }
    // y: the standards with their bars, the curve's prediction band inside the domain, the
    // observations' readings.
    var ys = linear.standardsY
    for (i, point) in curve.enumerated() where linear.domain.contains(nodes[i]) {
      ys += [point.mean - prediction[i], point.mean + prediction[i]]
    }
    // The observations' readings within the span of the calibration's own readings and band,
    // widened by its height on each side; a reading beyond is drawn at the edge.
    let calibration = PlotScale.padded(ys, logarithmic: false, margin: 1)
    ys += observations.map { min(max($0.reading, calibration.lower), calibration.upper) }
    let yLimits = PlotScale.padded(ys, logarithmic: false)
    let yScale = PlotScale(
      lower: yLimits.lower, upper: yLimits.upper, start: top + mainHeight, end: top,
      logarithmic: false)

    // The calibrated domain, shaded.
    let domainLeft = max(xScale.place(linear.domain.lowerBound), left)
    let domainRight = min(xScale.place(linear.domain.upperBound), width - right)
    canvas.rectangle(
      domainLeft, top, domainRight - domainLeft, mainHeight, fill: "#e8eef7", opacity: 1)
    Self.axes(
      &canvas, x: xScale, y: yScale, top: top, height: mainHeight, left: left,
      right: width - right, xLabel: nil,
      yLabel: state.model.response)
    let px = nodes.map(xScale.place)
    canvas.beginClip(id: "main\(Int(offset))", left, top, width - right - left, mainHeight)
    canvas.band(
      px, lower: curve.indices.map { yScale.place(curve[$0].mean - prediction[$0]) },
      upper: curve.indices.map { yScale.place(curve[$0].mean + prediction[$0]) },
      fill: "#9ecae1", opacity: 0.45)
    canvas.band(
      px, lower: curve.indices.map { yScale.place(curve[$0].mean - credible[$0]) },
      upper: curve.indices.map { yScale.place(curve[$0].mean + credible[$0]) },
      fill: "#3182bd", opacity: 0.45)
    canvas.polyline(
      curve.indices.map { (px[$0], yScale.place(curve[$0].mean)) }, stroke: "#08306b", width: 2)
    // Observations: the interval of x at the mean reading, the estimate marked.
    let (panelLeft, panelRight) = (left, width - right)
    for report in observations {
      let colour = Self.statusColours[report.status] ?? "#444444"
      let y = min(max(yScale.place(report.reading), top + 4), top + mainHeight - 4)
      let lower = report.lower ?? xLimits.lower
      let upper = report.upper ?? xLimits.upper
      let (from, to) = (xScale.place(lower), xScale.place(upper))
      canvas.line(
        min(max(from, panelLeft), panelRight), y, min(max(to, panelLeft), panelRight), y,
        stroke: colour, width: 3)
      let marker = xScale.place(report.estimate)
      if marker > panelRight || marker < panelLeft {
        // Beyond the axis: an arrow at the edge, pointing to where the estimate lies.
        let tip = marker > panelRight ? panelRight - 2 : panelLeft + 2
        let back = marker > panelRight ? tip - 10 : tip + 10
        canvas.add(
          "<polygon points=\"\(SVGCanvas.number(tip)),\(SVGCanvas.number(y)) \(SVGCanvas.number(back)),\(SVGCanvas.number(y - 6)) \(SVGCanvas.number(back)),\(SVGCanvas.number(y + 6))\" fill=\"\(colour)\"/>"
        )
      } else {
        canvas.line(marker, y - 6, marker, y + 6, stroke: colour, width: 2)
      }
    }
    // Standards with bars of ±1 noise sd.
    for (i, x) in linear.standardsX.enumerated() {
      let mean = linear.evaluate(at: x).mean
      let sd = noiseVariance(mean, standard: i).squareRoot()
      let (cx, cy) = (xScale.place(x), yScale.place(linear.standardsY[i]))
      canvas.line(
        cx, yScale.place(linear.standardsY[i] - sd), cx, yScale.place(linear.standardsY[i] + sd),
        stroke: "#333333", width: 1)
      canvas.circle(cx, cy, radius: 4, fill: Self.standardColour, stroke: "#000000")
    }
    canvas.endClip()
    Self.legend(&canvas, left: left + 10, top: top + 8, observations: observations)

    // Residuals standardized by the noise model.
    let residualTop = top + mainHeight + gap
    let residuals = linear.standardsX.indices.map { i -> Double in
      let mean = linear.evaluate(at: linear.standardsX[i]).mean
      return (linear.standardsY[i] - mean) / noiseVariance(mean, standard: i).squareRoot()
    }
    let bound = max(3, (residuals.filter(\.isFinite).map(Swift.abs).max() ?? 0) * 1.1)
    let rScale = PlotScale(
      lower: -bound, upper: bound, start: residualTop + residualHeight, end: residualTop,
      logarithmic: false)
    Self.axes(
      &canvas, x: xScale, y: rScale, top: residualTop, height: residualHeight, left: left,
      right: width - right, xLabel: state.model.predictors[0],
      yLabel: "residual / σ")
    for level in [-2.0, 2.0] {
      canvas.line(
        left, rScale.place(level), width - right, rScale.place(level), stroke: "#888888",
        dash: "4 3")
    }
    canvas.line(left, rScale.place(0), width - right, rScale.place(0), stroke: "#444444")
    canvas.beginClip(
      id: "residuals\(Int(offset))", left, residualTop, width - right - left, residualHeight)
    for (i, x) in linear.standardsX.enumerated() where residuals[i].isFinite {
      canvas.circle(
        xScale.place(x), rScale.place(residuals[i]), radius: 3.5, fill: Self.standardColour,
        stroke: "#000000")
    }
    canvas.endClip()
    canvas.text(
      "\(state.model.response) = \(state.model.formula)", width / 2, offset + 28, size: 15)
    return (
      (left, top, width - right - left, mainHeight), xLimits.lower...xLimits.upper,
      yLimits.lower...yLimits.upper, logX
    )
  }

  /// A panel's frame, ticks, tick labels and axis labels.
  private static func axes(
    _ canvas: inout SVGCanvas, x: PlotScale, y: PlotScale, top: Double, height: Double,
    left: Double, right: Double, xLabel: String?, yLabel: String
  ) {
    canvas.rectangle(left, top, right - left, height, fill: "none", stroke: "#444444")
    let xStep = x.logarithmic ? nil : x.tickStep()
    for tick in x.ticks() {
      let px = x.place(tick)
      canvas.line(px, top + height, px, top + height + 5, stroke: "#444444")
      canvas.text(PlotScale.label(tick, step: xStep), px, top + height + 19, size: 12)
    }
    let count = height > 200 ? 6 : 3
    let yStep = y.tickStep(count: count)
    for tick in y.ticks(count: count) {
      let py = y.place(tick)
      canvas.line(left - 5, py, left, py, stroke: "#444444")
      canvas.text(PlotScale.label(tick, step: yStep), left - 8, py + 4, size: 12, anchor: "end")
    }
    if let xLabel {
      canvas.text(
        xLabel + (x.logarithmic ? " (log scale)" : ""), (left + right) / 2, top + height + 40,
        size: 14)
    }
    canvas.text(yLabel, 22, top + height / 2, size: 14, rotate: true)
  }

  /// What the colours and bands mean.
  private static func legend(
    _ canvas: inout SVGCanvas, left: Double, top: Double, observations: [Mark]
  ) {
    var entries: [(String, String)] = [
      ("#3182bd", "credible band (95%)"), ("#9ecae1", "prediction band (95%)"),
      (standardColour, "standards ± 1 sd"),
    ]
    let statuses = Set(observations.map(\.status))
    for status in [CoverageStatus.covered, .sparse, .extrapolated, .outOfRange, .inconsistent]
    where statuses.contains(status) {
      entries.append((statusColours[status] ?? "#444444", status.rawValue))
    }
    for (k, entry) in entries.enumerated() {
      let y = top + Double(k) * 17
      canvas.rectangle(left, y, 12, 10, fill: entry.0)
      canvas.text(entry.1, left + 18, y + 9, size: 12, anchor: "start")
    }
  }
}
