public import AWPCore
internal import AWPLineIO
internal import Synchronization

/// What a tool handler may do besides returning its result: report progress and log.
public struct ToolContext: Sendable {
    /// The id of the `tools/call` request being served.
    public let requestID: JSONRPCID
    let progressToken: JSONRPCID?
    let output: MessageOutput

    /// Sends `notifications/progress` if the caller asked for progress; otherwise does nothing.
    /// `progress` must increase from one call to the next.
    public func progress(_ progress: Double, total: Double? = nil, message: String? = nil) {
        guard let progressToken else { return }
        output.send(.notification(method: PluginMethod.progress,
                                  params: ProgressParams(progressToken: progressToken, progress: progress, total: total,
                                                         message: message).json))
    }

    /// Whether the caller cancelled this call (also visible as `Task.isCancelled`).
    public var isCancelled: Bool { Task.isCancelled }

    /// Writes a line to stderr, which the host collects as the plugin's log.
    public func log(_ message: String) { PluginLog.write(message) }
}

/// What a provider handler may do while generating: stream deltas.
public struct GenerationContext: Sendable {
    /// The id of the `provider/generate` request being served.
    public let requestID: JSONRPCID
    /// Whether the host asked for `provider/event` notifications.
    public let isStreaming: Bool
    let output: MessageOutput
    let sequence: SequenceCounter

    /// Sends one `provider/event` (numbered in order), when streaming.
    public func emit(_ delta: ProviderDelta) {
        guard isStreaming else { return }
        let event = ProviderEvent(requestId: requestID, seq: sequence.next(), delta: delta)
        output.send(.notification(method: PluginMethod.providerEvent, params: event.json))
    }

    public var isCancelled: Bool { Task.isCancelled }

    public func log(_ message: String) { PluginLog.write(message) }
}

/// Numbers a request's events 0, 1, 2, …
final class SequenceCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

/// The plugin's stdout: whole messages, one per line, never interleaved.
struct MessageOutput: Sendable {
    let writer: LineWriter

    func send(_ message: JSONRPCMessage) {
        // A failed write means the host is gone; the stdin reader sees EOF and the plugin exits.
        try? writer.write(message.serializedLine())
    }
}

/// Plugin logging: stderr is the log channel; stdout belongs to the protocol.
public enum PluginLog {
    /// Writes `message` and a newline to stderr, ignoring a closed stderr.
    public static func write(_ message: String) {
        var bytes = Array(message.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                guard let written = try? SystemCalls.writeSome(2, UnsafeRawBufferPointer(rebasing: buffer[offset...])),
                      written > 0 else { return }
                offset += written
            }
        }
    }
}
