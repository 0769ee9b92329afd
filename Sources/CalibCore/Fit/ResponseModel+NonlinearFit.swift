internal import CalibGSL

extension ResponseModel {
  /// Nonlinear weighted least squares (docs/nonlinear-fit.md):
  /// 1. starting values from `start`, completed by the family's self-start;
  /// 2. GSL's trust region, double dogleg, exact Jacobian from the formula's derivatives,
  ///    parameter scaling (Moré); when it fails, the start with the conditionally linear
  ///    parameters solved, Levenberg–Marquardt with and without geodesic acceleration, a
  ///    decade search of the nonlinear parameters, and starts scaled by ½ and 2; a run that
  ///    converges to a curve with a pole or a non-finite value inside the calibrated domain
  ///    (`poleOrGap`) counts as failed;
  /// 3. Gauss–Newton steps with residuals in double-double and each step solved by
  ///    `LinearLeastSquares`, while they lower the residual sum of squares;
  /// 4. (JᵀWJ)⁻¹ at the solution, by the same refined solver.
  func nonlinearSolution(
    _ data: CalibrationData, start given: [String: Double]
  ) throws -> FitSolution {
    let n = data.count
    let p = parameters.count
    let q = predictors.count
    var start = given
    var source = "given"
    if let family, predictors.count == 1,
      let guess = StartingValues.guess(
        family, x: data.predictors.map { $0[0].doubleValue }, y: data.responses.map(\.doubleValue))
    {
      for (name, value) in guess where start[name] == nil { start[name] = value }
      source = given.isEmpty ? "self-start" : "given, completed by self-start"
    }
    let missing = parameters.filter { start[$0] == nil }
    guard missing.isEmpty else {
      throw FitError.missingStartingValues(model: spec, parameters: missing)
    }
    // Cannot trap: the guard above made sure no parameter is missing from start.
    let initial = parameters.map { start[$0]! }

    let weights = (0..<n).map { i in data.responseUncertainties.map { 1 / $0[i].doubleValue } ?? 1 }
    let x = data.predictors.map { $0.map(\.doubleValue) }
    let y = data.responses.map(\.doubleValue)
    let slots = SlotBuffer(count: q + p)
    let residuals: TrustRegionSolver.Residuals = { a, r in
      for i in 0..<n {
        slots.load(x[i], a)
        let value = (y[i] - self.compiledResponse.evaluate(slots.view)) * weights[i]
        guard value.isFinite else { return false }
        r[i] = value
      }
      return true
    }
    let jacobian: TrustRegionSolver.Jacobian = { a, j in
      for i in 0..<n {
        slots.load(x[i], a)
        for k in 0..<p {
          let value = -self.compiledParameterDerivatives[k].evaluate(slots.view) * weights[i]
          guard value.isFinite else { return false }
          j[i * p + k] = value
        }
      }
      return true
    }

    // 2. Trust-region runs, from the start and, failing that, from perturbed starts.
    var attempts: [SolverAttempt] = []
    var best: (parameters: [Double], rss: Double)?
    let linearParameters = Set(conditionallyLinear?.0 ?? [])
    // Double dogleg first: from the 38 NIST starts it converged on 37, Levenberg–Marquardt on
    // 37 with twice the iterations, Levenberg–Marquardt with geodesic acceleration on 36
    // (docs/nonlinear-fit.md).
    var plans: [([Double], String, TrustRegionMethod)] = [(initial, "start", .doubleDogleg)]
    if let projected = try conditionallyLinearStart(initial, data: data, weights: weights) {
      plans.append(
        (projected, "start with the conditionally linear parameters solved", .doubleDogleg))
    }
    plans += [
      (initial, "start", .levenbergMarquardtAccelerated), (initial, "start", .levenbergMarquardt),
    ]
    // A search over decades of the parameters that enter nonlinearly, the others solved at
    // each: the two best become starts.
    var decades: [([Double], String, Double)] = []
    for factor in [1e-3, 1e-2, 1e-1, 1e1, 1e2, 1e3] {
      let scaled = zip(initial, parameters).map { value, name in
        linearParameters.contains(name) ? value : value * factor
      }
      if let projected = try conditionallyLinearStart(scaled, data: data, weights: weights),
        let rss = sumOfSquares(projected, residuals: residuals, n: n)
      {
        decades.append(
          (projected, "start with the nonlinear parameters × \(factor), the others solved", rss))
      }
    }
    plans += decades.sorted { $0.2 < $1.2 }.prefix(2).map { ($0.0, $0.1, .doubleDogleg) }
    plans += [
      (initial.map { $0 * 0.5 }, "start × 0.5", .doubleDogleg),
      (initial.map { $0 * 2 }, "start × 2", .doubleDogleg),
    ]
    var jacobianScratch = [DoubleDouble](repeating: DoubleDouble(0.0), count: n * p)
    for (from, label, method) in plans {
      let outcome = try TrustRegionSolver.solve(
        residuals: residuals, jacobian: jacobian, observations: n, start: from,
        method: method.solverMethod)
      let rss = sumOfSquares(outcome.parameters, residuals: residuals, n: n)
      var failure = outcome.stop?.description
      // A point where the Jacobian loses rank (a parameter running off to where the model no
      // longer depends on it) is no solution, whatever the convergence tests said.
      if outcome.convergence != nil, failure == nil {
        let finite = fillJacobian(
          outcome.parameters, jacobian: jacobian, n: n, p: p, into: &jacobianScratch)
        let fullRank =
          finite
          && (try? LinearLeastSquares(
            design: jacobianScratch,
            response: [DoubleDouble](repeating: DoubleDouble(0.0), count: n), rows: n, columns: p
          ).solve(termNames: parameters)) != nil
        if !fullRank { failure = "converged to a point where the Jacobian is singular" }
      }
      // Nor is a curve with a pole or a gap inside the calibrated domain (mm with km < 0),
      // however low its residuals: the search goes on.
      if outcome.convergence != nil, failure == nil,
        let reason = poleOrGap(at: outcome.parameters, standards: x)
      {
        failure = "converged to no calibration curve: " + reason
      }
      attempts.append(
        SolverAttempt(
          method: method, from: label, iterations: outcome.iterations,
          converged: outcome.convergence != nil && failure == nil, rss: rss, failure: failure))
      if outcome.convergence != nil, failure == nil, let rss, rss < (best?.rss ?? .infinity) {
        best = (outcome.parameters, rss)
        break
      }
    }
    guard var solution = best?.parameters else {
      if let i = firstUndefinedStandard(initial, x: x) {
        let values = zip(parameters, initial).map { "\($0) = \(Expression.format($1))" }
          .joined(separator: ", ")
        throw FitError.undefinedAtStart(line: data.lines[i], x: x[i], start: values)
      }
      let tried = attempts.map {
        "\($0.method.rawValue) from \($0.from): \($0.failure ?? "no convergence")"
      }.joined(separator: "; ")
      throw FitError.notConverged(tried: tried)
    }

    // 3. Gauss–Newton polishing with double-double residuals, the parameters carried in
    // double-double too: a problem whose residuals sit at rounding level (Lanczos1) needs
    // parameters beyond double precision for its residual sum of squares.
    var design = [DoubleDouble](repeating: DoubleDouble(0.0), count: n * p)
    var response = [DoubleDouble](repeating: DoubleDouble(0.0), count: n)
    var exact = solution.map { DoubleDouble($0) }
    var rss = exactResiduals(exact, data: data, weights: weights, into: &response)
    var steps = 0
    for _ in 0..<20 {
      guard fillJacobian(exact.map(\.doubleValue), jacobian: jacobian, n: n, p: p, into: &design)
      else { break }
      let step = try LinearLeastSquares(design: design, response: response, rows: n, columns: p)
        .solve(termNames: parameters)
      let candidate = (0..<p).map { exact[$0] + DoubleDouble(step.coefficients[$0]) }
      var trial = response
      let trialRSS = exactResiduals(candidate, data: data, weights: weights, into: &trial)
      guard trialRSS.isFinite, trialRSS <= rss else { break }
      steps += 1
      let settled = (0..<p).allSatisfy {
        Swift.abs(step.coefficients[$0]) <= Swift.abs(candidate[$0].high) * 1e-30
      }
      exact = candidate
      response = trial
      rss = trialRSS
      if settled { break }
    }
    solution = exact.map(\.doubleValue)

    // 4. The covariance and leverages at the solution.
    guard fillJacobian(solution, jacobian: jacobian, n: n, p: p, into: &design) else {
      throw FitError.notConverged(tried: "the Jacobian is not finite at the solution")
    }
    let final = try LinearLeastSquares(design: design, response: response, rows: n, columns: p)
      .solve(termNames: parameters)
    let weightedSquares = weights.map { DoubleDouble($0 * $0) }
    return FitSolution(
      coefficients: solution, unscaledCovariance: final.unscaledCovariance,
      residualSumOfSquares: rss,
      leverages: final.leverages, conditionNumber: final.conditionNumber, refinementSteps: steps,
      // Cannot trap: the loop above appends an attempt per run and runs at least once.
      method:
        "nonlinear least squares: GSL trust region (\(attempts.last!.method.rawValue)), exact Jacobian, Gauss–Newton polishing in double-double",
      design: design, response: (0..<n).map { i in data.responses[i] * DoubleDouble(weights[i]) },
      weightedSquares: weightedSquares,
      solver: SolverRecord(
        start: Dictionary(uniqueKeysWithValues: zip(parameters, initial)), startSource: source,
        attempts: attempts))
  }

  /// The start with the parameters in which the model is linear, given the others, replaced
  /// by their least-squares values at the others' starting values (the first step of
  /// variable projection, Golub & Pereyra 1973); nil when there are none or the solve fails.
  private func conditionallyLinearStart(
    _ start: [Double], data: CalibrationData, weights: [Double]
  ) throws -> [Double]? {
    guard let (subset, structure) = conditionallyLinear, data.count >= subset.count else {
      return nil
    }
    let n = data.count, m = subset.count
    var design = [DoubleDouble](repeating: DoubleDouble(0.0), count: n * m)
    var response = [DoubleDouble](repeating: DoubleDouble(0.0), count: n)
    let others = start.map { DoubleDouble($0) }
    for i in 0..<n {
      let values = data.predictors[i] + others
      let offset: DoubleDouble = structure.compiledOffset.evaluate(values)
      for j in 0..<m {
        let phi: DoubleDouble = structure.compiledBasis[j].evaluate(values)
        design[i * m + j] = phi * DoubleDouble(weights[i])
      }
      response[i] = (data.responses[i] - offset) * DoubleDouble(weights[i])
      guard response[i].isFinite, (0..<m).allSatisfy({ design[i * m + $0].isFinite }) else {
        return nil
      }
    }
    guard
      let solved = try? LinearLeastSquares(design: design, response: response, rows: n, columns: m)
        .solve(termNames: subset)
    else {
      return nil
    }
    var result = start
    // Cannot trap: the subset is filtered from the parameters (conditionallyLinear).
    for (j, name) in subset.enumerated() {
      result[parameters.firstIndex(of: name)!] = solved.coefficients[j]
    }
    return result
  }

  /// The parameters in which the model is linear when the others are held fixed, with the
  /// decomposition in them; nil when there are none (or all are: a linear model).
  private var conditionallyLinear: ([String], LinearStructure)? {
    let slots = self.slots
    // Cannot trap: the parameters are symbols of the formula, all in slots (ResponseModel.init).
    let slot = { (name: String) -> Int in slots[name]! }
    var subset = parameters.filter {
      LinearStructure(expression, parameters: [$0], slot: slot) != nil
    }
    var structure = LinearStructure(expression, parameters: subset, slot: slot)
    while structure == nil, !subset.isEmpty {
      subset.removeLast()
      structure = LinearStructure(expression, parameters: subset, slot: slot)
    }
    guard let structure, !subset.isEmpty, subset.count < parameters.count else { return nil }
    return (subset, structure)
  }

  /// ½‖r‖²·2 at `a`, or nil where the model is not finite.
  private func sumOfSquares(
    _ a: [Double], residuals: TrustRegionSolver.Residuals, n: Int
  ) -> Double? {
    var r = [Double](repeating: 0, count: n)
    let ok = a.withUnsafeBufferPointer { pa in
      r.withUnsafeMutableBufferPointer { residuals(pa, $0) }
    }
    return ok ? r.reduce(0) { $0 + $1 * $1 } : nil
  }

  /// The weighted residuals (y − f(x; a))·w in double-double, and their sum of squares.
  private func exactResiduals(
    _ parameters: [DoubleDouble], data: CalibrationData, weights: [Double],
    into residuals: inout [DoubleDouble]
  ) -> Double {
    var total = DoubleDouble(0.0)
    for i in 0..<data.count {
      let value: DoubleDouble = compiledResponse.evaluate(data.predictors[i] + parameters)
      let r = (data.responses[i] - value) * DoubleDouble(weights[i])
      guard r.isFinite else { return .infinity }
      residuals[i] = r
      total += r * r
    }
    return total.doubleValue
  }

  /// The first standard (index) at which the model or a derivative in a parameter is not a
  /// finite number at `a`; nil when all are.
  private func firstUndefinedStandard(_ a: [Double], x: [[Double]]) -> Int? {
    x.indices.first { i in
      let slots = x[i] + a
      let value: Double = compiledResponse.evaluate(slots)
      return !value.isFinite
        || compiledParameterDerivatives.contains { !($0.evaluate(slots) as Double).isFinite }
    }
  }

  /// −∂r/∂a (= w·∂f/∂a) at `a` into `design`; false where it is not finite.
  private func fillJacobian(
    _ a: [Double], jacobian: TrustRegionSolver.Jacobian, n: Int, p: Int,
    into design: inout [DoubleDouble]
  ) -> Bool {
    var values = [Double](repeating: 0, count: n * p)
    let ok = a.withUnsafeBufferPointer { pa in
      values.withUnsafeMutableBufferPointer { jacobian(pa, $0) }
    }
    guard ok else { return false }
    for k in 0..<(n * p) { design[k] = DoubleDouble(-values[k]) }
    return true
  }
}

/// A reusable buffer of formula slots (predictors, then parameters) for hot loops.
final class SlotBuffer {
  private let storage: UnsafeMutableBufferPointer<Double>
  init(count: Int) { storage = .allocate(capacity: max(count, 1)) }
  deinit { storage.deallocate() }

  /// Predictors then parameters.
  func load(_ x: [Double], _ a: UnsafeBufferPointer<Double>) {
    for k in x.indices { storage[k] = x[k] }
    for k in a.indices { storage[x.count + k] = a[k] }
  }

  var view: UnsafeBufferPointer<Double> { UnsafeBufferPointer(storage) }
}
