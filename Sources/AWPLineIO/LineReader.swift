internal import Foundation
internal import Glibc

/// What a `LineReader` reports, in order, from its own thread.
public enum LineEvent {
    /// One line without its `\n` (a trailing `\r` is kept). The buffer is valid only during the callback.
    case line(UnsafeBufferPointer<UInt8>)
    /// A line grew past the maximum size; its bytes up to the next `\n` are dropped.
    case oversized(limit: Int)
    /// The descriptor reached end of file (or failed); nothing follows. A final line without `\n` is delivered first.
    case end(SystemCallError?)
}

/// Reads newline-framed messages from a descriptor on a dedicated thread.
///
/// Blocking `read(2)` runs on its own `Thread`, never on Swift's cooperative pool. The scan for `\n`
/// resumes where the previous one stopped, so a 64 MiB line costs one pass over its bytes rather than
/// one pass per read (the quadratic pattern measured at 18–37 s in PLUGINS.md §5.2).
public final class LineReader: Sendable {
    /// The default longest accepted line: 64 MiB.
    public static let defaultMaximumLineLength = 64 << 20

    private let fd: Int32
    private let maximumLineLength: Int
    private let name: String

    /// Prepares to read `fd` (which the reader closes when it ends).
    public init(fd: Int32, maximumLineLength: Int = LineReader.defaultMaximumLineLength, name: String) {
        self.fd = fd
        self.maximumLineLength = maximumLineLength
        self.name = name
    }

    /// Starts the reader thread; `handler` is called on it for every event until `.end`.
    public func start(_ handler: @escaping @Sendable (LineEvent) -> Void) {
        let fd = fd, limit = maximumLineLength
        let thread = Thread {
            var buffer = LineBuffer(maximumLineLength: limit)
            let error = buffer.run(fd: fd, handler: handler)
            SystemCalls.close(fd)
            handler(.end(error))
        }
        thread.name = name
        // Large JSON values are parsed on this thread; the parser keeps its own stack, so 1 MiB is plenty.
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// The growing byte buffer behind a `LineReader`, with the resumable newline scan.
struct LineBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes held: `lineStart..<count` is the unfinished line.
    private var count = 0
    private var lineStart = 0
    /// Where the next `\n` search starts; everything before it in the unfinished line has been scanned.
    private var scanFrom = 0
    /// True while dropping the rest of an oversized line.
    private var discarding = false
    private let maximumLineLength: Int

    private static let readSize = 256 << 10

    init(maximumLineLength: Int) {
        self.maximumLineLength = maximumLineLength
        capacity = Self.readSize * 2
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    /// Reads until end of file, delivering lines; returns the read error, if that is how it ended.
    mutating func run(fd: Int32, handler: (LineEvent) -> Void) -> SystemCallError? {
        while true {
            makeRoom()
            let received: Int
            do {
                received = try SystemCalls.read(fd, into: storage + count, count: capacity - count)
            } catch {
                return error
            }
            if received == 0 {
                if !discarding && count > lineStart {
                    handler(.line(UnsafeBufferPointer(start: storage + lineStart, count: count - lineStart)))
                }
                return nil
            }
            count += received
            scan(handler: handler)
        }
    }

    private mutating func scan(handler: (LineEvent) -> Void) {
        while scanFrom < count {
            let found = memchr(storage + scanFrom, Int32(UInt8(ascii: "\n")), count - scanFrom)
            guard let found else {
                scanFrom = count
                break
            }
            let newline = UnsafeMutablePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - storage
            if discarding {
                discarding = false
            } else if newline - lineStart > maximumLineLength {
                handler(.oversized(limit: maximumLineLength))
            } else {
                handler(.line(UnsafeBufferPointer(start: storage + lineStart, count: newline - lineStart)))
            }
            lineStart = newline + 1
            scanFrom = lineStart
        }
        if discarding {
            // Nothing of an oversized line is kept.
            count = lineStart
            scanFrom = lineStart
        } else if count - lineStart > maximumLineLength {
            handler(.oversized(limit: maximumLineLength))
            discarding = true
            count = lineStart
            scanFrom = lineStart
        }
    }

    /// Moves the unfinished line to the front, or grows the buffer, so a full read fits.
    private mutating func makeRoom() {
        if lineStart == count {
            count = 0
            lineStart = 0
            scanFrom = 0
        }
        guard capacity - count < Self.readSize else { return }
        if lineStart > 0 {
            let pending = count - lineStart
            memmove(storage, storage + lineStart, pending)
            count = pending
            scanFrom -= lineStart
            lineStart = 0
        }
        if capacity - count < Self.readSize {
            let newCapacity = max(capacity * 2, count + Self.readSize)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: storage, count: count)
            storage.deallocate()
            storage = grown
            capacity = newCapacity
        }
    }
}
