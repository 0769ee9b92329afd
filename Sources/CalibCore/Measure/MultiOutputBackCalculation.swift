extension MultiOutputState {
  /// The state with its standards measured back (`standards`) and the range of quantitation
  /// of each unknown they define (`quantitation`), under the windows `recovery` and
  /// `recoveryLowest` (in percent; docs/back-calculation.md, "Several outputs").
  ///
  /// Each standard's reading vector is measured alone, as `calib measure` would with the
  /// default settings; x̂ of each unknown is its marginal posterior median, the estimate
  /// `calib measure` reports for it (with several unknowns on a coarser grid, within about
  /// 1e-3 posterior sd of it). Each unknown is
  /// judged on its own: its recovery against `recovery`, or against `recoveryLowest` where the
  /// standard holds that unknown's lowest positive x (in a mixture design the lowest level of
  /// one component sits in several standards, each judged by the wider window for that
  /// component only); a standard whose x of an unknown is 0 is a blank for it. LLOQ and ULOQ of
  /// an unknown are the lowest and highest x among the standards that pass for it. A state
  /// that is not a valid instrument is returned unchanged.
  public func backCalculated(
    recovery: ClosedRangeRecord = ClosedRangeRecord(lower: 85, upper: 115),
    recoveryLowest: ClosedRangeRecord = ClosedRangeRecord(lower: 80, upper: 120)
  ) -> MultiOutputState {
    var bare = self
    bare.standards = nil
    bare.quantitation = nil
    guard let instrument = try? MultiOutputInstrument(bare),
      let measurer = try? MultiOutputMeasurer(
        instrument: instrument, settings: MeasurementSettings())
    else { return self }
    let predictors = model.predictors
    let x = domain.x
    let lowest = x.map { values in values.filter { $0 > 0 }.min() }
    var standards: [MultiOutputBackCalculatedStandard] = []
    for i in x[0].indices {
      let nominal = x.map { $0[i] }
      let reading = outputs.map { $0.domain.y[i] }
      // With several unknowns, on the coarser grid of `calib validate`: the measurement grid
      // (301² or 81³ points per standard) would make a fit take minutes.
      let medians = measurer.medians(
        of: reading, resolution: predictors.count > 1 ? .simulation : .measurement)
      let estimates: [Double?] = predictors.indices.map { medians?[$0] }
      let ratios = nominal.indices.map { a in
        estimates[a].flatMap { nominal[a] != 0 ? 100 * $0 / nominal[a] : nil }
      }
      let verdicts: [Bool?] = nominal.indices.map { a in
        guard nominal[a] != 0 else { return nil }
        let window = nominal[a] == lowest[a] ? recoveryLowest : recovery
        return ratios[a].map { window.lower <= $0 && $0 <= window.upper } ?? false
      }
      standards.append(
        MultiOutputBackCalculatedStandard(
          x: nominal, y: reading, backCalculated: estimates,
          recovery: ratios.map { $0.flatMap { $0.isFinite ? $0 : nil } }, pass: verdicts))
    }
    let passing = predictors.indices.map { a in
      standards.filter { $0.pass[a] == true }.map { $0.x[a] }
    }
    var state = bare
    state.standards = standards
    state.quantitation = MultiOutputQuantitation(
      recovery: recovery, recoveryLowest: recoveryLowest, lloq: passing.map { $0.min() },
      uloq: passing.map { $0.max() })
    return state
  }
}
