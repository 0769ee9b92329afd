extension ResponseModel {
  /// Weighted linear least squares on the design Φ and the response y − φ₀(x), both in
  /// double-double (docs/least-squares.md).
  func linearSolution(_ data: CalibrationData, _ linear: LinearStructure) throws -> FitSolution {
    let n = data.count
    let p = parameters.count
    var design = [DoubleDouble](repeating: DoubleDouble(0.0), count: n * p)
    var response = [DoubleDouble](repeating: DoubleDouble(0.0), count: n)
    var weightedSquares = [DoubleDouble](repeating: DoubleDouble(0.0), count: n)
    for i in 0..<n {
      let weight = data.responseUncertainties.map { DoubleDouble(1.0) / $0[i] } ?? DoubleDouble(1.0)
      let offset = linear.compiledOffset.evaluate(data.predictors[i])
      guard offset.isFinite else {
        throw FitError.undefinedAtStandard(line: data.lines[i], term: linear.offset.description)
      }
      for j in 0..<p {
        let value = linear.compiledBasis[j].evaluate(data.predictors[i])
        guard value.isFinite else {
          throw FitError.undefinedAtStandard(line: data.lines[i], term: linear.basis[j].description)
        }
        design[i * p + j] = value * weight
      }
      response[i] = (data.responses[i] - offset) * weight
      weightedSquares[i] = weight * weight
    }
    let solution = try LinearLeastSquares(design: design, response: response, rows: n, columns: p)
      .solve(termNames: linear.basis.map(\.description))
    return FitSolution(
      coefficients: solution.coefficients, unscaledCovariance: solution.unscaledCovariance,
      residualSumOfSquares: solution.residualSumOfSquares, leverages: solution.leverages,
      conditionNumber: solution.conditionNumber, refinementSteps: solution.refinementSteps,
      method:
        "linear least squares: column-scaled Jacobi SVD (GSL) with iterative refinement in double-double",
      design: design, response: response, weightedSquares: weightedSquares, solver: nil)
  }
}
