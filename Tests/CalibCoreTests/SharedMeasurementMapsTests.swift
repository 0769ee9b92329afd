@testable import CalibCore
import Dispatch
import Foundation
import Testing

/// Measurers that share their maps' pieces (`SharedMeasurementMaps`): one that would wait for a
/// piece another is building leaves the observation for later (`measureUnlessWaiting(_:)`),
/// and measures it, once the piece is there, as one alone does, bit for bit.
@Suite("Measurement maps shared between measurers")
struct SharedMeasurementMapsTests {
  /// The pieces of the top level of the map of single readings of the line (σ estimated), as
  /// the shared set names them: `MeasurementMap` numbers a piece depth << 40 | index, and the
  /// line's single readings take the map of one reading with no u.
  static func topPieces() -> [SharedMeasurementMaps.Key] {
    (0..<16).map {
      SharedMeasurementMaps.Key(map: Measurer.MapKey(count: 1, weight: 0), piece: $0)
    }
  }

  @Test("a piece another is building: nil, then the report of a measurer alone")
  func pieceBeingBuilt() throws {
    let state = try MeasurementMapTests.line.get()
    let settings = MeasurementSettings(measurementMap: .all)
    let maps = SharedMeasurementMaps()
    let sharing = try Measurer(instrument: state, settings: settings, sharedMaps: maps)
    let observation = Observation(id: "r", readings: [0.5], line: 2)

    // Another measurer has claimed every top piece and is building them.
    for key in Self.topPieces() {
      guard case .claimed = maps.pieceOrClaim(key, waiting: false) else {
        Issue.record("piece \(key.piece) was not free to claim")
        return
      }
      guard case .busy = maps.pieceOrClaim(key, waiting: false) else {
        Issue.record("piece \(key.piece) claimed twice")
        return
      }
    }
    #expect(try sharing.measureUnlessWaiting(observation) == nil)
    // The measurer waits again for the next observation (`measure(_:)`), as before.
    #expect(sharing.waitsForPieces)

    // The other measurer hands its pieces over: here, pieces that send their readings to the
    // exact path, which a measurer by the exact path alone must then match.
    for key in Self.topPieces() { maps.keep(.exact, at: key) }
    let exact = try Measurer(instrument: state, settings: MeasurementSettings())
    let report = try #require(try sharing.measureUnlessWaiting(observation))
    #expect(report == (try exact.measure(observation)))
    #expect(report.x.numerical?.mapError == nil)
  }

  @Test("two measurers that leave observations for later report what one alone reports")
  func concurrent() throws {
    let state = try MeasurementMapTests.line.get()
    let settings = MeasurementSettings(measurementMap: .all)
    let maps = SharedMeasurementMaps()
    // Each thread touches only its own measurer (and the shared set, which locks).
    nonisolated(unsafe) let sharing = try (0..<2).map { _ in
      try Measurer(instrument: state, settings: settings, sharedMaps: maps)
    }
    let alone = try Measurer(instrument: state, settings: settings)
    let readings = MeasurementMapTests.readings(400, from: -0.05, to: 1.05)
    let observations = readings.enumerated().map {
      Observation(id: "r", readings: [$0.element], line: $0.offset + 2)
    }
    // Each of two threads takes every other observation, leaves for later those whose piece
    // the other is building, then measures them waiting.
    let results = ResultsBox(count: observations.count)
    DispatchQueue.concurrentPerform(iterations: 2) { worker in
      Self.share(worker, of: 2, observations, measurer: sharing[worker], into: results)
    }
    for (k, observation) in observations.enumerated() {
      #expect(results.reports[k] == (try alone.measure(observation)), "ȳ = \(readings[k])")
    }
  }

  /// Worker `worker` of `workers`: measures every `workers`-th observation from its own
  /// index, leaving for later those whose piece another worker is building, then measures
  /// those waiting; the reports into `results`.
  private static func share(
    _ worker: Int, of workers: Int, _ observations: [Observation], measurer: Measurer,
    into results: ResultsBox
  ) {
    var later: [Int] = []
    for k in stride(from: worker, to: observations.count, by: workers) {
      if let report = try? measurer.measureUnlessWaiting(observations[k]) {
        results.store(k, report)
      } else {
        later.append(k)
      }
    }
    for k in later { results.store(k, try? measurer.measure(observations[k])) }
  }

  /// The exact outputs the tests' builder and helper give at a point: the square of ȳ and v,
  /// or nil (cannot be mapped) at ȳ = 3.
  static func outputs(_ y: Double, _ v: Double) -> [Double]? { y == 3 ? nil : [y * y, v] }

  @Test("a builder's offered points, some measured by a helper: the outcomes in order")
  func offeredPoints() throws {
    let maps = SharedMeasurementMaps()
    let kind = Measurer.MapKey(count: 1, weight: 0)
    let points = (0..<6).map { (y: Double($0), v: 0.5) }
    let offer = maps.offer(points, kind: kind)
    // A helper on a thread of its own measures the first point offered, the builder's first.
    let helperDone = DispatchSemaphore(value: 0)
    let helper = Thread {
      _ = maps.helpMeasure(kind: kind, exact: Self.outputs)
      helperDone.signal()
    }
    helper.start()
    #expect(helperDone.wait(timeout: .now() + 60) == .success)
    #expect(maps.helpedPoints == 1)
    // The builder reads the first four in order, measuring the others itself, and stops.
    var builderPoints: [Double] = []
    for index in 0..<4 {
      let outcome = maps.outcome(of: offer, at: index) { y, v in
        builderPoints.append(y)
        return Self.outputs(y, v)
      }
      #expect(outcome == Self.outputs(points[index].y, points[index].v), "point \(index)")
    }
    #expect(builderPoints == [1, 2, 3])
    // The last two are withdrawn: a helper finds nothing more to do.
    maps.withdraw(offer)
    #expect(!maps.helpMeasure(kind: kind, exact: Self.outputs))
    #expect(maps.helpedPoints == 1)
  }

  @Test("a point taken by a helper: the builder measures the next meanwhile, then waits for it")
  func builderWaitsForHelper() throws {
    let maps = SharedMeasurementMaps()
    let kind = Measurer.MapKey(count: 2, weight: 0)
    let points = (0..<3).map { (y: Double($0), v: 0.25) }
    let offer = maps.offer(points, kind: kind)
    // The helper takes point 0 and holds it until the builder has measured point 1.
    let (taken, release, helped) = (
      DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)
    )
    let helper = Thread {
      _ = maps.helpMeasure(kind: kind) { y, v in
        taken.signal()
        _ = release.wait(timeout: .now() + 60)
        return Self.outputs(y, v)
      }
      helped.signal()
    }
    helper.start()
    #expect(taken.wait(timeout: .now() + 60) == .success)
    var builderPoints: [Double] = []
    let first = maps.outcome(of: offer, at: 0) { y, v in
      builderPoints.append(y)
      // The builder measures point 1 while the helper holds point 0, then lets it go and
      // waits for its outcome to be in.
      if y == 1 {
        release.signal()
        _ = helped.wait(timeout: .now() + 60)
      }
      return Self.outputs(y, v)
    }
    #expect(first == Self.outputs(0, 0.25))
    #expect(builderPoints == [1])
    // Point 1 was kept for its turn; point 2 is measured here.
    #expect(maps.outcome(of: offer, at: 1, exact: { _, _ in nil }) == Self.outputs(1, 0.25))
    #expect(maps.outcome(of: offer, at: 2, exact: Self.outputs) == Self.outputs(2, 0.25))
    maps.withdraw(offer)
  }

  @Test("averaged over samples, two measurers that share the points of the pieces: as one alone")
  func concurrentCostly() throws {
    let state = try MeasurementMapTests.detector()
    let settings = MeasurementSettings(marginalization: .samples, measurementMap: .all)
    let maps = SharedMeasurementMaps()
    nonisolated(unsafe) let sharing = try (0..<2).map { _ in
      try Measurer(instrument: state, settings: settings, sharedMaps: maps)
    }
    let alone = try Measurer(instrument: state, settings: settings)
    // Counts in two of the map's top pieces (its span is about 0–720 counts).
    let readings =
      MeasurementMapTests.readings(12, from: 300, to: 320)
      + MeasurementMapTests.readings(12, from: 360, to: 380)
    let observations = readings.enumerated().map {
      Observation(id: "r", readings: [$0.element], line: $0.offset + 2)
    }
    let results = ResultsBox(count: observations.count)
    // Two threads of their own (the pool's threads may be busy with other tests): each takes
    // every other observation, leaves for later those whose piece the other is building,
    // then measures them waiting, measuring the other's offered points meanwhile.
    let done = DispatchSemaphore(value: 0)
    for worker in 0..<2 {
      Thread {
        Self.share(worker, of: 2, observations, measurer: sharing[worker], into: results)
        done.signal()
      }.start()
    }
    for _ in 0..<2 { #expect(done.wait(timeout: .now() + 600) == .success) }
    // The two threads start on the same piece at once: one builds it, the other helps.
    #expect(maps.helpedPoints > 0)
    for (k, observation) in observations.enumerated() {
      let report = try #require(results.reports[k])
      #expect(report == (try alone.measure(observation)), "ȳ = \(readings[k])")
      #expect(report.x.numerical?.mapError != nil, "ȳ = \(readings[k]): not from the map")
    }
  }
}

/// Reports written by two threads at distinct indices, read after both are done.
private final class ResultsBox: @unchecked Sendable {
  private let storage: UnsafeMutableBufferPointer<ObservationReport?>

  init(count: Int) {
    storage = .allocate(capacity: count)
    storage.initialize(repeating: nil)
  }

  deinit {
    storage.deinitialize()
    storage.deallocate()
  }

  /// The reports stored so far, nil where none is.
  var reports: [ObservationReport?] { Array(storage) }

  func store(_ index: Int, _ report: ObservationReport?) { storage[index] = report }
}
