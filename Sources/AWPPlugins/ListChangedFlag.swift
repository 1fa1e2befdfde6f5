internal import Synchronization

/// Remembers that a plugin announced `notifications/tools/list_changed`, so the next listing
/// bypasses any cache. Set from the reader thread, read by the tool client.
final class ListChangedFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func set() { flag.store(true, ordering: .relaxed) }

    /// Whether the flag was set since the last call; clears it.
    func consume() -> Bool { flag.exchange(false, ordering: .relaxed) }
}
