internal import Foundation
internal import Glibc
internal import Synchronization

/// Writes newline-framed messages to a pipe without ever blocking the caller's thread.
///
/// The descriptor is made non-blocking. A write first goes straight to the pipe from the caller (the
/// common case: a small message into a pipe with room, no thread hop and no added latency). Whatever
/// does not fit is queued for a dedicated writer thread, which waits with `poll(2)` until the reader
/// drains the pipe; later messages queue behind it, so messages never interleave. Writes use
/// `write(2)` directly, never the `FileHandle.write(_:)` that traps on EPIPE (PLUGINS.md §5.3).
public final class LineWriter: Sendable {
    private struct State {
        var pending: [[UInt8]] = []
        /// How much of `pending[0]` is already written.
        var offset = 0
        var failure: SystemCallError?
        var closed = false
        var threadStarted = false
    }

    private let fd: Int32
    private let closesDescriptor: Bool
    private let name: String
    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)

    /// Writes to `fd`; `closesDescriptor` says whether `close()` closes it (the host's end of a plugin's stdin).
    public init(fd: Int32, closesDescriptor: Bool, name: String) {
        self.fd = fd
        self.closesDescriptor = closesDescriptor
        self.name = name
        // A terminal or file shared with other processes is left blocking; only our own pipes are switched.
        if SystemCalls.isPipe(fd) { SystemCalls.setNonBlocking(fd) }
    }

    /// Queues `bytes` (one or more complete lines) for writing.
    ///
    /// - Throws: the error that broke the pipe earlier (EPIPE when the reader has exited), or a closed-writer error.
    public func write(_ bytes: [UInt8]) throws(SystemCallError) {
        let startThread = try state.withLock { state throws(SystemCallError) -> Bool in
            if let failure = state.failure { throw failure }
            if state.closed { throw SystemCallError("write", errno: EBADF) }
            var written = 0
            if state.pending.isEmpty {
                do throws(SystemCallError) {
                    written = try Self.writeNow(fd, bytes, from: 0)
                } catch {
                    state.failure = error
                    throw error
                }
                if written == bytes.count { return false }
            }
            state.pending.append(written == 0 ? bytes : Array(bytes[written...]))
            defer { state.threadStarted = true }
            return !state.threadStarted
        }
        if startThread { startWriterThread() }
        wakeUp.signal()
    }

    /// Stops accepting writes; queued bytes are dropped, and the descriptor is closed if this writer owns it.
    ///
    /// Closing a plugin's stdin is how the host asks it to exit.
    public func close() {
        let shouldClose = state.withLock { state -> Bool in
            defer { state.closed = true; state.pending = [] }
            return !state.closed
        }
        if shouldClose && closesDescriptor { SystemCalls.close(fd) }
        wakeUp.signal()
    }

    /// Bytes queued but not yet written (for tests and statistics).
    public var queuedByteCount: Int {
        state.withLock { state in state.pending.reduce(0) { $0 + $1.count } - state.offset }
    }

    /// Writes from `offset` until done or the pipe is full; returns the new offset.
    private static func writeNow(_ fd: Int32, _ bytes: [UInt8], from offset: Int) throws(SystemCallError) -> Int {
        var offset = offset
        while offset < bytes.count {
            // `withUnsafeBytes` rethrows untyped, so the typed error travels out as a `Result`.
            let written = bytes.withUnsafeBytes { buffer in
                Result { () throws(SystemCallError) in
                    try SystemCalls.writeSome(fd, UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                }
            }
            let count = try written.get()
            if count == 0 { break }
            offset += count
        }
        return offset
    }

    private func startWriterThread() {
        let thread = Thread { [self] in drainQueue() }
        thread.name = name
        thread.start()
    }

    /// The writer thread: writes queued bytes as the pipe drains; sleeps while the queue is empty.
    private func drainQueue() {
        while true {
            enum Step { case exit, sleep, wait }
            let step = state.withLock { state -> Step in
                if state.closed || state.failure != nil { return .exit }
                while let first = state.pending.first {
                    do throws(SystemCallError) {
                        state.offset = try Self.writeNow(fd, first, from: state.offset)
                    } catch {
                        state.failure = error
                        state.pending = []
                        return .exit
                    }
                    guard state.offset == first.count else { return .wait }
                    state.pending.removeFirst()
                    state.offset = 0
                }
                return .sleep
            }
            switch step {
            case .exit: return
            case .sleep: wakeUp.wait()
            case .wait: SystemCalls.waitWritable(fd)
            }
        }
    }
}
