/// R² of a weighted fit: 1 − Σwᵢrᵢ² / Σwᵢ(yᵢ − ȳ_w)², the residuals' weighted sum of squares
/// against that of the readings about their weighted mean ȳ_w = Σwᵢyᵢ/Σwᵢ, with wᵢ = 1/σᵢ²
/// the precision of each reading (its u or its fitted σ(μ̂ᵢ)); uncentered (about 0) for a
/// model without a constant term, as `FitStatistics.rSquared` is. With equal weights, the
/// ordinary R²; nil where the readings do not vary.
func weightedRSquared(
  responses y: [Double], residuals r: [Double], weights w: [Double], centered: Bool
) -> Double? {
  let total = w.reduce(0, +)
  guard total > 0 else { return nil }
  let mean = centered ? zip(w, y).map(*).reduce(0, +) / total : 0
  let tss = zip(w, y).map { $0 * ($1 - mean) * ($1 - mean) }.reduce(0, +)
  let wrss = zip(w, r).map { $0 * $1 * $1 }.reduce(0, +)
  return tss > 0 ? 1 - wrss / tss : nil
}
