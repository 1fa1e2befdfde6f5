internal import Foundation
internal import Synchronization

/// One dedicated thread that runs blocking jobs in order and hands each result back to async code.
/// Blocking pipe I/O must never run on Swift's cooperative pool (it has only as many threads as cores).
final class BlockingLane: Sendable {
    private let jobs = Mutex<(queue: [@Sendable () -> Void], finished: Bool)>(([], false))
    private let signal = DispatchSemaphore(value: 0)

    init(name: String) {
        let thread = Thread { [self] in
            while true {
                signal.wait()
                let job: (@Sendable () -> Void)? = jobs.withLock { state in
                    state.queue.isEmpty ? nil : state.queue.removeFirst()
                }
                if let job {
                    job()
                } else if jobs.withLock({ $0.finished }) {
                    return
                }
            }
        }
        thread.name = name
        thread.start()
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            jobs.withLock { $0.queue.append { continuation.resume(returning: body()) } }
            signal.signal()
        }
    }

    /// Lets the thread exit once the queued jobs are done.
    func finish() {
        jobs.withLock { $0.finished = true }
        signal.signal()
    }
}
