extension MultiOutputInstrument {
  /// Refuses back-calculated standards that do not match the instrument: one per standard of
  /// the domain, each with that standard's x and reading vector and one figure per unknown;
  /// windows with lower ≤ upper; one LLOQ and ULOQ per unknown, LLOQ ≤ ULOQ.
  static func checkStandards(_ state: MultiOutputState, name: String) throws(InputError) {
    func fail(_ path: String, _ message: String) -> InputError {
      InputError(file: name, message: "\(path): \(message)")
    }
    let k = state.model.predictors.count
    if let standards = state.standards {
      let n = state.domain.x.first?.count ?? 0
      guard standards.count == n else {
        throw fail(
          "$.standards",
          "expected one back-calculated standard per standard (\(n)), found \(standards.count)")
      }
      for (i, standard) in standards.enumerated() {
        let x = state.domain.x.map { $0[i] }
        let y = state.outputs.map { $0.domain.y[i] }
        guard standard.x == x, standard.y == y else {
          throw fail(
            "$.standards[\(i)]",
            "expected the x \(x) and reading vector \(y) of standard \(i + 1) of the domain")
        }
        guard standard.backCalculated.count == k, standard.recovery.count == k,
          standard.pass.count == k
        else {
          throw fail(
            "$.standards[\(i)]",
            "expected back_calculated, recovery and pass with one entry per unknown (\(k))")
        }
      }
    }
    guard let quantitation = state.quantitation else { return }
    for (path, window) in [
      ("$.quantitation.recovery", quantitation.recovery),
      ("$.quantitation.recovery_lowest", quantitation.recoveryLowest),
    ] where !(window.lower <= window.upper) {
      throw fail(path, "expected lower ≤ upper, found \(window.lower), \(window.upper)")
    }
    guard quantitation.lloq.count == k, quantitation.uloq.count == k else {
      throw fail("$.quantitation", "expected lloq and uloq with one entry per unknown (\(k))")
    }
    for a in 0..<k {
      if let lloq = quantitation.lloq[a], let uloq = quantitation.uloq[a], !(lloq <= uloq) {
        throw fail("$.quantitation", "expected lloq[\(a)] ≤ uloq[\(a)], found \(lloq), \(uloq)")
      }
    }
  }
}
