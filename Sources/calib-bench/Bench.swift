import Foundation

/// The scenarios of `make bench`, each one or more whole `calib measure` processes of the
/// release build writing NDJSON, in a folder of their own; the figures in the order taken.
struct Bench {
  /// The settings.
  let options: Options
  /// The benchmark's own folder (made with `mkdtemp`), for inputs, reports and logs.
  let work: String
  /// Runs the child processes.
  let children: ChildProcess
  /// Writes the input files.
  let workload: Workload
  /// The figures so far.
  private(set) var figures: [Figure] = []
  /// The instrument files, fitted by `fitInstruments()`.
  private(set) var instruments: [String: String] = [:]

  /// A benchmark working in `work` with `options`.
  init(options: Options, work: String) {
    self.options = options
    self.work = work
    children = ChildProcess(logDirectory: work)
    workload = Workload(directory: work, fixtures: options.fixtures)
  }

  /// Adds `figure` and prints its line of the table.
  mutating func record(_ figure: Figure) {
    figures.append(figure)
    say(Table.row(figure))
  }

  /// The figure named `name`, once taken.
  func figure(_ name: String) -> Figure? { figures.first { $0.name == name } }

  /// Runs `calib` with `arguments`, its standard output to `output`.
  func calib(_ arguments: [String], output: OutputSink) throws -> ChildRun {
    try children.run(options.calib, arguments, output: output)
  }

  /// Runs `calib measure` on `observations` with `instrument` to NDJSON with `threads`
  /// threads, the report to `report` (a file in the work folder) or drained when nil.
  func measure(
    _ instrument: String, _ observations: String, column: String, threads: Int,
    report: String? = nil, extra: [String] = []
  ) throws -> ChildRun {
    let arguments = measureArguments(
      instrument, observations, column: column, threads: threads, report: report, extra: extra)
    guard report != nil else { return try calib(arguments, output: .drained) }
    return try calib(arguments, output: .file(work + "/stdout.txt"))
  }

  /// The arguments of `calib measure` on `observations` with `instrument` to NDJSON with
  /// `threads` threads, the report to `report` (standard output when nil).
  func measureArguments(
    _ instrument: String, _ observations: String, column: String, threads: Int,
    report: String? = nil, extra: [String] = []
  ) -> [String] {
    [
      "measure", instruments[instrument] ?? instrument, observations, "--y", column,
      "--format", "ndjson", "--threads", "\(threads)",
    ] + extra + (report.map { ["-o", $0] } ?? [])
  }

  /// Fits the instruments the scenarios measure, each a figure of its own (whole process):
  /// the absorbance line (σ estimated), the same with known u(y), the ELISA 4PL with MCMC
  /// samples.
  mutating func fitInstruments() throws {
    let fixtures = options.fixtures
    let fits: [(String, String, [String])] = [
      (
        "line", "the absorbance line, σ estimated (18 standards)",
        [
          fixtures + "/absorbance-line.csv", "--x", "concentration", "--y", "absorbance",
          "--group", "standard",
        ]
      ),
      (
        "line-known-u", "the absorbance line, u(y) = 0.003 known (--sy)",
        [
          try workload.lineStandardsWithUncertainty(), "--x", "concentration",
          "--y", "absorbance", "--sy", "u",
        ]
      ),
      (
        "4pl-mcmc", "the ELISA 4PL (16 standards) with MCMC posterior samples, seed 1",
        [
          fixtures + "/elisa-4pl.csv", "--x", "conc_ng_mL", "--y", "od", "--model", "4pl",
          "--posterior", "mcmc", "--seed", "1",
        ]
      ),
    ]
    for (name, description, arguments) in fits {
      let file = work + "/\(name).json"
      let run = try calib(["fit"] + arguments + ["-o", file], output: .file(work + "/stdout.txt"))
      instruments[name] = file
      record(
        Figure(
          "fit-" + name, "calib fit: " + description, readings: 0, threads: 1,
          seconds: run.seconds))
    }
  }
}

/// Writes `line` and a newline to standard output at once (unbuffered, so that the table
/// shows as the figures come).
func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
