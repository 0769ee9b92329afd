import Foundation

/// The picture of one observation's posterior (docs/plot.md, "One observation's posterior"):
/// for each unknown a panel with its density, the equal-tailed credible interval filled under
/// the curve, the highest-density region as bars beneath it, the median marked, and the
/// calibrated domain shaded behind. An SVG document 800 units wide, 360 units per unknown and
/// 70 more for the title.
public struct PosteriorPlot: Sendable {
  /// What one panel shows: an unknown's density and its summaries, and the calibrated domain
  /// of that unknown (the span of its standards).
  public struct Panel: Sendable {
    /// The density to draw.
    public let density: PosteriorDensity
    /// The report's summaries of the same unknown (median, interval, HPD region).
    public let estimate: QuantityEstimate
    /// The standards' span of this unknown.
    public let domain: ClosedRange<Double>

    /// A panel of `density` with the summaries `estimate` and the calibrated `domain`.
    public init(
      density: PosteriorDensity, estimate: QuantityEstimate, domain: ClosedRange<Double>
    ) {
      self.density = density
      self.estimate = estimate
      self.domain = domain
    }
  }

  /// The SVG document.
  public let svg: String
  /// Each panel's rectangle (left, top, width, height) in SVG units, with the x range and the
  /// density range its axes span: x at left + width·(x − lower)/(upper − lower), a density p
  /// at top + height·(upper − p)/(upper − lower).
  public let panels: [(left: Double, top: Double, width: Double, height: Double)]
  public let xRanges: [ClosedRange<Double>]
  public let densityRanges: [ClosedRange<Double>]

  /// Colours of what a test looks for in a rendered picture: the curve, the credible
  /// interval's fill, the rest of the area under the curve, the HPD bars, the median.
  static let curveColour = "#08306b"
  static let intervalColour = "#6baed6"
  static let tailColour = "#deebf7"
  static let hpdColour = "#e6550d"
  static let medianColour = "#000000"

  /// The plot of observation `id` (its mean reading `reading`, coverage status `status`)
  /// with one panel per unknown.
  public init(id: String, reading: String, status: CoverageStatus, panels content: [Panel]) {
    let width = 800.0, left = 84.0, right = 24.0
    let panelHeight = 250.0, panelGap = 110.0, top = 70.0
    let height = top + Double(content.count) * (panelHeight + panelGap)
    var canvas = SVGCanvas(width: width, height: height)
    canvas.text(
      "posterior of observation \(id) (reading \(reading)): \(status.rawValue)", width / 2, 30,
      size: 15)
    var rectangles: [(left: Double, top: Double, width: Double, height: Double)] = []
    var xRanges: [ClosedRange<Double>] = []
    var densityRanges: [ClosedRange<Double>] = []
    for (k, panel) in content.enumerated() {
      let panelTop = top + Double(k) * (panelHeight + panelGap)
      let bottom = panelTop + panelHeight
      let x = panel.density.x, p = panel.density.density
      let xLower = x.first ?? 0, xUpper = x.last ?? 1
      let peak = p.filter(\.isFinite).max() ?? 1
      let xScale = PlotScale(
        lower: xLower, upper: xUpper > xLower ? xUpper : xLower + 1, start: left,
        end: width - right, logarithmic: false)
      let yScale = PlotScale(
        lower: 0, upper: peak > 0 ? peak * 1.12 : 1, start: bottom, end: panelTop,
        logarithmic: false)
      let domainLeft = min(max(xScale.place(panel.domain.lowerBound), left), width - right)
      let domainRight = min(max(xScale.place(panel.domain.upperBound), left), width - right)
      canvas.rectangle(
        domainLeft, panelTop, domainRight - domainLeft, panelHeight, fill: "#f0f0f0")
      Self.axes(&canvas, x: xScale, y: yScale, top: panelTop, left: left, right: width - right)
      canvas.text(
        panel.density.quantity, (left + width - right) / 2, bottom + 40, size: 14)
      canvas.text("posterior density", 22, panelTop + panelHeight / 2, size: 14, rotate: true)

      let px = x.map(xScale.place)
      canvas.beginClip(id: "posterior\(k)", left, panelTop, width - right - left, panelHeight)
      let zero = [Double](repeating: yScale.place(0), count: x.count)
      canvas.band(
        px, lower: zero, upper: p.map(yScale.place), fill: Self.tailColour, opacity: 1)
      let interval = panel.estimate.interval
      if let lower = interval.lower, let upper = interval.upper {
        let inside = Self.piece(x: x, p: p, from: lower, to: upper)
        canvas.band(
          inside.x.map(xScale.place), lower: inside.x.map { _ in yScale.place(0) },
          upper: inside.p.map(yScale.place), fill: Self.intervalColour, opacity: 1)
      }
      canvas.polyline(
        x.indices.map { (px[$0], yScale.place(p[$0])) }, stroke: Self.curveColour, width: 2)
      if let median = panel.estimate.median {
        let height = Self.interpolate(x: x, p: p, at: median)
        canvas.line(
          xScale.place(median), yScale.place(0), xScale.place(median), yScale.place(height),
          stroke: Self.medianColour, width: 2, dash: "5 3")
      }
      // The HPD region's pieces: bars along the foot of the panel.
      for piece in panel.estimate.hpd ?? [] {
        let from = xScale.place(piece.lower ?? xLower)
        let to = xScale.place(piece.upper ?? xUpper)
        canvas.rectangle(from, bottom - 14, to - from, 8, fill: Self.hpdColour)
      }
      canvas.endClip()
      rectangles.append((left, panelTop, width - right - left, panelHeight))
      xRanges.append(xScale.lower...xScale.upper)
      densityRanges.append(yScale.lower...yScale.upper)
      Self.legend(&canvas, panel: panel, left: left, top: bottom + 56)
    }
    svg = canvas.document
    panels = rectangles
    self.xRanges = xRanges
    self.densityRanges = densityRanges
  }

  /// The tabulated density between `a` and `b`, with its values at both ends interpolated.
  static func piece(
    x: [Double], p: [Double], from a: Double, to b: Double
  ) -> (x: [Double], p: [Double]) {
    let inner = x.indices.filter { x[$0] > a && x[$0] < b }
    return (
      [a] + inner.map { x[$0] } + [b],
      [interpolate(x: x, p: p, at: a)] + inner.map { p[$0] } + [interpolate(x: x, p: p, at: b)]
    )
  }

  /// The density at `value` by linear interpolation between the tabulated points (0 outside).
  static func interpolate(x: [Double], p: [Double], at value: Double) -> Double {
    guard let upper = x.firstIndex(where: { $0 >= value }) else { return 0 }
    guard upper > 0 else { return x[0] == value ? p[0] : 0 }
    let t = (value - x[upper - 1]) / (x[upper] - x[upper - 1])
    return p[upper - 1] + t * (p[upper] - p[upper - 1])
  }

  /// A panel's frame and ticks.
  private static func axes(
    _ canvas: inout SVGCanvas, x: PlotScale, y: PlotScale, top: Double, left: Double,
    right: Double
  ) {
    let bottom = y.start
    canvas.rectangle(left, top, right - left, bottom - top, fill: "none", stroke: "#444444")
    let xStep = x.tickStep()
    for tick in x.ticks() {
      let px = x.place(tick)
      canvas.line(px, bottom, px, bottom + 5, stroke: "#444444")
      canvas.text(PlotScale.label(tick, step: xStep), px, bottom + 19, size: 12)
    }
    let yStep = y.tickStep(count: 4)
    for tick in y.ticks(count: 4) {
      let py = y.place(tick)
      canvas.line(left - 5, py, left, py, stroke: "#444444")
      canvas.text(PlotScale.label(tick, step: yStep), left - 8, py + 4, size: 12, anchor: "end")
    }
  }

  /// What the fills and marks mean, with the numbers.
  private static func legend(
    _ canvas: inout SVGCanvas, panel: Panel, left: Double, top: Double
  ) {
    let estimate = panel.estimate
    let percent = PlotScale.label(estimate.interval.level * 100)
    let label = { (value: Double?) in value.map { PlotScale.label($0) } ?? "–" }
    var entries: [(String, String)] = [
      (
        intervalColour,
        "\(percent)% equal-tailed [\(label(estimate.interval.lower)), "
          + "\(label(estimate.interval.upper))]"
      )
    ]
    if let hpd = estimate.hpd {
      let pieces = hpd.map { "[\(label($0.lower)), \(label($0.upper))]" }
      entries.append((hpdColour, "\(percent)% HPD " + pieces.joined(separator: " ∪ ")))
    }
    if let median = estimate.median { entries.append((medianColour, "median \(label(median))")) }
    entries.append(("#f0f0f0", "calibrated domain"))
    // Two columns below the axis label.
    for (k, entry) in entries.enumerated() {
      let (x, y) = (left + Double(k % 2) * 350, top + Double(k / 2) * 17)
      canvas.rectangle(x, y, 12, 10, fill: entry.0, stroke: "#888888")
      canvas.text(entry.1, x + 18, y + 9, size: 12, anchor: "start")
    }
  }
}
