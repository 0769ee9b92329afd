extension InstrumentState {
  /// The state with its standards measured back (`standards`) and the range of quantitation
  /// they define (`quantitation`), under the windows `recovery` and `recoveryLowest` (in
  /// percent; docs/back-calculation.md).
  ///
  /// Each standard's reading is measured alone, as `calib measure` would with the default
  /// settings (a nonlinear instrument through its linearized predictive, the fast path);
  /// x̂ is the posterior median. An instrument that cannot measure (several predictors, no
  /// noise estimate) is returned unchanged.
  public func backCalculated(
    recovery: ClosedRangeRecord = ClosedRangeRecord(lower: 85, upper: 115),
    recoveryLowest: ClosedRangeRecord = ClosedRangeRecord(lower: 80, upper: 120)
  ) -> InstrumentState {
    let settings = MeasurementSettings(marginalization: model.linear ? nil : .linearized)
    guard domain.x.count == 1,
      let measurer = try? Measurer(instrument: self, settings: settings)
    else { return self }
    let x = domain.x[0]
    let lowest = x.filter { $0 > 0 }.min()
    var standards: [BackCalculatedStandard] = []
    for (i, value) in x.enumerated() {
      let observation = Observation(
        id: "standard \(i + 1)", readings: [domain.y[i]],
        uncertainties: domain.uY.map { [$0[i]] }, line: i + 2)
      let estimate = (try? measurer.measure(observation))?.x.estimate
      let ratio = estimate.flatMap { value != 0 ? 100 * $0 / value : nil }
      let window = value == lowest ? recoveryLowest : recovery
      standards.append(
        BackCalculatedStandard(
          x: value, y: domain.y[i], backCalculated: estimate,
          recovery: ratio.flatMap { $0.isFinite ? $0 : nil },
          pass: value == 0
            ? nil : ratio.map { window.lower <= $0 && $0 <= window.upper } ?? false))
    }
    let passing = standards.filter { $0.pass == true }.map(\.x)
    var state = self
    state.standards = standards
    state.quantitation = Quantitation(
      recovery: recovery, recoveryLowest: recoveryLowest, lloq: passing.min(),
      uloq: passing.max())
    return state
  }
}
