internal import CSandbox
internal import Foundation
internal import Glibc
internal import Synchronization

/// The network tier for a sandboxed process that somebody else spawns (a plugin): the hand-over socket
/// the launcher sends its in-namespace proxy listener through, and the `EgressProxy` that then serves it.
///
/// `Sandbox.run` does this itself for the commands it supervises. A long-lived plugin is spawned by the
/// plugin host instead, so the pieces are exposed here:
/// 1. create a hand-over, and give `launcherDescriptor` to the launcher (`--net proxy --proxy-fd N`);
/// 2. call `launcherStarted()` once the launcher is running: the host's copy of the launcher's end is
///    closed, and a thread waits for the listener and starts the proxy on it;
/// 3. call `stop()` when the sandboxed process has ended.
public final class EgressHandover: Sendable {
    /// The end the launcher must inherit. Close-on-exec: the spawn's dup2 gives the child its own copy.
    public let launcherDescriptor: Int32
    private let hostEnd: Int32
    private let proxy: EgressProxy
    private let state = Mutex(State())

    private struct State {
        var launcherEndOpen = true
        /// Once the hand-over thread runs, it alone closes `hostEnd` (so the number is never reused under it).
        var threadStarted = false
        var stopped = false
    }

    /// - Parameters:
    ///   - allowedHosts: exact names or `*.suffix` patterns, as for `SandboxPolicy.allowedHosts`.
    ///   - resolver: name resolution on the host (tests map names to a local server).
    ///   - onDecision: receives every egress decision, for the audit trail.
    public init(allowedHosts: [String], resolver: any HostResolver,
                onDecision: (@Sendable (EgressDecision) -> Void)?) throws(SandboxError) {
        let pair: (Int32, Int32)
        do { pair = try ProcessSpawner.socketPair() } catch { throw .spawn(error.description) }
        hostEnd = pair.0
        launcherDescriptor = pair.1
        proxy = EgressProxy(allowlist: HostAllowlist(allowedHosts), resolver: resolver, onDecision: onDecision)
    }

    /// Closes the host's copy of the launcher's end (so a launcher that dies early reads as end-of-file)
    /// and waits, on a thread of its own, for the listener; the proxy then serves it until `stop()`.
    public func launcherStarted() {
        closeLauncherEnd()
        let start = state.withLock { state -> Bool in
            guard !state.stopped, !state.threadStarted else { return false }
            state.threadStarted = true
            return true
        }
        guard start else { return }
        let thread = Thread { [self] in
            // Blocks until the launcher sends the listener, or every copy of its end is closed, or stop().
            let listener = csbx_receive_fd(hostEnd)
            close(hostEnd)
            guard listener >= 0 else { return }
            // Under the lock, so a concurrent stop() either sees the proxy serving (and stops it) or is seen here.
            let served = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                proxy.serve(listener: listener)
                return true
            }
            if !served { close(listener) }
        }
        thread.name = "awp egress hand-over"
        thread.stackSize = 64 << 10
        thread.start()
    }

    /// Stops the proxy and releases both sockets. Safe to call more than once, and without `launcherStarted()`
    /// (a spawn that failed).
    public func stop() {
        closeLauncherEnd()
        let threadOwnsHostEnd = state.withLock { state -> Bool? in
            guard !state.stopped else { return nil }
            state.stopped = true
            return state.threadStarted
        }
        switch threadOwnsHostEnd {
        case .some(true): shutdown(hostEnd, Int32(SHUT_RDWR)) // wakes the thread, which closes it
        case .some(false): close(hostEnd)
        case .none: break
        }
        proxy.stop()
    }

    private func closeLauncherEnd() {
        let open = state.withLock { state in
            defer { state.launcherEndOpen = false }
            return state.launcherEndOpen
        }
        if open { close(launcherDescriptor) }
    }
}
