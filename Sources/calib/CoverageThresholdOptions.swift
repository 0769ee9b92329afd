import ArgumentParser
import CalibCore

/// The thresholds of the coverage status (docs/coverage.md), of `measure` and `coverage`:
/// each flag decides when a measurement is reported as something other than `covered`.
struct CoverageThresholdOptions: ParsableArguments {
  /// `out_of_range` threshold: density at a bound of the prior range over the peak density.
  @Option(
    name: .customLong("bound-density"), parsing: .unconditional,
    help: """
      out_of_range when the posterior density at an end of the prior range is at least this \
      fraction of its peak: the range, not the readings, stops the estimate.
      """)
  var boundDensity: Double = CoverageThresholds().boundDensity

  /// `inconsistent` threshold: the consistency p-value.
  @Option(
    name: .customLong("inconsistency-p"), parsing: .unconditional,
    help: """
      inconsistent when the p-value of the readings (their level or their scatter) against \
      what the instrument gives at any x is below this.
      """)
  var inconsistencyP: Double = CoverageThresholds().inconsistencyP

  /// `extrapolated` threshold: the posterior probability of x outside the calibrated domain.
  @Option(
    name: .customLong("extrapolation-mass"), parsing: .unconditional,
    help: """
      extrapolated when the probability that x lies outside the span of the standards \
      exceeds this.
      """)
  var extrapolationMass: Double = CoverageThresholds().extrapolationMass

  /// `sparse` threshold: distinct standards near the estimate.
  @Option(
    name: .customLong("min-support"), parsing: .unconditional,
    help: """
      sparse when fewer than this many distinct standards lie within 1.25 typical spacings \
      of the estimate: too few to pin the curve down there.
      """)
  var minimumSupport: Int = CoverageThresholds().minimumSupport

  /// `sparse` threshold of the local curvature test: how far the nearest standards may lie.
  @Option(
    name: .customLong("local-reach"), parsing: .unconditional,
    help: """
      sparse when the nearest standards that can tell the response's curvature from noise \
      (three levels for one unknown) reach farther than this many typical spacings.
      """)
  var maximumLocalReach: Double = CoverageThresholds().maximumLocalReach

  func validate() throws {
    guard boundDensity > 0, boundDensity <= 1, inconsistencyP > 0, inconsistencyP < 1,
      extrapolationMass > 0, extrapolationMass < 1, minimumSupport >= 0,
      maximumLocalReach > 0, maximumLocalReach.isFinite
    else {
      throw ValidationError(
        "coverage thresholds: --bound-density in (0, 1], --inconsistency-p and"
          + " --extrapolation-mass in (0, 1), --min-support ≥ 0, --local-reach > 0 and finite")
    }
  }

  /// The thresholds the engine applies.
  var thresholds: CoverageThresholds {
    var thresholds = CoverageThresholds()
    thresholds.boundDensity = boundDensity
    thresholds.inconsistencyP = inconsistencyP
    thresholds.extrapolationMass = extrapolationMass
    thresholds.minimumSupport = minimumSupport
    thresholds.maximumLocalReach = maximumLocalReach
    return thresholds
  }
}
