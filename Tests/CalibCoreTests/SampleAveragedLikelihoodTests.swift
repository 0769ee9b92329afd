@testable import CalibCore
import Foundation
import Testing

/// The readings' likelihood averaged over posterior samples (`--marginalize samples`), a chunk
/// of samples at a time, against the average written out here one sample at a time.
@Suite("Likelihood averaged over posterior samples")
struct SampleAveragedLikelihoodTests {
  /// log (1/S)·Σₛ Πᵢ N(yᵢ; f(x; aₛ), σₛ²), without the constant −(m/2)·log 2π, from the model
  /// evaluated one sample at a time; the terms summed from the smallest up, relative to the
  /// largest.
  static func reference(
    _ state: InstrumentState, model: ResponseModel, x: Double, readings: [Double]
  ) throws -> Double {
    let samples = try #require(state.posterior.samples)
    let sigmas = try #require(state.posterior.sigmaSamples)
    var terms: [Double] = []
    for (a, sigma) in zip(samples, sigmas) {
      let mean: Double = model.response(at: [x], parameters: a)
      terms.append(
        readings.reduce(0.0) { $0 - log(sigma) - 0.5 * ($1 - mean) * ($1 - mean) / (sigma * sigma) }
      )
    }
    let top = try #require(terms.max())
    let sum = terms.map { exp($0 - top) }.sorted().reduce(0, +)
    return top + log(sum / Double(terms.count))
  }

  /// The saturating detector's 320 samples (three chunks, the last short). x runs from the
  /// posterior's bulk (readings about 310 counts near x ≈ 2) into tails where most samples lie
  /// more than 50 below the largest term, and are left out of the sum (`LogSumExp`): they
  /// would move ℓ by less than 320·e⁻⁵⁰. The two sums round differently, by a few ulp of
  /// each term: 1e-12 of |ℓ| holds them with room.
  @Test(
    "σ estimated: ℓ equals the average written out, to 1e-12, for 1, 3 and 40 readings",
    arguments: [1, 3, 40])
  func averaged(_ count: Int) throws {
    let state = try MeasurementMapTests.detector()
    let instrument = try MeasuringInstrument(try Instrument(state))
    let samples = try #require(state.posterior.samples)
    let readings = (0..<count).map { 310 + 4 * Double($0 % 3) - 4 }
    let likelihood = SampleAveragedLikelihood(
      readings, uncertainties: nil, instrument: instrument, samples: ParameterColumns(samples),
      sigmas: state.posterior.sigmaSamples)
    let model = try ResponseModel(spec: "mm", predictors: ["dose"])
    for x in [0.5, 1.8, 2.1, 2.6, 9.0] {
      let expected = try Self.reference(state, model: model, x: x, readings: readings)
      #expect(expected.isFinite)
      let l = likelihood.logDensity(at: x)
      #expect(abs(l - expected) <= 1e-12 * max(1, abs(expected)), "x = \(x): \(l) \(expected)")
    }
  }
}
