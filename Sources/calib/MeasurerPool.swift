import CalibCore
import Dispatch
import Synchronization

/// Measures batches of observations on several threads, one measurer per thread, and hands
/// the reports back in input order: the same reports, bit for bit, whatever the number of
/// threads (each observation is measured on its own; what a measurer keeps between them, its
/// workspaces and the pieces of its measurement maps, changes no figure).
///
/// Unchecked sendability: worker w only ever touches measurer w and the result slots of the
/// observations it takes (each taken once, by an atomic counter), so no two threads share
/// anything mutable.
final class MeasurerPool<Report>: @unchecked Sendable {
  /// How one worker measures an observation.
  struct Worker {
    /// Measures it, waiting for a piece of a measurement map another worker is building.
    let measure: (Observation) throws -> Report
    /// The same, or nil where it would wait (`Measurer.measureUnlessWaiting(_:)`).
    let measureUnlessWaiting: (Observation) throws -> Report?
  }

  private let measurers: [Worker]

  /// A pool of one worker per element of `measurers`, each measuring one observation at a
  /// time with its own functions.
  init(measurers: [Worker]) {
    // Cannot trap: calib measure makes --threads measurers (validated ≥ 1) or one per core (≥ 1).
    precondition(!measurers.isEmpty)
    self.measurers = measurers
  }

  /// Starts measuring `batch` on the pool's threads and returns at once, so that the caller
  /// can read the next batch and write the last one meanwhile; `MeasuredBatch.results()` waits
  /// for the reports (or the errors), in order. One batch at a time: a measurer is not
  /// thread-safe, so the next batch starts only once this one's results are in.
  ///
  /// A pool of one measurer measures the batch on the calling thread before it returns: one
  /// thread in all, as `--threads 1` asks (a task given one processor, as a Slurm job with
  /// `--cpus-per-task=1`, does not share it with a second thread reading and writing).
  func start(_ batch: [Observation]) -> MeasuredBatch<Report> {
    let measured = MeasuredBatch<Report>(count: batch.count)
    if measurers.count == 1 {
      for k in batch.indices {
        measured.slots.store(k, Result { try measurers[0].measure(batch[k]) })
      }
      return measured
    }
    // One task per worker on the global queue (not `concurrentPerform` inside one: nested in
    // a queue's block, it may run its iterations one after the other). Each worker takes the
    // next observation not yet taken, so that one building a piece of a measurement map
    // (milliseconds, seconds averaged over samples or by quadrature) does not hold the others
    // up; an observation whose piece another worker is building is left for the end of the
    // batch, so that the worker goes on measuring, or building other pieces, instead of
    // waiting. Which worker measures an observation, and when, changes no bit of its report.
    for worker in 0..<min(measurers.count, max(batch.count, 1)) {
      DispatchQueue.global().async(group: measured.group) {
        let measurer = self.measurers[worker]
        var later: [Int] = []
        while true {
          let k = measured.next.wrappingAdd(1, ordering: .relaxed).oldValue
          guard k < batch.count else { break }
          do {
            guard let report = try measurer.measureUnlessWaiting(batch[k]) else {
              later.append(k)
              continue
            }
            measured.slots.store(k, .success(report))
          } catch {
            measured.slots.store(k, .failure(error))
          }
        }
        for k in later { measured.slots.store(k, Result { try measurer.measure(batch[k]) }) }
      }
    }
    return measured
  }
}

/// A batch being measured (`MeasurerPool.start(_:)`).
///
/// Unchecked sendability: each slot is written by the one worker that took its index, before
/// the worker leaves `group`, and read only after waiting for the group.
final class MeasuredBatch<Report>: @unchecked Sendable {
  fileprivate let slots: ResultSlots<Report>
  fileprivate let group = DispatchGroup()
  /// The index of the next observation to take.
  fileprivate let next = Atomic(0)

  fileprivate init(count: Int) {
    slots = ResultSlots(count: count)
  }

  deinit {
    slots.release()
  }

  /// The report (or the error) of each observation of the batch, in order, once measured.
  func results() -> [Result<Report, any Error>] {
    group.wait()
    return slots.collect()
  }
}

/// The results of one batch, written by the workers at distinct indices.
private final class ResultSlots<Report>: @unchecked Sendable {
  private let storage: UnsafeMutableBufferPointer<Result<Report, any Error>?>

  init(count: Int) {
    storage = .allocate(capacity: max(count, 1))
    storage.initialize(repeating: nil)
  }

  func store(_ index: Int, _ result: Result<Report, any Error>) {
    storage[index] = result
  }

  func collect() -> [Result<Report, any Error>] { storage.compactMap { $0 } }

  func release() {
    storage.deinitialize()
    storage.deallocate()
  }
}
