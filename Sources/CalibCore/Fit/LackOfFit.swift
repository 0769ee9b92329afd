internal import CalibGSL

/// The lack-of-fit F test of a calibration with replicate standards (ISO 8466-1; Draper &
/// Smith, Applied Regression Analysis, 3rd ed., §2.1).
///
/// The residual sum of squares splits into pure error, the scatter of replicates about their
/// group means (n − g degrees of freedom for g groups), and lack of fit, the rest (g − p).
/// F = (SS_lof/(g − p)) / (SS_pe/(n − g)) is F-distributed when the model is right; a small
/// p-value says the curve misses the group means by more than the replicates scatter.
public struct LackOfFit: Codable, Equatable, Sendable {
  /// Number of groups of replicates (standards at one value of x).
  public var groups: Int
  /// Σ over groups of Σ (yᵢ − ȳ_g)².
  public var pureErrorSS: Double
  /// n − g.
  public var pureErrorDOF: Int
  /// rss − SS_pe.
  public var lackOfFitSS: Double
  /// g − p.
  public var lackOfFitDOF: Int
  /// The F statistic.
  public var f: Double
  /// P(F > f) under the model.
  public var pValue: Double

  enum CodingKeys: String, CodingKey {
    case groups, f
    case pureErrorSS = "pure_error_ss"
    case pureErrorDOF = "pure_error_dof"
    case lackOfFitSS = "lack_of_fit_ss"
    case lackOfFitDOF = "lack_of_fit_dof"
    case pValue = "p_value"
  }

  /// The test for `data` fitted with `parameters` parameters and residual sum of squares
  /// `rss`, or nil when it has no degrees of freedom (no replicates, or as many groups as
  /// parameters).
  ///
  /// Groups are the `--group` labels when the data have them, otherwise the standards with
  /// identical predictor values.
  ///
  /// - Throws: `InputError` when a labelled group holds standards at different x.
  init?(data: CalibrationData, parameters: Int, rss: Double) throws(InputError) {
    let groups = try data.replicateGroups()
    let g = groups.count
    let n = data.count
    guard n - g > 0, g - parameters > 0 else { return nil }
    var pureError = DoubleDouble(0.0)
    for indices in groups {
      var sum = DoubleDouble(0.0)
      for i in indices { sum += data.responses[i] }
      let mean = sum / DoubleDouble(Double(indices.count))
      for i in indices {
        let d = data.responses[i] - mean
        pureError += d * d
      }
    }
    self.groups = g
    pureErrorSS = pureError.doubleValue
    pureErrorDOF = n - g
    lackOfFitSS = max(0, rss - pureErrorSS)
    lackOfFitDOF = g - parameters
    f = (lackOfFitSS / Double(lackOfFitDOF)) / (pureErrorSS / Double(pureErrorDOF))
    guard f.isFinite else { return nil }
    pValue = Distributions.fisherUpperTail(
      f, numerator: Double(lackOfFitDOF), denominator: Double(pureErrorDOF))
  }
}
