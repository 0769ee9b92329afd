/// A measurement report's JSON written member by member, in key order, straight into bytes:
/// the same bytes as its `Encodable` conformance through `CompactJSONEncoder` (and so as
/// Foundation's `JSONEncoder` with sorted keys), without the containers, boxes and dynamic
/// casts of `Encoder`, which cost more than measuring a reading from a measurement map.
///
/// Each type's `writeJSON` lists its members in the byte order of their keys, with the
/// conformance's choice for an absent value: left out where it encodes `IfPresent`, `null`
/// where it encodes the optional. `ReportJSONTests` holds the two writers to the same bytes.
extension ObservationReport {
  /// The report's JSON, one line, then `terminator` when given (a newline for NDJSON); the
  /// numbers' spellings kept in `spellings` where given (the same bytes).
  ///
  /// - Throws: `NonFiniteResult` for a number that is NaN or infinite, naming its key.
  package func json(
    terminator: UInt8? = nil, spellings: JSONNumberSpellings? = nil
  ) throws(NonFiniteResult) -> [UInt8] {
    var writer = JSONWriter(spellings: spellings)
    try writer.object { w throws(NonFiniteResult) in
      try w.member("coverage") { w throws(NonFiniteResult) in try coverage.writeJSON(&w) }
      w.member("id") { $0.string(id) }
      w.member("line") { $0.integer(line) }
      if let quantitation { w.member("quantitation") { $0.string(quantitation.rawValue) } }
      try w.member("readings") { w throws(NonFiniteResult) in try w.numbers(readings) }
      if let uncertainties {
        try w.member("uncertainties") { w throws(NonFiniteResult) in try w.numbers(uncertainties) }
      }
      if let undiluted {
        try w.member("undiluted") { w throws(NonFiniteResult) in try undiluted.writeJSON(&w) }
      }
      try w.member("x") { w throws(NonFiniteResult) in try x.writeJSON(&w) }
    }
    return writer.bytes(terminator: terminator)
  }
}

extension QuantityEstimate {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    try w.object { w throws(NonFiniteResult) in
      if let components {
        try w.member("components") { w throws(NonFiniteResult) in
          try w.array(components) { w, c throws(NonFiniteResult) in try c.writeJSON(&w) }
        }
      }
      try w.optionalNumber("dof", dof)
      try w.number("estimate", estimate)
      if let hpd { try w.member("hpd") { w throws(NonFiniteResult) in try w.ranges(hpd) } }
      try w.member("interval") { w throws(NonFiniteResult) in try interval.writeJSON(&w) }
      try w.optionalNumber("mean", mean)
      try w.optionalNumber("median", median)
      w.member("method") { $0.string(method.rawValue) }
      if let modes { try w.member("modes") { w throws(NonFiniteResult) in try w.numbers(modes) } }
      if let numerical {
        try w.member("numerical") { w throws(NonFiniteResult) in try numerical.writeJSON(&w) }
      }
      if let pAbove {
        try w.member("p_above") { w throws(NonFiniteResult) in
          try w.object { w throws(NonFiniteResult) in
            try w.number("probability", pAbove.probability)
            try w.number("threshold", pAbove.threshold)
          }
        }
      }
      if let predictive { w.member("predictive") { $0.string(predictive.rawValue) } }
      try w.optionalNumber("quantile", quantile)
      try w.optionalNumber("sd", sd)
      if let solutions {
        try w.member("solutions") { w throws(NonFiniteResult) in try w.numbers(solutions) }
      }
    }
  }
}

extension PosteriorComponent {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    try w.object { w throws(NonFiniteResult) in
      try w.member("hpd") { w throws(NonFiniteResult) in try hpd.writeJSON(&w) }
      try w.number("mode", mode)
      try w.number("probability", probability)
    }
  }
}

extension RangeRecord {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    try w.object { w throws(NonFiniteResult) in
      try w.numberOrNull("lower", lower)
      try w.numberOrNull("upper", upper)
    }
  }
}

extension JSONWriter {
  /// An array of ranges (`RangeRecord`).
  fileprivate mutating func ranges(_ values: [RangeRecord]) throws(NonFiniteResult) {
    try array(values) { w, range throws(NonFiniteResult) in try range.writeJSON(&w) }
  }
}

extension IntervalRecord {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    try w.object { w throws(NonFiniteResult) in
      w.member("bounded") { $0.bool(bounded) }
      try w.number("level", level)
      try w.numberOrNull("lower", lower)
      if let pieces { try w.member("pieces") { w throws(NonFiniteResult) in try w.ranges(pieces) } }
      try w.numberOrNull("upper", upper)
    }
  }
}

extension NumericalError {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    try w.object { w throws(NonFiniteResult) in
      w.member("density_evaluations") { $0.integer(densityEvaluations) }
      try w.number("integration_relative", integrationRelative)
      try w.optionalNumber("map_error", mapError)
      try w.optionalNumber("monte_carlo_relative", monteCarloRelative)
      try w.number("quantile_tolerance", quantileTolerance)
    }
  }
}

extension UndilutedQuantity {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    try w.object { w throws(NonFiniteResult) in
      try w.number("estimate", estimate)
      try w.number("factor", factor)
      if let hpd { try w.member("hpd") { w throws(NonFiniteResult) in try w.ranges(hpd) } }
      try w.member("interval") { w throws(NonFiniteResult) in try interval.writeJSON(&w) }
      try w.optionalNumber("mean", mean)
      try w.optionalNumber("median", median)
      try w.optionalNumber("sd", sd)
    }
  }
}

extension CoverageReport {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    try w.object { w throws(NonFiniteResult) in
      try w.member("consistency") { w throws(NonFiniteResult) in
        try w.object { w throws(NonFiniteResult) in
          try w.number("p_value", consistency.pValue)
          try w.optionalNumber("replicate_p_value", consistency.replicatePValue)
          try w.number("residual_p_value", consistency.residualPValue)
        }
      }
      try w.member("domain") { w throws(NonFiniteResult) in try domain.writeJSON(&w) }
      try w.member("leverage") { w throws(NonFiniteResult) in
        try w.object { w throws(NonFiniteResult) in
          try w.numberOrNull("at_estimate", leverage.atEstimate)
          try w.number("max_standard", leverage.maxStandard)
          try w.numberOrNull("ratio", leverage.ratio)
        }
      }
      if let local {
        try w.member("local") { w throws(NonFiniteResult) in try local.writeJSON(&w) }
      }
      try w.number("p_outside_domain", pOutsideDomain)
      try w.optionalNumber("prior_bound", priorBound)
      try w.number("prior_bound_density", priorBoundDensity)
      try w.member("reading") { w throws(NonFiniteResult) in
        try w.object { w throws(NonFiniteResult) in
          try w.number("mean", reading.mean)
          try w.member("response_range") { w throws(NonFiniteResult) in
            try reading.responseRange.writeJSON(&w)
          }
          w.member("within_response_range") { $0.bool(reading.withinResponseRange) }
        }
      }
      w.member("reasons") { w in w.array(reasons) { $0.string($1) } }
      w.member("status") { $0.string(status.rawValue) }
      try w.member("support") { w throws(NonFiniteResult) in
        try w.object { w throws(NonFiniteResult) in
          w.member("distinct_standards_nearby") { $0.integer(support.distinctStandardsNearby) }
          try w.numberOrNull("nearest_distance", support.nearestDistance)
          try w.number("nearest_standard", support.nearestStandard)
          try w.member("neighbourhood") { w throws(NonFiniteResult) in
            try support.neighbourhood.writeJSON(&w)
          }
          w.member("standards_in_interval") { $0.integer(support.standardsInInterval) }
        }
      }
    }
  }
}

extension LocalCurvatureCheck {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    try w.object { w throws(NonFiniteResult) in
      try w.member("estimate") { w throws(NonFiniteResult) in try w.numbers(estimate) }
      try w.member("outputs") { w throws(NonFiniteResult) in
        guard let outputs else { return w.null() }
        try w.array(outputs) { w, output throws(NonFiniteResult) in try output.writeJSON(&w) }
      }
      try w.numberOrNull("reach", reach)
      try w.numberOrNull("resolution", resolution)
      try w.member("standards") { w throws(NonFiniteResult) in
        try w.array(standards) { w, point throws(NonFiniteResult) in try w.numbers(point) }
      }
      w.member("sufficient") { $0.bool(sufficient) }
    }
  }
}

extension LocalCurvatureCheck.OutputCurvature {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    try w.object { w throws(NonFiniteResult) in
      w.member("dof") { w in
        guard let dof else { return w.null() }
        w.integer(dof)
      }
      try w.member("local") { w throws(NonFiniteResult) in
        guard let local else { return w.null() }
        try w.numbers(local)
      }
      try w.member("model") { w throws(NonFiniteResult) in
        guard let model else { return w.null() }
        try w.numbers(model)
      }
      try w.number("p_value", pValue)
      try w.member("residual") { w throws(NonFiniteResult) in try w.numbers(residual) }
      try w.member("standard_error") { w throws(NonFiniteResult) in try w.numbers(standardError) }
      try w.number("statistic", statistic)
    }
  }
}
