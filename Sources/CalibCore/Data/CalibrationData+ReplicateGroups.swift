extension CalibrationData {
  /// The standards grouped as replicates, each group the indices of its standards in file
  /// order, groups in the order they first appear: the `--group` labels when the data have
  /// them, otherwise the standards with identical predictor values.
  ///
  /// - Throws: `InputError` when a labelled group holds standards at different x.
  func replicateGroups() throws(InputError) -> [[Int]] {
    var members: [String: Int] = [:]
    var groups: [[Int]] = []
    for i in 0..<count {
      let key =
        self.groups?[i] ?? predictors[i].map { "\($0.high),\($0.low)" }.joined(separator: ";")
      if let g = members[key] {
        groups[g].append(i)
      } else {
        members[key] = groups.count
        groups.append([i])
      }
    }
    if let labels = self.groups {
      for group in groups {
        let first = group[0]
        if let other = group.first(where: { predictors[$0] != predictors[first] }) {
          throw InputError(
            file: source, line: lines[other],
            message:
              "the replicates of group '\(labels[first])' must share their x, but this standard"
              + " differs from line \(lines[first])")
        }
      }
    }
    return groups
  }
}
