@testable import CalibCore
import Foundation
import Testing

/// Back-calculated standards, the range of quantitation and `--dilution` of instruments with
/// several outputs (docs/back-calculation.md, "Several outputs"): x̂ of each standard against
/// the posterior median of a brute-force grid over x of the matrix-t predictive written out
/// here, the verdicts and limits by their definitions, each unknown's own lowest window, the
/// reports' `quantitation` and `undiluted`, and files whose standards do not match refused.
@Suite("Back-calculated standards of several outputs")
struct MultiOutputBackCalculationTests {
  /// The predictive density of one reading vector of a linear instrument whose outputs share
  /// the design φ(x) = (1, x₁, …, x_k), constant noise and a full Σ (Brown 1982): y − B̂ᵀφ is
  /// a multivariate t on ν′ = ν − m + 1 degrees of freedom with scale (1 + h)S/ν′, h =
  /// φᵀ(ΦᵀΦ)⁻¹φ, S the residuals' scatter; up to a constant,
  /// log p = −(m/2)·log(1 + h) − ((ν′ + m)/2)·log(1 + dᵀS⁻¹d/(1 + h)).
  struct MatrixTPredictive {
    let designInverse: [Double]
    let scatterInverse: [Double]
    let coefficients: [[Double]]
    let nuPrime: Double

    init(_ state: MultiOutputState) throws {
      let k = state.domain.x.count, p = k + 1
      var design = [Double](repeating: 0, count: p * p)
      for i in state.domain.x[0].indices {
        let phi = [1] + state.domain.x.map { $0[i] }
        for r in 0..<p { for c in 0..<p { design[r * p + c] += phi[r] * phi[c] } }
      }
      designInverse = try #require(Cholesky.inverse(design, size: p))
      let m = state.outputs.count
      scatterInverse = try #require(
        Cholesky.inverse(state.noise.scatter.flatMap { $0 }, size: m))
      coefficients = state.outputs.map(\.posterior.location)
      nuPrime = Double(state.fit.predictiveDOF)
    }

    func logDensity(of y: [Double], at x: [Double]) -> Double {
      let phi = [1] + x
      let p = phi.count, m = y.count
      var h = 0.0
      for r in 0..<p { for c in 0..<p { h += phi[r] * designInverse[r * p + c] * phi[c] } }
      let d = (0..<m).map { j in y[j] - zip(coefficients[j], phi).reduce(0) { $0 + $1.0 * $1.1 } }
      var q = 0.0
      for i in 0..<m { for j in 0..<m { q += d[i] * scatterInverse[i * m + j] * d[j] } }
      return -Double(m) / 2 * log(1 + h) - (nuPrime + Double(m)) / 2 * log(1 + q / (1 + h))
    }
  }

  /// The two-channel sensor (one unknown, two outputs): every standard's x̂ is the posterior
  /// median of its reading vector, within 1e-6 posterior sd of a 200 000-interval Simpson brute
  /// force over the prior range; recovery is 100·x̂/x, and a blank has none.
  @Test func oneUnknownIsItsReadingVectorsPosteriorMedian() throws {
    let state = try GeometryTests.sensor().state.backCalculated()
    let standards = try #require(state.standards)
    #expect(standards.count == state.fit.n)
    let measurer = try MultiOutputMeasurer(
      instrument: try MultiOutputInstrument(state), settings: MeasurementSettings())
    let predictive = try MatrixTPredictive(state)
    for standard in standards {
      let brute = try BruteForcePosterior(
        range: measurer.priorRanges[0], intervals: 200_000,
        logLikelihood: { predictive.logDensity(of: standard.y, at: [$0]) })
      let estimate = try #require(standard.backCalculated[0])
      #expect(
        Swift.abs(estimate - brute.quantile(0.5)) < 1e-6 * brute.sd,
        "x = \(standard.x): \(estimate) vs \(brute.quantile(0.5))")
      if standard.x[0] == 0 {
        #expect(standard.recovery == [nil] && standard.pass == [nil])
      } else {
        let recovery = try #require(standard.recovery[0])
        #expect(Swift.abs(recovery - 100 * estimate / standard.x[0]) < 1e-12 * recovery)
      }
    }
  }

  /// The two-component mixture (two unknowns, three outputs): x̂ of each unknown is its
  /// marginal posterior median (on the coarser grid of `calib validate`), within 1e-3 posterior
  /// sd of a brute force on a 300 × 300 grid over ±10 sd of each unknown (a step of 0.067 sd):
  /// the predictive integrated over the other unknown by Simpson, then the marginal's median
  /// (the reference's own error is below 1e-4 sd). A standard without a component is a blank for that component only.
  @Test func severalUnknownsAreTheirMarginalMedians() throws {
    let state = try GeometryTests.mixture().state.backCalculated()
    let standards = try #require(state.standards)
    let measurer = try MultiOutputMeasurer(
      instrument: try MultiOutputInstrument(state), settings: MeasurementSettings())
    let predictive = try MatrixTPredictive(state)
    // A blank of c1, a blank of c2, and a mixture.
    let chosen = [1, 4, 10].map { standards[$0] }
    #expect(chosen[0].x[0] == 0 && chosen[1].x[1] == 0 && chosen[2].x.allSatisfy { $0 > 0 })
    let intervals = 300
    for standard in chosen {
      var observation = Observation(id: "s", readings: standard.y, line: 2)
      observation.outputs = 3
      let quantities = try #require(try measurer.measure(observation).quantities)
      let centre = try ["c1", "c2"].map { try #require(quantities[$0]) }
      // The box is placed by the measurer's estimate and sd; its ±10 sd hold all but ~1e-6
      // of the posterior mass, whatever the grid inside it says.
      let boxes = try centre.map { estimate in
        let half = 10 * (try #require(estimate.sd))
        return (estimate.estimate - half)...(estimate.estimate + half)
      }
      let steps = boxes.map { ($0.upperBound - $0.lowerBound) / Double(intervals) }
      let nodes = (0..<2).map { a in
        (0...intervals).map { boxes[a].lowerBound + steps[a] * Double($0) }
      }
      let reference = predictive.logDensity(of: standard.y, at: centre.map(\.estimate))
      let density = nodes[0].map { c1 in
        nodes[1].map { c2 in exp(predictive.logDensity(of: standard.y, at: [c1, c2]) - reference) }
      }
      let weights = (0...intervals).map { $0 == 0 || $0 == intervals ? 1.0 : $0 % 2 == 1 ? 4 : 2 }
      let marginals = [
        density.map { row in zip(row, weights).reduce(0) { $0 + $1.0 * $1.1 } },
        (0...intervals).map { j in (0...intervals).reduce(0) { $0 + density[$1][j] * weights[$1] }
        },
      ]
      for a in 0..<2 {
        let low = boxes[a].lowerBound
        let marginal = try BruteForcePosterior(
          range: boxes[a], intervals: intervals,
          logLikelihood: { log(marginals[a][Int((($0 - low) / steps[a]).rounded())]) })
        let estimate = try #require(standard.backCalculated[a])
        #expect(
          Swift.abs(estimate - marginal.quantile(0.5)) < 1e-3 * marginal.sd,
          "x = \(standard.x), unknown \(a): \(estimate) vs \(marginal.quantile(0.5))")
        if standard.x[a] == 0 {
          #expect(standard.recovery[a] == nil && standard.pass[a] == nil)
        } else {
          let recovery = try #require(standard.recovery[a])
          #expect(Swift.abs(recovery - 100 * estimate / standard.x[a]) < 1e-12 * recovery)
        }
      }
    }
  }

  /// The verdicts by their definitions, each unknown with its own lowest positive standard:
  /// with an impossible window everywhere but a generous one at the lowest level, exactly the
  /// standards at an unknown's lowest positive x pass for it, and its LLOQ = ULOQ is that x.
  @Test func eachUnknownHasItsOwnLowestWindow() throws {
    let fitted = try GeometryTests.mixture().state
    let state = fitted.backCalculated()
    let standards = try #require(state.standards)
    let quantitation = try #require(state.quantitation)
    for a in 0..<2 {
      let lowest = try #require(state.domain.x[a].filter { $0 > 0 }.min())
      for standard in standards where standard.x[a] > 0 {
        let recovery = try #require(standard.recovery[a])
        let window = standard.x[a] == lowest ? 80.0...120.0 : 85.0...115.0
        #expect(standard.pass[a] == window.contains(recovery), "\(standard.x): \(recovery)")
      }
      let passing = standards.filter { $0.pass[a] == true }.map { $0.x[a] }
      #expect(quantitation.lloq[a] == passing.min() && quantitation.uloq[a] == passing.max())
    }
    let lowestOnly = fitted.backCalculated(
      recovery: ClosedRangeRecord(lower: 0, upper: 1e-9),
      recoveryLowest: ClosedRangeRecord(lower: 0, upper: 1e9))
    let judged = try #require(lowestOnly.standards)
    for a in 0..<2 {
      let lowest = try #require(state.domain.x[a].filter { $0 > 0 }.min())
      for standard in judged where standard.x[a] > 0 {
        #expect(standard.pass[a] == (standard.x[a] == lowest), "\(standard.x)")
      }
      #expect(lowestOnly.quantitation?.lloq[a] == lowest)
      #expect(lowestOnly.quantitation?.uloq[a] == lowest)
    }
  }

  /// A report says where each estimate lies: the status itself for one unknown, an object by
  /// unknown name for several; an instrument without limits (a file written before) has none.
  @Test func reportsSayWhereEachEstimateLies() throws {
    let sensor = try MultiOutputInstrument(try GeometryTests.sensor().state.backCalculated())
    let uloq = try #require(sensor.state.quantitation?.uloq[0])
    let measurer = try MultiOutputMeasurer(instrument: sensor, settings: MeasurementSettings())
    // The fitted response vector well above the ULOQ, and at the middle of the range.
    for (x, expected) in [(uloq * 1.3, QuantitationStatus.aboveULOQ), (uloq / 2, .within)] {
      let reading = sensor.state.outputs.map {
        $0.posterior.location[0] + $0.posterior.location[1] * x
      }
      let report = try measurer.measure(GeometryTests.observation("o", reading))
      #expect(report.quantitation == .one(expected), "x = \(x)")
    }
    let mixture = try MultiOutputInstrument(try GeometryTests.mixture().state.backCalculated())
    let limits = try #require(mixture.state.quantitation)
    let mixed = try MultiOutputMeasurer(instrument: mixture, settings: MeasurementSettings())
    let report = try mixed.measure(
      GeometryTests.observation("M1", try #require(GeometryTests.mixtureReadings["M1"])))
    let quantities = try #require(report.quantities)
    var expected: [String: QuantitationStatus] = [:]
    for (a, name) in ["c1", "c2"].enumerated() {
      expected[name] = limits.unknown(a).status(of: try #require(quantities[name]).estimate)
    }
    #expect(report.quantitation == .several(expected) && expected.count == 2)
    let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
    #expect(json.contains("\"quantitation\":{\"c"))
    let plain = try MultiOutputMeasurer(
      instrument: try GeometryTests.mixture(), settings: MeasurementSettings())
    #expect(
      try plain.measure(GeometryTests.observation("M1", [0.1229, 2.3052, 1.6685]))
        .quantitation == nil)
  }

  /// Old files without standards read; a file whose standards do not match its domain, or
  /// whose limits do not have one entry per unknown, is refused naming the field.
  @Test func mismatchedStandardsAreRefused() throws {
    let bare = try GeometryTests.mixture().state
    #expect(bare.standards == nil)
    _ = try InstrumentFile.decodeAny(try InstrumentFile.encode(bare), name: "old.json")
    let state = bare.backCalculated()
    _ = try InstrumentFile.decodeAny(try InstrumentFile.encode(state), name: "new.json")
    var changed = state
    changed.standards?[3].y[1] += 1
    #expect {
      try InstrumentFile.decodeAny(try InstrumentFile.encode(changed), name: "i.json")
    } throws: { error in
      "\(error)".contains("$.standards[3]")
    }
    var short = state
    short.standards?.removeLast()
    #expect(throws: InputError.self) {
      try InstrumentFile.decodeAny(try InstrumentFile.encode(short), name: "i.json")
    }
    var narrow = state
    narrow.standards?[0].pass.removeLast()
    #expect {
      try InstrumentFile.decodeAny(try InstrumentFile.encode(narrow), name: "i.json")
    } throws: { error in
      "\(error)".contains("$.standards[0]")
    }
    var limits = state
    limits.quantitation?.lloq = [1]
    #expect {
      try InstrumentFile.decodeAny(try InstrumentFile.encode(limits), name: "i.json")
    } throws: { error in
      "\(error)".contains("$.quantitation")
    }
  }
}

/// `--dilution` with several outputs: each unknown of the undiluted sample is the factor times
/// the measured one, every summary scaled exactly; a factor that is not positive, or that
/// changes within a group, is the observation's error at its line and column.
@Suite("Dilution of several outputs")
struct MultiOutputDilutionTests {
  static func expectScaled(
    _ undiluted: UndilutedQuantity?, _ x: QuantityEstimate?, by f: Double
  )
    throws
  {
    let undiluted = try #require(undiluted)
    let x = try #require(x)
    #expect(undiluted.factor == f && undiluted.estimate == f * x.estimate)
    #expect(undiluted.mean == x.mean.map { f * $0 } && undiluted.sd == x.sd.map { f * $0 })
    #expect(undiluted.median == x.median.map { f * $0 })
    #expect(undiluted.interval.lower == x.interval.lower.map { f * $0 })
    #expect(undiluted.interval.upper == x.interval.upper.map { f * $0 })
    #expect(undiluted.interval.level == x.interval.level)
    #expect(
      undiluted.hpd?.map(\.lower) == x.hpd?.map { $0.lower.map { f * $0 } }
        && undiluted.hpd?.map(\.upper) == x.hpd?.map { $0.upper.map { f * $0 } })
  }

  @Test func undilutedIsTheFactorTimesEachUnknown() throws {
    let text =
      "id,A420,A520,A610,f\nM1,0.1229,2.3052,1.6685,10\nM2,0.0597,2.0049,1.9134,2.5\n"
      + "bad,0.06,2.0,1.9,-1\nworse,0.06,2.0,1.9,x\n"
    let reader = try ObservationReader(
      reader: CSVReader(source: MemoryByteSource(Array(text.utf8)), name: "o.csv"),
      response: "A420,A520,A610", id: "id", dilution: "f")
    let measurer = try MultiOutputMeasurer(
      instrument: try GeometryTests.mixture(), settings: MeasurementSettings())
    for factor in [10.0, 2.5] {
      let observation = try #require(try reader.next())
      #expect(observation.dilution == factor && observation.outputs == 3)
      let report = try measurer.measure(observation)
      guard case .several(let undiluted) = report.undiluted else {
        Issue.record(
          "expected undiluted per unknown, found \(String(describing: report.undiluted))")
        continue
      }
      #expect(undiluted.keys.sorted() == ["c1", "c2"])
      for name in ["c1", "c2"] {
        try Self.expectScaled(undiluted[name], report.quantities?[name], by: factor)
      }
    }
    // The factor's column in characters: "bad,0.06,2.0,1.9,-1" and "worse,0.06,2.0,1.9,x".
    for (line, column) in [(4, 18), (5, 20)] {
      let broken = try #require(try reader.next())
      let defect = try #require(broken.defect)
      #expect(defect.line == line && defect.column == column, "\(defect)")
      #expect(throws: InputError.self) { try measurer.measure(broken) }
    }
    // One unknown: the single-output shape.
    let sensor = try MultiOutputMeasurer(
      instrument: try GeometryTests.sensor(), settings: MeasurementSettings())
    var observation = GeometryTests.observation("S1", [2.5845, 1.6033])
    observation.dilution = 4
    let report = try sensor.measure(observation)
    guard case .one(let undiluted) = report.undiluted else {
      Issue.record("expected one undiluted quantity")
      return
    }
    try Self.expectScaled(undiluted, report.x, by: 4)
    let grouped = "g,s,r,f\nA,2.58,1.60,10\nA,2.59,1.61,5\n"
    let groups = try ObservationReader(
      reader: CSVReader(source: MemoryByteSource(Array(grouped.utf8)), name: "g.csv"),
      response: "s,r", group: "g", dilution: "f")
    let mixed = try #require(try groups.next())
    #expect(mixed.defect?.message.contains("changes from 10.0 to 5.0") == true)
    #expect(mixed.defect?.line == 3 && mixed.defect?.column == 13)
    #expect(throws: InputError.self) { try sensor.measure(mixed) }
  }
}
