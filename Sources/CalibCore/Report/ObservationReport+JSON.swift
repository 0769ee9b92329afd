/// A measurement report's JSON written member by member, in key order, straight into bytes:
/// the same bytes as its `Encodable` conformance through `CompactJSONEncoder` (and so as
/// Foundation's `JSONEncoder` with sorted keys), without the containers, boxes and dynamic
/// casts of `Encoder`, which cost more than measuring a reading from a measurement map.
///
/// Each type's `writeJSON` lists its members in the byte order of their keys, with the
/// conformance's choice for an absent value: left out where it encodes `IfPresent`, `null`
/// where it encodes the optional. `ReportJSONTests` holds the two writers to the same bytes.
/// The members are written in sequence, not in closures: a closure that captured the report
/// would copy it, and retain each of its arrays, at every level.
extension ObservationReport {
  /// The report's JSON, one line, then `terminator` when given (a newline for NDJSON); the
  /// numbers' spellings kept in `spellings` where given (the same bytes).
  ///
  /// - Throws: `NonFiniteResult` for a number that is NaN or infinite, naming its key.
  package func json(
    terminator: UInt8? = nil, spellings: JSONNumberSpellings? = nil
  ) throws(NonFiniteResult) -> [UInt8] {
    var bytes: [UInt8] = []
    try json(terminator: terminator, spellings: spellings, into: &bytes)
    return bytes
  }

  /// Appends the report's JSON (`json(terminator:spellings:)`) to `bytes`; nothing where it
  /// throws.
  package func json(
    terminator: UInt8?, spellings: JSONNumberSpellings?, into bytes: inout [UInt8]
  ) throws(NonFiniteResult) {
    var w = JSONWriter(spellings: spellings)
    w.beginObject()
    w.key("coverage")
    try coverage.writeJSON(&w)
    w.key("id")
    w.string(id)
    w.key("line")
    w.integer(line)
    if let quantitation {
      w.key("quantitation")
      w.string(quantitation.rawValue)
    }
    w.key("readings")
    try w.numbers(readings)
    if let uncertainties {
      w.key("uncertainties")
      try w.numbers(uncertainties)
    }
    if let undiluted {
      w.key("undiluted")
      try undiluted.writeJSON(&w)
    }
    w.key("x")
    try x.writeJSON(&w)
    w.endObject()
    w.append(to: &bytes, terminator: terminator)
  }
}

extension QuantityEstimate {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    w.beginObject()
    if let components {
      w.key("components")
      try w.array(components) { w, c throws(NonFiniteResult) in try c.writeJSON(&w) }
    }
    try w.optionalNumber("dof", dof)
    try w.number("estimate", estimate)
    if let hpd {
      w.key("hpd")
      try w.ranges(hpd)
    }
    w.key("interval")
    try interval.writeJSON(&w)
    try w.optionalNumber("mean", mean)
    try w.optionalNumber("median", median)
    w.key("method")
    w.string(method.rawValue)
    if let modes {
      w.key("modes")
      try w.numbers(modes)
    }
    if let numerical {
      w.key("numerical")
      try numerical.writeJSON(&w)
    }
    if let pAbove {
      w.key("p_above")
      w.beginObject()
      try w.number("probability", pAbove.probability)
      try w.number("threshold", pAbove.threshold)
      w.endObject()
    }
    if let predictive {
      w.key("predictive")
      w.string(predictive.rawValue)
    }
    try w.optionalNumber("quantile", quantile)
    try w.optionalNumber("sd", sd)
    if let solutions {
      w.key("solutions")
      try w.numbers(solutions)
    }
    w.endObject()
  }
}

extension PosteriorComponent {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    w.beginObject()
    w.key("hpd")
    try hpd.writeJSON(&w)
    try w.number("mode", mode)
    try w.number("probability", probability)
    w.endObject()
  }
}

extension RangeRecord {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    w.beginObject()
    try w.numberOrNull("lower", lower)
    try w.numberOrNull("upper", upper)
    w.endObject()
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
    w.beginObject()
    w.key("bounded")
    w.bool(bounded)
    try w.number("level", level)
    try w.numberOrNull("lower", lower)
    if let pieces {
      w.key("pieces")
      try w.ranges(pieces)
    }
    try w.numberOrNull("upper", upper)
    w.endObject()
  }
}

extension NumericalError {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    w.beginObject()
    w.key("density_evaluations")
    w.integer(densityEvaluations)
    try w.number("integration_relative", integrationRelative)
    try w.optionalNumber("map_error", mapError)
    try w.optionalNumber("monte_carlo_relative", monteCarloRelative)
    try w.number("quantile_tolerance", quantileTolerance)
    w.endObject()
  }
}

extension UndilutedQuantity {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    w.beginObject()
    try w.number("estimate", estimate)
    try w.number("factor", factor)
    if let hpd {
      w.key("hpd")
      try w.ranges(hpd)
    }
    w.key("interval")
    try interval.writeJSON(&w)
    try w.optionalNumber("mean", mean)
    try w.optionalNumber("median", median)
    try w.optionalNumber("sd", sd)
    w.endObject()
  }
}

extension CoverageReport {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    w.beginObject()
    w.key("consistency")
    w.beginObject()
    try w.number("p_value", consistency.pValue)
    try w.optionalNumber("replicate_p_value", consistency.replicatePValue)
    try w.number("residual_p_value", consistency.residualPValue)
    w.endObject()
    w.key("domain")
    try domain.writeJSON(&w)
    w.key("leverage")
    w.beginObject()
    try w.numberOrNull("at_estimate", leverage.atEstimate)
    try w.number("max_standard", leverage.maxStandard)
    try w.numberOrNull("ratio", leverage.ratio)
    w.endObject()
    if let local {
      w.key("local")
      try local.writeJSON(&w)
    }
    try w.number("p_outside_domain", pOutsideDomain)
    try w.optionalNumber("prior_bound", priorBound)
    try w.number("prior_bound_density", priorBoundDensity)
    w.key("reading")
    w.beginObject()
    try w.number("mean", reading.mean)
    w.key("response_range")
    try reading.responseRange.writeJSON(&w)
    w.key("within_response_range")
    w.bool(reading.withinResponseRange)
    w.endObject()
    w.key("reasons")
    w.array(reasons) { $0.string($1) }
    w.key("status")
    w.string(status.rawValue)
    w.key("support")
    w.beginObject()
    w.key("distinct_standards_nearby")
    w.integer(support.distinctStandardsNearby)
    try w.numberOrNull("nearest_distance", support.nearestDistance)
    try w.number("nearest_standard", support.nearestStandard)
    w.key("neighbourhood")
    try support.neighbourhood.writeJSON(&w)
    w.key("standards_in_interval")
    w.integer(support.standardsInInterval)
    w.endObject()
    w.endObject()
  }
}

extension LocalCurvatureCheck {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    w.beginObject()
    w.key("estimate")
    try w.numbers(estimate)
    w.key("outputs")
    if let outputs {
      try w.array(outputs) { w, output throws(NonFiniteResult) in try output.writeJSON(&w) }
    } else {
      w.null()
    }
    try w.numberOrNull("reach", reach)
    try w.numberOrNull("resolution", resolution)
    w.key("standards")
    try w.array(standards) { w, point throws(NonFiniteResult) in try w.numbers(point) }
    w.key("sufficient")
    w.bool(sufficient)
    w.endObject()
  }
}

extension LocalCurvatureCheck.OutputCurvature {
  fileprivate func writeJSON(_ w: inout JSONWriter) throws(NonFiniteResult) {
    w.beginObject()
    w.key("dof")
    if let dof { w.integer(dof) } else { w.null() }
    w.key("local")
    if let local { try w.numbers(local) } else { w.null() }
    w.key("model")
    if let model { try w.numbers(model) } else { w.null() }
    try w.number("p_value", pValue)
    w.key("residual")
    try w.numbers(residual)
    w.key("standard_error")
    try w.numbers(standardError)
    try w.number("statistic", statistic)
    w.endObject()
  }
}
