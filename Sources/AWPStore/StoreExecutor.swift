internal import Foundation

/// A serial executor that runs every job on one dedicated thread.
///
/// Why a thread of its own: SQLite calls block (disk I/O, and up to the busy timeout when another
/// process holds the write lock). Run on the cooperative pool they would stall unrelated tasks — on
/// this two-core machine the pool has two threads. `RunStore` is an actor whose executor is this
/// one, so actor isolation gives the connection its single owner and every SQLite call happens on
/// this thread, off the pool. One thread per open store; it ends when the store is released.
///
/// The alternative — a `Mutex`-guarded connection used from detached work — needs the same
/// dedicated thread to stay off the pool and loses the compiler-checked isolation; a serial
/// `DispatchQueue` would work too but gives no guarantee about which thread pool it borrows from.
final class StoreExecutor: SerialExecutor {
    private let queue: JobQueue

    init(name: String) {
        queue = JobQueue()
        let queue = queue
        let thread = Thread { queue.runLoop() }
        thread.name = name
        thread.start()
        // The executor reference is handed to the thread unowned: the thread must not keep the
        // executor alive, or releasing the store would never stop it. Jobs keep their actor — and
        // so this executor — alive while they run.
        queue.setExecutor(UnownedSerialExecutor(ordinary: self))
    }

    deinit {
        queue.stop()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        queue.push(UnownedJob(job))
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}

/// The jobs waiting for the store thread.
///
/// `@unchecked Sendable` because every stored property is read and written only with `condition`
/// locked.
private final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var executor: UnownedSerialExecutor?
    private var isStopped = false

    func setExecutor(_ executor: UnownedSerialExecutor) {
        condition.lock()
        self.executor = executor
        condition.broadcast()
        condition.unlock()
    }

    func push(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        isStopped = true
        condition.signal()
        condition.unlock()
    }

    /// The thread's body: takes the queued jobs in batches and runs them in order, until stopped
    /// and drained.
    func runLoop() {
        while true {
            condition.lock()
            while (jobs.isEmpty || executor == nil) && !isStopped { condition.wait() }
            if jobs.isEmpty && isStopped {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            let executor = executor
            condition.unlock()
            guard let executor else { continue }
            for job in batch { job.runSynchronously(on: executor) }
        }
    }
}
