import CalibCore
import Dispatch
import Synchronization

/// Measures batches of observations on several threads, one measurer per thread, and hands
/// the reports' bytes back in input order: the same bytes, bit for bit, whatever the number
/// of threads (each observation is measured on its own; what a measurer keeps between them,
/// its workspaces and the pieces of its measurement maps, changes no figure).
///
/// A pool of n measurers measures on at most n threads: the calling thread, which reads the
/// input and writes the output, is worker 0 and takes the observations the others have not
/// taken yet once it has done that (`MeasuredBatch.finish()`), and the n − 1 others run on
/// Dispatch's global queue (which runs no more at once than there are processors), so that n
/// threads keep n processors busy without a thread more to share them.
///
/// Each worker appends the bytes of the observations it takes to a buffer of its own, which
/// the batch keeps and the next batch but one reuses: a report of one output in JSON or
/// NDJSON is not an allocation of its own, made on one thread and freed on another (that cost
/// two threads a tenth of their time in the allocator and in the kernel's page faults, on the
/// line).
///
/// Unchecked sendability: worker w only ever touches measurer w, buffer w, and the result
/// slots of the observations it takes (each taken once, by an atomic counter), so no two
/// threads share anything mutable; `start(_:reusing:)` is called from one thread, which alone
/// touches `running`.
final class MeasurerPool: @unchecked Sendable {
  /// How one worker measures an observation: each appends the observation's bytes (its report,
  /// or its error where it could not be measured) to the buffer it is given.
  struct Worker {
    /// Measures it, waiting for a piece of a measurement map another worker is building.
    let measure: (Observation, inout [UInt8]) throws -> EncodedObservation
    /// The same, or nil where it would wait (`Measurer.measureUnlessWaiting(_:)`), having
    /// appended nothing.
    let measureUnlessWaiting: (Observation, inout [UInt8]) throws -> EncodedObservation?
  }

  private let workers: [Worker]
  /// The batch started last, which the next waits for.
  private var running: MeasuredBatch?

  /// A pool of one worker per element of `measurers`, each measuring one observation at a
  /// time with its own functions; the first is the calling thread's.
  init(measurers: [Worker]) {
    // Cannot trap: calib measure makes --threads measurers (validated ≥ 1) or one per core (≥ 1).
    precondition(!measurers.isEmpty)
    self.workers = measurers
  }

  /// Starts measuring `batch` on the pool's other threads and returns at once, so that the
  /// caller can write the last batch and read the next meanwhile; `MeasuredBatch.forEach(_:)`
  /// then measures what is left on the calling thread and hands over the reports (or the
  /// errors), in order. One batch at a time: a measurer is not thread-safe, so this first
  /// finishes the batch started before (`MeasuredBatch.finish()`). `reusing`, a batch whose
  /// bytes have been written (not the one started last), gives its buffers (their capacity)
  /// to this one.
  ///
  /// A pool of one measurer measures the batch on the calling thread alone: one thread in
  /// all, as `--threads 1` asks (a task given one processor, as a Slurm job with
  /// `--cpus-per-task=1`, does not share it with a second thread reading and writing).
  func start(_ batch: [Observation], reusing old: MeasuredBatch?) -> MeasuredBatch {
    running?.finish()
    assert(old.map { $0 !== running && $0.finished } ?? true, "reusing a batch still in use")
    let measured = MeasuredBatch(batch, workers: workers, reusing: old)
    running = measured
    // One task per worker on the global queue (not `concurrentPerform` inside one: nested in
    // a queue's block, it may run its iterations one after the other).
    for worker in workers.indices.dropFirst().prefix(batch.count) {
      DispatchQueue.global().async(group: measured.group) { measured.work(as: worker) }
    }
    return measured
  }
}

/// A batch being measured (`MeasurerPool.start(_:reusing:)`): the result of each of its
/// observations, and the buffers that hold their bytes, one per worker.
///
/// Unchecked sendability: each slot is written by the one worker that took its index, and
/// buffer w by worker w alone, before the worker leaves `group` (or, for worker 0, before
/// `finish()` returns); all are read only after `finish()`, on the thread that calls it, which
/// alone touches `finished`.
final class MeasuredBatch: @unchecked Sendable {
  private let observations: [Observation]
  private let workers: [MeasurerPool.Worker]
  /// Each observation's result, and the worker whose buffer holds its bytes.
  private let slots: UnsafeMutableBufferPointer<(Result<EncodedObservation, any Error>, Int)?>
  /// Worker w's bytes.
  private let buffers: UnsafeMutableBufferPointer<[UInt8]>
  /// The other threads' workers.
  fileprivate let group = DispatchGroup()
  /// The index of the next observation to take (`claim()`).
  private let next = Atomic(0)
  /// Whether `finish()` has run.
  fileprivate private(set) var finished = false

  /// `observations` to measure with `workers`, into buffers of their own, those of `old`
  /// emptied (keeping their capacity) where given. A buffer whose room is more than twice the
  /// bytes it held in `old`, and 64 KiB (its worker took a large part of an earlier batch,
  /// while the others built a piece of a map or waited for a processor), is let go, so that
  /// the buffers kept hold at most twice the last batch's bytes, and 64 KiB a worker, whatever
  /// the number of threads.
  fileprivate init(
    _ observations: [Observation], workers: [MeasurerPool.Worker], reusing old: MeasuredBatch?
  ) {
    self.observations = observations
    self.workers = workers
    slots = .allocate(capacity: max(observations.count, 1))
    slots.initialize(repeating: nil)
    buffers = .allocate(capacity: workers.count)
    buffers.initialize(repeating: [])
    guard let old else { return }
    for w in workers.indices {
      if old.buffers[w].capacity <= max(2 * old.buffers[w].count, 1 << 16) {
        swap(&buffers[w], &old.buffers[w])
        buffers[w].removeAll(keepingCapacity: true)
      } else {
        old.buffers[w] = []
      }
    }
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
    buffers.deinitialize()
    buffers.deallocate()
  }

  /// Worker `worker`'s part: it takes the next observations not yet taken (`claim()`), until
  /// none is left, so that one building a piece of a measurement map (milliseconds, seconds
  /// averaged over samples or by quadrature) does not hold the others up; an observation whose
  /// piece another worker is building is left for the end, so that the worker goes on
  /// measuring, or building other pieces, instead of waiting. Which worker measures an
  /// observation, and when, changes no bit of its report.
  fileprivate func work(as worker: Int) {
    let measurer = workers[worker]
    var later: [Int] = []
    while let claimed = claim() {
      for k in claimed {
        do {
          guard
            let report = try measurer.measureUnlessWaiting(observations[k], &buffers[worker])
          else {
            later.append(k)
            continue
          }
          slots[k] = (.success(report), worker)
        } catch {
          slots[k] = (.failure(error), worker)
        }
      }
    }
    for k in later {
      slots[k] = (Result { try measurer.measure(observations[k], &buffers[worker]) }, worker)
    }
  }

  /// The next observations not yet taken, nil where none is left: a share of those left that
  /// shrinks as they run out (guided scheduling), up to 16 and at least one, so that a worker
  /// takes observations a run at a time (the counter, and the slots a worker writes, are then
  /// not handed between processors at every observation: the line's two threads take 3%
  /// less time) while the last ones are still spread one by one over the workers.
  private func claim() -> Range<Int>? {
    var start = next.load(ordering: .relaxed)
    while start < observations.count {
      let size = min(16, max(1, (observations.count - start) / (4 * workers.count)))
      let (exchanged, found) = next.compareExchange(
        expected: start, desired: start + size, ordering: .relaxed)
      if exchanged { return start..<start + size }
      start = found
    }
    return nil
  }

  /// Measures on the calling thread (worker 0) what the other threads have not taken, then
  /// waits for them: every observation of the batch is then measured, and every worker done.
  func finish() {
    if !finished {
      finished = true
      work(as: 0)
    }
    group.wait()
  }

  /// Finishes the batch (`finish()`), then hands `body` the bytes and the coverage status
  /// (nil: it could not be measured) of each observation, in order.
  ///
  /// - Throws: the first error a worker threw (one every observation would meet alike: see
  ///   `EncodedObservation`), after the observations before it; what `body` throws.
  func forEach(_ body: (UnsafeBufferPointer<UInt8>, CoverageStatus?) throws -> Void) throws {
    finish()
    for k in observations.indices {
      // Cannot trap: `finish()` returns once every observation is measured (each slot set).
      guard let (result, worker) = slots[k] else { preconditionFailure("observation \(k)") }
      let encoded = try result.get()
      try buffers[worker].withUnsafeBufferPointer {
        try body(UnsafeBufferPointer(rebasing: $0[encoded.bytes]), encoded.status)
      }
    }
  }
}
