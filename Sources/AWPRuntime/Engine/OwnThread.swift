import Foundation

/// Runs blocking work (file system walks, starting processes and waiting for them) on a thread of its
/// own, so it never occupies one of the cooperative pool's few threads while the run's tasks need them.
func onOwnThread<Value: Sendable>(_ name: String, _ work: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.name = name
        thread.start()
    }
}
