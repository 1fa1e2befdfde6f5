internal import AWPCore
internal import AWPLineIO
internal import Synchronization

/// The JSON-RPC engine over one plugin's pipes: numbered requests multiplexed on one line stream.
///
/// The table of calls in flight lives behind a `Mutex`, not in an actor, on purpose: responses
/// arrive on the reader thread, and resuming a continuation straight from there costs one wake-up,
/// where an actor would add a task and a hop per message (PLUGINS.md §5.2 puts the whole round trip
/// budget near 50 µs). Each lock section is a few dictionary operations; nothing blocks inside one.
final class RPCConnection: Sendable {
    /// A call's handler for notifications that belong to it (`notifications/progress`, `provider/event`).
    typealias NotificationHandler = @Sendable (_ method: String, _ params: JSONValue) -> Void

    private struct Pending {
        var method: String
        var continuation: CheckedContinuation<JSONValue, any Error>
        var deadline: ContinuousClock.Instant?
        var onNotification: NotificationHandler?
    }

    private struct State {
        var nextID = 1
        var pending: [Int: Pending] = [:]
        /// Set once the connection is dead; every later call fails with it.
        var failure: PluginError?
        var nonJSONLines = 0
        var answered = 0
        /// Merged into every request's `params._meta` (modern-era MCP servers need it on each request).
        var requestMeta: JSONValue?
    }

    let plugin: String
    private let writer: LineWriter
    private let state = Mutex(State())
    private let nonJSONLineLimit: Int
    private let log: PluginLogHandler?
    /// Notifications not tied to a call (`notifications/message`, `…/list_changed`).
    private let onNotification: NotificationHandler?
    /// Called once, on the reader thread, when the plugin's stdout ends or it broke the protocol.
    private let onEnd: @Sendable (_ reason: EndReason) -> PluginError

    enum EndReason: Sendable {
        case endOfFile(SystemCallError?)
        case oversizedLine(limit: Int)
        case tooManyNonJSONLines(Int)
    }

    init(plugin: String, writer: LineWriter, nonJSONLineLimit: Int, log: PluginLogHandler?,
         onNotification: NotificationHandler?, onEnd: @escaping @Sendable (EndReason) -> PluginError) {
        self.plugin = plugin
        self.writer = writer
        self.nonJSONLineLimit = nonJSONLineLimit
        self.log = log
        self.onNotification = onNotification
        self.onEnd = onEnd
    }

    /// Starts consuming `reader`'s lines and the timeout sweep.
    func start(reader: LineReader) {
        reader.start { [self] event in
            switch event {
            case .line(let bytes): receive(bytes)
            case .oversized(let limit): end(.oversizedLine(limit: limit))
            case .end(let error): end(.endOfFile(error))
            }
        }
        Task.detached { [weak self] in
            // Deadlines are checked on a coarse tick instead of arming a timer per call: at tens of
            // thousands of calls a second, per-call timers would pile up in the timer heap.
            while let connection = self, connection.isAlive {
                connection.expireOverdueCalls()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    var isAlive: Bool { state.withLock { $0.failure == nil } }
    var failure: PluginError? { state.withLock { $0.failure } }
    var nonJSONLineCount: Int { state.withLock { $0.nonJSONLines } }
    var inFlightCount: Int { state.withLock { $0.pending.count } }
    /// Responses received so far: evidence the process worked, whatever happens to it later.
    var answeredCount: Int { state.withLock { $0.answered } }

    func setRequestMeta(_ meta: JSONValue?) {
        state.withLock { $0.requestMeta = meta }
    }

    /// Sends a request and waits for its result.
    ///
    /// - Parameters:
    ///   - timeout: after this, the call fails with `timeout` and the plugin gets `notifications/cancelled`.
    ///   - withProgressToken: adds `_meta.progressToken` (the request id) so progress notifications reach `onNotification`.
    /// - Throws: `PluginError` (its kind says why), or `PluginError` of kind `cancelled` when the task is cancelled.
    func request(_ method: String, params: JSONValue?, timeout: Duration?, withProgressToken: Bool = false,
                 onNotification: NotificationHandler? = nil) async throws -> JSONValue {
        let (id, meta) = state.withLock { state in
            defer { state.nextID += 1 }
            return (state.nextID, state.requestMeta)
        }
        var params = params
        if withProgressToken || meta != nil {
            var metaMembers = meta ?? [:]
            if withProgressToken { metaMembers = metaMembers.setting("progressToken", to: .integer(id)) }
            params = (params ?? [:]).setting("_meta", to: metaMembers)
        }
        let line = JSONRPCMessage.request(id: .number(id), method: method, params: params).serializedLine()
        let deadline = timeout.map { ContinuousClock.now + $0 }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONValue, any Error>) in
                let failure = state.withLock { state -> PluginError? in
                    if let failure = state.failure { return failure.forMethod(method) }
                    if Task.isCancelled { return PluginError(.cancelled, plugin: plugin, "the call was cancelled", method: method) }
                    state.pending[id] = Pending(method: method, continuation: continuation, deadline: deadline,
                                                onNotification: onNotification)
                    return nil
                }
                if let failure { return continuation.resume(throwing: failure) }
                do {
                    try writer.write(line)
                } catch {
                    // The plugin's stdin is gone, so it is exiting: its stdout ends shortly and the call fails
                    // with the exit status and stderr. Should stdout stay open, the call times out soon anyway.
                    let soon = ContinuousClock.now + .seconds(1)
                    state.withLock { state in
                        if let current = state.pending[id]?.deadline, current < soon { return }
                        state.pending[id]?.deadline = soon
                    }
                }
            }
        } onCancel: {
            abandon(id, kind: .cancelled, reason: "the call was cancelled")
        }
    }

    /// Closes the plugin's stdin: the polite request to exit. Later calls fail on write.
    func closeInput() {
        writer.close()
    }

    /// Sends a notification; failures are ignored (a dead plugin is reported through its calls).
    func notify(_ method: String, params: JSONValue?) {
        try? writer.write(JSONRPCMessage.notification(method: method, params: params).serializedLine())
    }

    /// Fails every call in flight and all later ones with `error`; the first failure wins.
    func fail(with error: PluginError) {
        let pending = state.withLock { state -> [Pending] in
            if state.failure == nil { state.failure = error }
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for call in pending { call.continuation.resume(throwing: error.forMethod(call.method)) }
    }

    private func take(_ id: Int) -> Pending? {
        state.withLock { $0.pending.removeValue(forKey: id) }
    }

    /// Fails call `id` locally and tells the plugin to stop working on it (never for `initialize`,
    /// which MCP forbids cancelling).
    private func abandon(_ id: Int, kind: PluginErrorKind, reason: String) {
        guard let pending = take(id) else { return }
        pending.continuation.resume(throwing: PluginError(kind, plugin: plugin, reason, method: pending.method))
        if pending.method != PluginMethod.initialize {
            notify(PluginMethod.cancelled, params: CancelledParams(requestId: .number(id), reason: reason).json)
        }
    }

    private func expireOverdueCalls() {
        let now = ContinuousClock.now
        let overdue = state.withLock { state in
            state.pending.filter { $0.value.deadline.map { $0 <= now } ?? false }.map(\.key)
        }
        for id in overdue { abandon(id, kind: .timeout, reason: "no response within the time limit") }
    }

    private func end(_ reason: EndReason) {
        guard isAlive else { return }
        fail(with: onEnd(reason))
    }

    // MARK: Incoming messages (reader thread)

    private func receive(_ bytes: UnsafeBufferPointer<UInt8>) {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(line: bytes)
        } catch {
            noteNonJSONLine(bytes, error)
            return
        }
        switch message {
        case .response(.number(let id), let result):
            let pending = state.withLock { state in
                state.answered += 1
                return state.pending.removeValue(forKey: id)
            }
            pending?.continuation.resume(returning: result)
        case .errorResponse(.some(.number(let id)), let error):
            if let pending = take(id) {
                pending.continuation.resume(throwing: PluginError(response: error, plugin: plugin, method: pending.method))
            }
        case .response, .errorResponse:
            log?(PluginLogRecord(plugin: plugin, source: .host, message: "ignored a response to an id awp never sent"))
        case .notification(let method, let params):
            route(method, params ?? [:])
        case .request(let id, let method, let params):
            answer(id, method, params)
        }
    }

    private func route(_ method: String, _ params: JSONValue) {
        let owner: Int? = switch method {
        case PluginMethod.progress: params["progressToken"]?.intValue
        case PluginMethod.providerEvent: params["requestId"]?.intValue
        default: nil
        }
        if let owner {
            let handler = state.withLock { $0.pending[owner]?.onNotification }
            handler?(method, params)
        } else if method == PluginMethod.message {
            let text = params["data"].map { $0.stringValue ?? $0.serialized() } ?? ""
            log?(PluginLogRecord(plugin: plugin, source: .notification, message: text))
        } else {
            onNotification?(method, params)
        }
    }

    /// Answers the requests a legacy MCP server may make of its client.
    private func answer(_ id: JSONRPCID, _ method: String, _ params: JSONValue?) {
        let reply: JSONRPCMessage = switch method {
        case PluginMethod.ping: .response(id: id, result: [:])
        case PluginMethod.rootsList: .response(id: id, result: ["roots": []])
        default: .errorResponse(id: id, error: .methodNotFound(method))
        }
        try? writer.write(reply.serializedLine())
    }

    private func noteNonJSONLine(_ bytes: UnsafeBufferPointer<UInt8>, _ error: WireFormatError) {
        let count = state.withLock { state in
            state.nonJSONLines += 1
            return state.nonJSONLines
        }
        if let log {
            let preview = String(decoding: bytes.prefix(200), as: UTF8.self)
            log(PluginLogRecord(plugin: plugin, source: .host, message: "stdout line is not a JSON-RPC message (\(error.message)): \(preview)"))
        }
        if count > nonJSONLineLimit { end(.tooManyNonJSONLines(count)) }
    }
}
