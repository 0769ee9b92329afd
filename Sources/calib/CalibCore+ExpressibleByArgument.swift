import ArgumentParser
import CalibCore

// The engine's choices are the flags' values: each enum's raw value is what the user types and
// what the files record, and `CaseIterable` lets the help list the values. No mirror enums.

/// `calib measure --method` and `calib validate --method`.
extension MeasurementSettings.Method: ExpressibleByArgument {}

/// `calib measure --marginalize`.
extension MeasurementSettings.Marginalization: ExpressibleByArgument {}

/// `calib fit --posterior`.
extension PosteriorChoice: ExpressibleByArgument {}

/// `calib measure --format`.
extension ReportEncoder.Format: ExpressibleByArgument {}

/// `calib validate --truth`.
extension CoverageValidation.TruthDistribution: ExpressibleByArgument {}

/// `calib fit --covariance`.
extension OutputCovarianceStructure: ExpressibleByArgument {}

/// `calib limits --method`.
extension DetectionLimits.Method: ExpressibleByArgument {}
