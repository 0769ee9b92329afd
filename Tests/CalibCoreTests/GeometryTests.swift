import CalibCore
import Foundation
import Testing

/// Instruments with several outputs and several unknowns (docs/geometry.md), against the
/// brute-force posteriors of Tests/Reference/geometry/brute_force_multioutput.py: the
/// matrix-t predictive written out from the raw calibration files in numpy and integrated on
/// uniform grids (1-D 400 001 nodes; 2-D 3001² over ±30 sd, Simpson, Hermite quantiles), and
/// for one observation a Monte Carlo integral over Σ ~ inverse-Wishart (2·10⁵ draws).
@Suite("Geometry: several outputs and unknowns")
struct GeometryTests {
  /// Reads a fixture as one calibration per output.
  static func data(_ file: String, x: [String], y: [String]) throws -> [CalibrationData] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures").appendingPathComponent(file)
    let reader = try CSVReader(
      source: MemoryByteSource([UInt8](try Data(contentsOf: url))), name: file)
    return try CalibrationData.outputs(reading: reader, predictors: x, responses: y)
  }

  /// Fits a fixture with several outputs.
  static func instrument(
    _ file: String, x: [String], y: [String], spec: String,
    structure: OutputCovarianceStructure = .full
  ) throws -> MultiOutputInstrument {
    let data = try data(file, x: x, y: y)
    let models = try y.map { _ in try ResponseModel(spec: spec, predictors: x) }
    let state = try MultiOutputFit.fit(
      to: data, models: models, structure: structure, spec: spec, provenance: testProvenance)
    return try MultiOutputInstrument(state)
  }

  static func sensor() throws -> MultiOutputInstrument {
    try instrument(
      "two-channel-sensor.csv", x: ["conc"], y: ["signal", "reference"], spec: "poly:1")
  }

  static func mixture() throws -> MultiOutputInstrument {
    try instrument(
      "two-component-mixture.csv", x: ["c1", "c2"], y: ["A420", "A520", "A610"],
      spec: "b0 + b1*c1 + b2*c2")
  }

  /// The observations of Fixtures/two-channel-observations.csv and
  /// two-component-observations.csv.
  static let sensorReadings: [String: [Double]] = [
    "S1": [2.5845, 1.6033], "S2": [8.6426, 4.1796], "S3": [13.5046, 6.1616], "S4": [6.5, 7.4],
  ]
  static let mixtureReadings: [String: [Double]] = [
    "M1": [0.1229, 2.3052, 1.6685], "M2": [0.0597, 2.0049, 1.9134],
    "M3": [0.0625, 1.8723, 2.3018],
  ]

  static func observation(_ id: String, _ readings: [Double]) -> Observation {
    var observation = Observation(id: id, readings: readings, line: 2)
    observation.outputs = readings.count
    return observation
  }

  /// Mean, sd, median, 95% lower and upper of a posterior.
  typealias Summary = (mean: Double, sd: Double, median: Double, lower: Double, upper: Double)

  static func expectClose(
    _ estimate: QuantityEstimate, _ reference: Summary, tolerance: Double,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let sd = reference.sd
    let pairs: [(String, Double?, Double)] = [
      ("mean", estimate.mean, reference.mean), ("sd", estimate.sd, reference.sd),
      ("median", estimate.median, reference.median),
      ("lower", estimate.interval.lower, reference.lower),
      ("upper", estimate.interval.upper, reference.upper),
    ]
    for (name, value, expected) in pairs {
      let error = Swift.abs((value ?? .nan) - expected) / sd
      #expect(
        error <= tolerance, "\(name): \(value ?? .nan) vs \(expected)",
        sourceLocation: sourceLocation)
    }
  }

  /// Two correlated outputs, one unknown: the closed-form brute force, 1e-6 posterior sd.
  @Test func twoOutputsMatchBruteForce() throws {
    let measurer = try MultiOutputMeasurer(
      instrument: try Self.sensor(), settings: MeasurementSettings())
    let reference: [String: Summary] = [
      "S1": (
        0.8359038827232163, 0.20540114105268356, 0.8369449765801358, 0.42428918411096694,
        1.2413630784370868
      ),
      "S2": (
        3.9821726792559557, 0.174765757298109, 3.982289576206774, 3.6342139029656053,
        4.3294403095399785
      ),
      "S3": (
        6.449145835367212, 0.1742146861813899, 6.448719726761077, 6.103891135186238,
        6.796919870793393
      ),
      "S4": (
        5.876832226231071, 1.99044749258559, 5.84122575533055, 2.0232718692963796,
        9.955016391678718
      ),
    ]
    for (id, readings) in Self.sensorReadings {
      let report = try measurer.measure(Self.observation(id, readings))
      let x = try #require(report.x)
      Self.expectClose(x, try #require(reference[id]), tolerance: 1e-6)
      #expect(report.quantities == nil && report.joint == nil)
    }
  }

  /// The predictive itself (ν − m + 1 degrees of freedom, scale (1 + h)S/(ν − m + 1)) against
  /// a Monte Carlo integral over Σ drawn from its inverse-Wishart posterior: 2·10⁵ draws,
  /// whose sampling error is about 1e-3 sd; tolerance 5e-3 sd.
  @Test func predictiveMatchesMonteCarloOverSigma() throws {
    let measurer = try MultiOutputMeasurer(
      instrument: try Self.sensor(), settings: MeasurementSettings())
    let report = try measurer.measure(Self.observation("S1", [2.5845, 1.6033]))
    Self.expectClose(
      try #require(report.x),
      (
        0.8359247298812997, 0.2051253131485494, 0.8370506591223688, 0.4244744734299468,
        1.240624486153438
      ), tolerance: 5e-3)
  }

  /// Information adds: the two outputs together give a narrower interval than either alone
  /// (each measured as an instrument of its own, against its own brute force), and a reading
  /// vector whose outputs disagree (S4: 3 by one, 8 by the other) is `inconsistent`.
  @Test func informationAddsAndDisagreementIsInconsistent() throws {
    let instrument = try Self.sensor()
    let joint = try MultiOutputMeasurer(instrument: instrument, settings: MeasurementSettings())
    let alone: [String: [Summary]] = [
      "S2": [
        (
          4.052619266980136, 0.18881248533852152, 4.052747980019887, 3.6766837936359624,
          4.427793713103386
        ),
        (
          3.9175928350727913, 0.18580327323176501, 3.917754929365784, 3.5475446218701125,
          4.2866826542407415
        ),
      ],
      "S3": [
        (
          6.501046341166678, 0.19145515778326885, 6.500470631312606, 6.1219411446330465,
          6.883555473270453
        ),
        (
          6.402506191327098, 0.18804551030089073, 6.4019766886797544, 6.030046070342512,
          6.778097034514028
        ),
      ],
    ]
    for (id, references) in alone {
      let readings = try #require(Self.sensorReadings[id])
      let both = try #require(try joint.measure(Self.observation(id, readings)).x)
      let bothWidth = try #require(both.interval.upper) - (both.interval.lower ?? .nan)
      for j in 0..<2 {
        let single = try Measurer(
          instrument: instrument.outputs[j], settings: MeasurementSettings())
        let x = try single.measure(Observation(id: id, readings: [readings[j]], line: 2)).x
        Self.expectClose(x, references[j], tolerance: 1e-6)
        let width = try #require(x.interval.upper) - (x.interval.lower ?? .nan)
        #expect(bothWidth < 0.95 * width, "\(id) output \(j): \(bothWidth) vs \(width)")
      }
      #expect(try joint.measure(Self.observation(id, readings)).coverage.status == .covered)
    }
    let report = try joint.measure(Self.observation("S4", [6.5, 7.4]))
    #expect(report.coverage.status == .inconsistent)
    #expect((report.coverage.consistency.pValue ?? 1) < 1e-6)
    #expect(report.coverage.metric.fromManifold > 5)
  }

  /// Two unknowns from three outputs (a two-component mixture read at three wavelengths):
  /// marginals, correlation and the joint region against the 2-D brute force.
  @Test func twoUnknownsMatchBruteForce() throws {
    let measurer = try MultiOutputMeasurer(
      instrument: try Self.mixture(), settings: MeasurementSettings())
    let reference: [String: (c1: Summary, c2: Summary, correlation: Double, threshold: Double)] =
      [
        "M1": (
          (
            0.45786762881246246, 0.034650631014523585, 0.45798088268680065, 0.38861360689324376,
            0.5264520613847987
          ),
          (
            2.526621990428912, 0.04809757029135323, 2.5264598011469652, 2.431436534480598,
            2.622766357103094
          ), -0.8172266288576552, 0.030327548119089342
        ),
        "M2": (
          (
            1.6854515851492644, 0.02840008391648485, 1.6854316326655987, 1.6290229873163713,
            1.741998146393503
          ),
          (
            1.1972416203573688, 0.03942019490681357, 1.197271563270271, 1.1187465144876678,
            1.2755596972633112
          ), -0.8171471773190435, 0.030340063243559225
        ),
        "M3": (
          (
            2.867466894335534, 0.02801611180915196, 2.867377477004373, 2.812008134357525,
            2.9234543064778813
          ),
          (
            0.21800018297317852, 0.03888675834743232, 0.21812760919148275, 0.1402790510175568,
            0.294967946328359
          ), -0.8171192208605971, 0.030324689844569076
        ),
      ]
    for (id, readings) in Self.mixtureReadings {
      let expected = try #require(reference[id])
      let report = try measurer.measure(Self.observation(id, readings))
      #expect(report.x == nil)
      let quantities = try #require(report.quantities)
      Self.expectClose(try #require(quantities["c1"]), expected.c1, tolerance: 1e-6)
      Self.expectClose(try #require(quantities["c2"]), expected.c2, tolerance: 1e-6)
      let correlation = try #require(report.correlation)
      #expect(Swift.abs(correlation[0][1] - expected.correlation) < 1e-6)
      #expect(correlation[0][1] == correlation[1][0] && correlation[0][0] == 1)
      // The region's level set: its threshold within 0.5% (its mass within 2e-4 of 0.95).
      let joint = try #require(report.joint)
      #expect(Swift.abs(joint.densityThreshold / expected.threshold - 1) < 5e-3)
      #expect(joint.bounded && joint.level == 0.95)
      #expect(report.coverage.status == .covered)
      #expect(report.coverage.quantities.keys.sorted() == ["c1", "c2"])
    }
  }

  /// The seed's two pictures (docs/geometry.md): the same response curves calibrated with
  /// homogeneous, isotropic noise and with inhomogeneous (proportional), anisotropic
  /// (correlation 0.9) noise. A reading vector moved off the curves along the correlated
  /// direction and one moved across it are equally far in raw units; only the anisotropic
  /// metric tells them apart. Where the proportional noise is small (low x) the same reading
  /// is measured more precisely.
  @Test func theMetricDecides() throws {
    let isotropic = try Self.instrument(
      "geometry-isotropic.csv", x: ["x"], y: ["y1", "y2"], spec: "poly:1")
    let data = try Self.data("geometry-anisotropic.csv", x: ["x"], y: ["y1", "y2"])
    let models = try (0..<2).map { _ in try ResponseModel(spec: "poly:1", predictors: ["x"]) }
    let anisotropic = try MultiOutputInstrument(
      try MultiOutputFit.fit(
        to: data, models: models, structure: .full, noise: .proportional, spec: "poly:1",
        provenance: testProvenance))
    #expect(anisotropic.state.noise.correlation[0][1] > 0.85)
    let flat = try MultiOutputMeasurer(instrument: isotropic, settings: MeasurementSettings())
    let curved = try MultiOutputMeasurer(instrument: anisotropic, settings: MeasurementSettings())
    let along = Self.observation("along", [5.55, 3.75])
    let across = Self.observation("across", [5.55, 3.25])
    #expect(try flat.measure(along).coverage.status == .covered)
    #expect(try flat.measure(across).coverage.status == .covered)
    #expect(try curved.measure(along).coverage.status == .covered)
    let off = try curved.measure(across)
    #expect(off.coverage.status == .inconsistent)
    #expect(
      off.coverage.metric.fromManifold > 3
        * (try curved.measure(along)).coverage.metric.fromManifold)
    let low = Self.observation("low", [1.25, 1.12])
    let flatSD = try #require(try flat.measure(low).x?.sd)
    let curvedSD = try #require(try curved.measure(low).x?.sd)
    #expect(curvedSD < 0.6 * flatSD, "\(curvedSD) vs \(flatSD)")
    // Σ̃ from the standardized residuals, recomputed here from each output's own fit.
    let n = Double(anisotropic.state.fit.n)
    var cross = 0.0
    let outputs = anisotropic.state.outputs
    for i in 0..<Int(n) {
      var standardized: [Double] = []
      for output in outputs {
        let a = output.posterior.location
        let s1 = try #require(output.noise.parameters?.first?.estimate)
        let x = output.domain.x[0][i]
        let mean = a[0] + a[1] * x
        standardized.append((output.domain.y[i] - mean) / (s1 * Swift.abs(mean)))
      }
      cross += standardized[0] * standardized[1]
    }
    let expected = cross / Double(anisotropic.state.noise.dof[0])
    #expect(
      Swift.abs(anisotropic.state.noise.covariance[0][1] - expected) < 1e-9 * Swift.abs(expected))
  }

  /// The local test of enough standards in the right places: a response that curves, fitted
  /// with straight lines, shows its curvature to the standards near x̂ (|z| > 3, with the
  /// local quadratic's curvature checked against a closed form), and a reading in a gap of the
  /// design, whose nearest three levels lie far away, is `sparse`.
  @Test func localCurvatureAndGaps() throws {
    let levels: [Double] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
    let noise = [0.004, -0.006, 0.003, 0.005, -0.002, -0.004, 0.006, -0.003, 0.002]
    // Duplicates at every level: their pure error is the noise the local test uses.
    var text = "x,y1,y2\n"
    for (i, x) in (levels + levels).enumerated() {
      let (e1, e2) = (noise[(i + i / 9) % 9], noise[(i * 5 + 3 + 2 * (i / 9)) % 9])
      text += "\(x),\(1 + 0.5 * x + 0.05 * x * x + e1),\(2 - 0.3 * x + e2)\n"
    }
    let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), name: "c.csv")
    let data = try CalibrationData.outputs(
      reading: reader, predictors: ["x"], responses: ["y1", "y2"])
    let models = try (0..<2).map { _ in try ResponseModel(spec: "poly:1", predictors: ["x"]) }
    let instrument = try MultiOutputInstrument(
      try MultiOutputFit.fit(
        to: data, models: models, structure: .full, spec: "poly:1", provenance: testProvenance))
    let measurer = try MultiOutputMeasurer(instrument: instrument, settings: MeasurementSettings())
    let report = try measurer.measure(Self.observation("mid", [1 + 2 + 0.2, 2 - 1.2]))
    let local = try #require(report.coverage.local)
    #expect(local.sufficient && local.standards.count == 3)
    // The three nearest levels are equally spaced about a level: b₂ = (y₋ − 2y₀ + y₊)/(2h²).
    let outputs = try #require(local.outputs)
    let x = try #require(report.x).estimate
    #expect(local.standards.contains([x.rounded()]))
    #expect(Swift.abs(outputs[0].model![0]) < 1e-6)
    #expect(Swift.abs(outputs[0].local![0] - 0.05) < 0.02)
    #expect(outputs[0].statistic > 9 && outputs[0].pValue < 0.0027)
    #expect(report.coverage.reasons.contains { $0.contains("curve unlike the model") })

    // A design with a gap between 2 and 8: a reading at x = 5 has its nearest levels 3 away.
    var gap = "x,y1,y2\n"
    for (i, x) in [0.0, 1, 2, 8, 9, 10, 0, 1, 2, 8, 9, 10].enumerated() {
      gap += "\(x),\(1 + 0.5 * x + noise[i % 9]),\(2 - 0.3 * x + noise[(i + 4) % 9])\n"
    }
    let gapReader = try CSVReader(source: MemoryByteSource(Array(gap.utf8)), name: "g.csv")
    let gapData = try CalibrationData.outputs(
      reading: gapReader, predictors: ["x"], responses: ["y1", "y2"])
    let gapped = try MultiOutputMeasurer(
      instrument: try MultiOutputInstrument(
        try MultiOutputFit.fit(
          to: gapData, models: models, structure: .full, spec: "poly:1",
          provenance: testProvenance)), settings: MeasurementSettings())
    let inGap = try gapped.measure(Self.observation("gap", [3.5, 0.5]))
    let gapLocal = try #require(inGap.coverage.local)
    #expect(!gapLocal.sufficient && (gapLocal.reach ?? 0) > 2)
    #expect(inGap.coverage.status == .sparse)
    #expect(try gapped.measure(Self.observation("end", [1.5, 1.7])).coverage.status == .covered)
  }

  /// Three unknowns from four outputs (Fixtures/three-component-mixture.csv: three absorbing
  /// species on a 3×3×3 design, four wavelengths): the marginals of mixture T1 against a
  /// 241³-node brute force over ±12 sd. The 81³ product grid gives the mean, sd and median to
  /// 1e-6 posterior sd and the 95% ends to 6e-5 (asserted: 1e-4). One observation: each takes
  /// half a million density evaluations (about 30 s in a debug build).
  @Test func threeUnknownsMatchBruteForce() throws {
    let instrument = try Self.instrument(
      "three-component-mixture.csv", x: ["c1", "c2", "c3"], y: ["A1", "A2", "A3", "A4"],
      spec: "b0 + b1*c1 + b2*c2 + b3*c3")
    let measurer = try MultiOutputMeasurer(instrument: instrument, settings: MeasurementSettings())
    let reference: [String: Summary] = [
      "c1": (
        0.4728945493596738, 0.022886351820333755, 0.47291060314051764, 0.42757585534873893,
        0.51811971771947
      ),
      "c2": (
        1.535637680302961, 0.024127782417196087, 1.5356198010885318, 1.4879620039438628,
        1.5834175175742449
      ),
      "c3": (
        1.0003642760897005, 0.02751187581251252, 1.0003718972702442, 0.9459200219891345,
        1.0547641295009604
      ),
    ]
    let report = try measurer.measure(Self.observation("T1", [0.5338, 1.0613, 0.9022, 0.7646]))
    let quantities = try #require(report.quantities)
    for (name, expected) in reference {
      let estimate = try #require(quantities[name])
      Self.expectClose(estimate, expected, tolerance: 1e-4)
      #expect(Swift.abs((estimate.median ?? .nan) - expected.median) < 1e-6 * expected.sd)
    }
    #expect(report.correlation?.count == 3 && report.joint?.bounded == true)
    #expect(report.coverage.status == .covered)
  }

  /// Instrument files with several outputs: written and read back unchanged; a broken one is
  /// refused at the JSON path of what is wrong; a single-output reader says what it found.
  @Test func instrumentFileRoundTrip() throws {
    let instrument = try Self.mixture()
    let bytes = try InstrumentFile.encode(instrument.state)
    guard case .multiOutput(let back) = try InstrumentFile.decodeAny(bytes, name: "m.json") else {
      Issue.record("read back as a single-output instrument")
      return
    }
    #expect(back.state == instrument.state)
    #expect(back.state.parameters.map(\.name).prefix(3) == ["A420.b0", "A420.b1", "A420.b2"])
    var broken = instrument.state
    broken.noise.covariance[0][1] += 1
    let error = #expect(throws: InputError.self) {
      try InstrumentFile.decodeAny(try InstrumentFile.encode(broken), name: "m.json")
    }
    #expect(error?.message.contains("$.noise.covariance[1][0]") == true)
    var edited = instrument.state
    edited.noise.dof = edited.noise.dof.map { _ in 1 }
    let dofError = #expect(throws: InputError.self) {
      try InstrumentFile.decodeAny(try InstrumentFile.encode(edited), name: "m.json")
    }
    #expect(dofError?.message.hasPrefix("$.noise.dof") == true)
    edited = instrument.state
    edited.parameters[4].estimate += 1
    #expect(throws: InputError.self) {
      try InstrumentFile.decodeAny(try InstrumentFile.encode(edited), name: "m.json")
    }
    var badOutput = instrument.state
    badOutput.outputs[1].fit.dof = 99
    let outputError = #expect(throws: InputError.self) {
      try InstrumentFile.decodeAny(try InstrumentFile.encode(badOutput), name: "m.json")
    }
    #expect(outputError?.message.hasPrefix("$.outputs[1].") == true)
    let single = #expect(throws: InputError.self) {
      try InstrumentFile.decode(bytes, name: "m.json")
    }
    #expect(single?.message.contains("3 outputs") == true)
  }

  /// The noise covariance between outputs: S/ν for a full Σ, each output's variance for a
  /// diagonal one, and the joint parameter covariance's blocks Σᵢⱼ(XᵀX)⁻¹ for a shared
  /// design (closed form).
  @Test func noiseCovarianceAndJointParameterCovariance() throws {
    let full = try Self.sensor().state
    let diagonal = try Self.instrument(
      "two-channel-sensor.csv", x: ["conc"], y: ["signal", "reference"], spec: "poly:1",
      structure: .diagonal
    ).state
    let n = Double(full.fit.n)
    #expect(full.fit.dof == 12 && full.fit.predictiveDOF == 11 && full.noise.dof == [12, 12])
    for r in 0..<2 {
      for c in 0..<2 {
        #expect(
          Swift.abs(full.noise.covariance[r][c] - full.noise.scatter[r][c] / (n - 2))
            <= 1e-15 * full.noise.scatter[r][r])
      }
    }
    #expect(diagonal.noise.covariance[0][1] == 0 && diagonal.fit.predictiveDOF == 12)
    #expect(full.noise.correlation[0][1] > 0.3)
    // Block (0, 1) of the joint covariance is Σ₀₁·(XᵀX)⁻¹: its ratio to block (0, 0) is
    // Σ₀₁/Σ₀₀ entry by entry.
    let ratio = full.noise.covariance[0][1] / full.noise.covariance[0][0]
    for r in 0..<2 {
      for c in 0..<2 {
        let cross = full.covariance[r][2 + c], own = full.covariance[r][c]
        #expect(Swift.abs(cross - ratio * own) <= 1e-12 * Swift.abs(own))
      }
    }
    #expect(diagonal.covariance[0][2] == 0)
  }

  /// A prior range 10⁴ times wider than the calibration changes nothing (the coarse scan
  /// cannot resolve the posterior; the compass search finds it); a diagonal covariance fits
  /// outputs whose full covariance would be singular, with its own log-likelihood.
  @Test func wideRangesAndDiagonalCovariance() throws {
    let instrument = try Self.sensor()
    let plain = try MultiOutputMeasurer(instrument: instrument, settings: MeasurementSettings())
    let wide = try MultiOutputMeasurer(
      instrument: instrument,
      settings: MeasurementSettings(range: ClosedRangeRecord(lower: -1e5, upper: 1e5)))
    // S4, whose outputs disagree, has a posterior broad enough for the default range to cut
    // its tails: the wider prior rightly moves it. The others lie far inside both ranges.
    for (id, readings) in Self.sensorReadings where id != "S4" {
      let a = try #require(try plain.measure(Self.observation(id, readings)).x)
      let b = try #require(try wide.measure(Self.observation(id, readings)).x)
      let sd = try #require(a.sd)
      #expect(Swift.abs((a.median ?? .nan) - (b.median ?? .nan)) < 1e-6 * sd, "\(id)")
      #expect(Swift.abs((a.interval.upper ?? .nan) - (b.interval.upper ?? .nan)) < 1e-5 * sd)
    }
    var text = "x,y1,y2\n"
    let noise = [0.01, -0.02, 0.015, -0.005, 0.02, -0.01, 0.005, -0.015]
    for (i, x) in [0.0, 1, 2, 3, 4, 5, 6, 7].enumerated() {
      let y1 = 1 + 2 * x + noise[i]
      text += "\(x),\(y1),\(2 * y1)\n"
    }
    let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), name: "d.csv")
    let data = try CalibrationData.outputs(
      reading: reader, predictors: ["x"], responses: ["y1", "y2"])
    let models = try (0..<2).map { _ in try ResponseModel(spec: "poly:1", predictors: ["x"]) }
    #expect(throws: FitError.self) {
      try MultiOutputFit.fit(
        to: data, models: models, structure: .full, spec: "poly:1", provenance: testProvenance)
    }
    let diagonal = try MultiOutputFit.fit(
      to: data, models: models, structure: .diagonal, spec: "poly:1",
      provenance: testProvenance)
    // Independent outputs: log L = Σⱼ −n/2·(log 2π + 1 + log(Sⱼⱼ/n)).
    let n = 8.0
    let expected = diagonal.noise.scatter.indices.reduce(0.0) { total, j in
      total - n / 2 * (log(2 * Double.pi) + 1 + log(diagonal.noise.scatter[j][j] / n))
    }
    #expect(Swift.abs(diagonal.fit.logLikelihood - expected) < 1e-9 * Swift.abs(expected))
  }

  /// Instruments that cannot measure: more unknowns than outputs, outputs that respond to
  /// the unknowns only through one combination, an output that duplicates another.
  @Test func unidentifiableInstrumentsAreRefused() throws {
    let rows = (0..<12).map { i -> (Double, Double) in (Double(i % 4), Double(i / 4)) }
    func data(_ columns: [(Double, Double) -> Double]) throws -> [CalibrationData] {
      var text = "a,b," + columns.indices.map { "y\($0)" }.joined(separator: ",") + "\n"
      for (i, (a, b)) in rows.enumerated() {
        let noise = [
          0.013, -0.007, 0.011, -0.017, 0.005, 0.009, -0.012, 0.004, -0.006, 0.015,
          -0.01, 0.002,
        ]
        text +=
          "\(a),\(b),"
          + columns.enumerated().map { j, f in
            "\(f(a, b) + noise[(i + 5 * j) % 12] * Double(j + 1))"
          }.joined(separator: ",") + "\n"
      }
      let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), name: "u.csv")
      return try CalibrationData.outputs(
        reading: reader, predictors: ["a", "b"], responses: columns.indices.map { "y\($0)" })
    }
    func fit(_ d: [CalibrationData]) throws -> MultiOutputState {
      try MultiOutputFit.fit(
        to: d,
        models: try d.map { _ in
          try ResponseModel(spec: "c0 + c1*a + c2*b", predictors: ["a", "b"])
        },
        structure: .full, spec: "c0 + c1*a + c2*b", provenance: testProvenance)
    }
    // Three outputs that see only a + b.
    let sum = try data([{ 1 + $0 + $1 }, { 2 * ($0 + $1) }, { 0.5 - ($0 + $1) }])
    #expect(throws: FitError.self) { try fit(sum) }
    // Two outputs with different sensitivities measure both.
    let twoOfThree = try data([{ $0 + 2 * $1 }, { 3 * $0 - $1 }])
    #expect(try fit(twoOfThree).fit.outputs == 2)
  }
}

/// Statistical coverage of measurements with several outputs, by simulation: the intervals
/// and the joint region hold the truth as often as their level says, within 3 binomial
/// standard errors (√(p(1 − p)/trials)).
@Suite("Geometry: coverage in simulation")
struct GeometryValidationTests {
  static func expectNominal(
    _ coverage: [CoverageValidation.LevelCoverage],
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    for level in coverage {
      let tolerance = 3 * (level.level * (1 - level.level) / Double(level.trials)).squareRoot()
      #expect(
        Swift.abs(level.coverage - level.level) <= tolerance,
        "level \(level.level): \(level.coverage) over \(level.trials) trials",
        sourceLocation: sourceLocation)
    }
  }

  /// Two outputs, one unknown: 1000 trials (seed 11 gives 0.488, 0.901, 0.939).
  @Test func twoOutputsCoverNominally() throws {
    let result = try MultiOutputValidation.run(
      instrument: try GeometryTests.sensor(), trials: 1000, levels: [0.5, 0.9, 0.95], seed: 11)
    #expect(result.failedFits == 0 && result.levels.allSatisfy { $0.trials == 1000 })
    Self.expectNominal(result.levels)
    Self.expectNominal(try #require(result.quantities["conc"]))
    #expect(try #require(result.ranks["conc"]).pValue > 0.001)
  }

  /// Inhomogeneous, anisotropic noise (proportional scales, correlation 0.9): 600 trials with
  /// the truth over the calibrated domain (seed 5 gives 0.490, 0.905, 0.957).
  @Test func varyingNoiseCoversNominally() throws {
    let data = try GeometryTests.data("geometry-anisotropic.csv", x: ["x"], y: ["y1", "y2"])
    let models = try (0..<2).map { _ in try ResponseModel(spec: "poly:1", predictors: ["x"]) }
    let instrument = try MultiOutputInstrument(
      try MultiOutputFit.fit(
        to: data, models: models, structure: .full, noise: .proportional, spec: "poly:1",
        provenance: testProvenance))
    let result = try MultiOutputValidation.run(
      instrument: instrument, trials: 600, levels: [0.5, 0.9, 0.95], seed: 5, truth: .domain)
    #expect(result.failedFits == 0)
    Self.expectNominal(result.levels)
  }

  /// Two unknowns from three outputs: 120 trials (each tabulates a 2-D posterior), per
  /// unknown and jointly.
  @Test func twoUnknownsCoverNominally() throws {
    let result = try MultiOutputValidation.run(
      instrument: try GeometryTests.mixture(), trials: 120, levels: [0.5, 0.9, 0.95], seed: 11)
    Self.expectNominal(result.levels)
    Self.expectNominal(try #require(result.quantities["c1"]))
    Self.expectNominal(try #require(result.quantities["c2"]))
  }
}
