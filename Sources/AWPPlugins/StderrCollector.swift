internal import AWPLineIO
internal import Dispatch
internal import Synchronization

/// A line of plugin diagnostics: its stderr, its MCP log notifications, or the host's remarks about it.
public struct PluginLogRecord: Sendable, Hashable {
    public enum Source: String, Sendable, Hashable {
        /// A line the plugin wrote to stderr.
        case stderr
        /// A `notifications/message` the plugin sent.
        case notification
        /// Something the host noticed (non-JSON stdout lines, restarts, dropped output).
        case host
    }

    public var plugin: String
    public var source: Source
    public var message: String

    public init(plugin: String, source: Source, message: String) {
        self.plugin = plugin
        self.source = source
        self.message = message
    }
}

/// Where plugin diagnostics go; the default drops them.
public typealias PluginLogHandler = @Sendable (PluginLogRecord) -> Void

/// Drains a plugin's stderr on its own thread so the plugin can never block on a full pipe.
///
/// Keeps the last few lines for error messages ("last stderr: …") and forwards lines to the log
/// handler until `forwardLimit` bytes, after which it only counts them: a plugin flooding stderr
/// costs the host a bounded amount of memory and log volume.
final class StderrCollector: Sendable {
    private struct State {
        var tail: [String] = []
        var tailBytes = 0
        var totalBytes = 0
        var forwardedBytes = 0
        var suppressionReported = false
        var finished = false
    }

    static let tailLimit = 4 << 10
    static let lineLimit = 64 << 10

    private let plugin: String
    private let forwardLimit: Int
    private let log: PluginLogHandler?
    private let state = Mutex(State())
    private let ended = DispatchSemaphore(value: 0)

    init(plugin: String, forwardLimit: Int, log: PluginLogHandler?) {
        self.plugin = plugin
        self.forwardLimit = forwardLimit
        self.log = log
    }

    func start(fd: Int32) {
        LineReader(fd: fd, maximumLineLength: Self.lineLimit, name: "awp-plugin-stderr-\(plugin)").start { [self] event in
            switch event {
            case .line(let bytes): record(String(decoding: bytes, as: UTF8.self))
            case .oversized(let limit): record("[a stderr line longer than \(limit) bytes was dropped]")
            case .end:
                state.withLock { $0.finished = true }
                ended.signal()
            }
        }
    }

    private func record(_ line: String) {
        let forward = state.withLock { state -> String? in
            state.totalBytes += line.utf8.count + 1
            state.tail.append(line)
            state.tailBytes += line.utf8.count
            while state.tailBytes > Self.tailLimit, state.tail.count > 1 {
                state.tailBytes -= state.tail.removeFirst().utf8.count
            }
            if state.forwardedBytes < forwardLimit {
                state.forwardedBytes += line.utf8.count
                return line
            }
            guard !state.suppressionReported else { return nil }
            state.suppressionReported = true
            return "[further stderr output is counted but not logged: over \(forwardLimit) bytes]"
        }
        if let forward, let log { log(PluginLogRecord(plugin: plugin, source: .stderr, message: forward)) }
    }

    /// The last lines, joined, at most `tailLimit` bytes (the most recent ones win).
    var tail: String {
        let lines = state.withLock { $0.tail }
        var text = lines.joined(separator: "\n")
        if text.utf8.count > Self.tailLimit {
            text = String(decoding: text.utf8.suffix(Self.tailLimit), as: UTF8.self)
        }
        return text
    }

    var totalBytes: Int { state.withLock { $0.totalBytes } }

    /// Blocks (a dedicated thread only) until stderr has ended or `timeout` seconds pass, so an error
    /// message includes what a crashing plugin wrote just before it exited.
    func waitForEnd(timeout: Double) {
        if ended.wait(timeout: .now() + timeout) == .success { ended.signal() }
    }
}
