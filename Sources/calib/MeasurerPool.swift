import CalibCore
import Dispatch

/// Measures batches of observations on several threads, one measurer per thread, and hands
/// the reports back in input order: the same reports, bit for bit, whatever the number of
/// threads (each observation is measured on its own; no state passes between them).
///
/// Unchecked sendability: worker w only ever touches measurer w and the result slots
/// w, w + t, w + 2t, … of the batch, so no two threads share anything mutable.
final class MeasurerPool<Report>: @unchecked Sendable {
  private let measurers: [(Observation) throws -> Report]

  /// A pool of one worker per element of `measurers`, each measuring one observation at a
  /// time with its own function.
  init(measurers: [(Observation) throws -> Report]) {
    // Cannot trap: calib measure makes --threads measurers (validated ≥ 1) or one per core (≥ 1).
    precondition(!measurers.isEmpty)
    self.measurers = measurers
  }

  /// The report (or the error) of each observation of `batch`, in order.
  func measure(_ batch: [Observation]) -> [Result<Report, any Error>] {
    let count = batch.count
    let threads = min(measurers.count, max(count, 1))
    let slots = ResultSlots<Report>(count: count)
    defer { slots.release() }
    if threads == 1 {
      for k in 0..<count { slots.store(k, Result { try measurers[0](batch[k]) }) }
    } else {
      DispatchQueue.concurrentPerform(iterations: threads) { worker in
        var k = worker
        while k < count {
          slots.store(k, Result { try self.measurers[worker](batch[k]) })
          k += threads
        }
      }
    }
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
