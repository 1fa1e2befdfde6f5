import AWPCore
public import AWPStore

/// Fans run events out to the store and to live subscribers (the CLI renderer, Studio, tests).
///
/// Every string in an event passes through the run's redactor first, so a secret that slipped
/// into a tool's error message is masked before anything is written or shown. The store write is
/// awaited, so an event is durable before `emit` returns; live subscribers get it after that, through
/// a buffered stream each, and a slow subscriber never blocks the run (its oldest events are dropped
/// past the buffer).
public actor EventBroadcaster {
    private let store: RunStore?
    private let redact: @Sendable (String) -> String
    private var subscribers: [Int: AsyncStream<RunEvent>.Continuation] = [:]
    private var nextSubscriber = 0
    private var storeFailures = 0
    /// The first store error, kept so the run can report that its log is incomplete.
    public private(set) var firstStoreError: String?

    public init(store: RunStore?, redact: @escaping @Sendable (String) -> String = { $0 }) {
        self.store = store
        self.redact = redact
    }

    /// Redacts, stores (and audits where the event calls for it), then notifies subscribers.
    public func emit(_ event: RunEvent) async {
        let clean = event.mappingStrings(redact)
        if let store, !clean.isRecordedByStore {
            do {
                try await store.appendEvent(clean.runID, kind: clean.kind, payload: clean.payload, audited: clean.isAudited)
            } catch {
                storeFailures += 1
                if firstStoreError == nil { firstStoreError = "\(error)" }
            }
        }
        for continuation in subscribers.values { continuation.yield(clean) }
    }

    /// A live stream of the events emitted from now on. It ends when the run finishes.
    public func subscribe(bufferingNewest limit: Int = 4096) -> AsyncStream<RunEvent> {
        let (stream, continuation) = AsyncStream<RunEvent>.makeStream(bufferingPolicy: .bufferingNewest(limit))
        nextSubscriber += 1
        let id = nextSubscriber
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    /// Ends every subscriber's stream.
    public func finish() {
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    private func unsubscribe(_ id: Int) {
        subscribers.removeValue(forKey: id)
    }
}

extension RunEvent {
    /// The same event with every free-text string passed through `transform` (names of agents and
    /// tools included: a secret has no business there either).
    func mappingStrings(_ transform: (String) -> String) -> RunEvent {
        let t = transform
        var copy = self
        switch body {
        case .runStarted(let workflow, let task, let engine):
            copy.body = .runStarted(workflow: t(workflow), task: t(task), engine: engine)
        case .runFinished(let status, let reason):
            copy.body = .runFinished(status: status, reason: reason.map(t))
        case .iterationStarted, .iterationFinished, .budget:
            break
        case .decision(let manager, let iteration, let decision, let workers, let reasoning):
            copy.body = .decision(manager: t(manager), iteration: iteration, decision: decision, workers: workers.map(t),
                                  reasoning: reasoning.map(t))
        case .workerStarted(let worker, let iteration, let role):
            copy.body = .workerStarted(worker: t(worker), iteration: iteration, role: role)
        case .workerFinished(let worker, let status, let confidence):
            copy.body = .workerFinished(worker: t(worker), status: status, confidence: confidence)
        case .toolCall(let agent, let tool, let ok, let latencyMs, let detail):
            copy.body = .toolCall(agent: t(agent), tool: t(tool), ok: ok, latencyMs: latencyMs, detail: detail.map(t))
        case .llmCall:
            break
        case .policyDecision(let subject, let action, let allowed, let reason):
            copy.body = .policyDecision(subject: t(subject), action: t(action), allowed: allowed, reason: t(reason))
        case .artifact(let path, let size, let sha256):
            copy.body = .artifact(path: t(path), size: size, sha256: sha256)
        case .nodeSkipped(let node, let reason):
            copy.body = .nodeSkipped(node: t(node), reason: t(reason))
        case .toolCreated(let name, let worker, let registered, let detail):
            copy.body = .toolCreated(name: t(name), worker: t(worker), registered: registered, detail: detail.map(t))
        case .subManager(let worker, let childRunID, let depth, let status):
            copy.body = .subManager(worker: t(worker), childRunID: childRunID, depth: depth, status: status)
        case .log(let level, let message):
            copy.body = .log(level: level, message: t(message))
        }
        return copy
    }
}
