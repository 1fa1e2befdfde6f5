public import AWPCore
public import AWPStore
import Foundation

/// Something that happened in a run, as the engines report it.
///
/// Every subscriber (the store, the CLI renderer, Studio, the trace exporter) sees the same typed
/// values; `kind` and `payload` are the stored form. Payloads never carry secret values: the
/// broadcaster redacts every string before anything sees it.
public struct RunEvent: Sendable {
    public var runID: String
    /// Milliseconds since the epoch.
    public var at: Int64
    /// How deep in the sub-manager tree the emitter is (0 for the root run).
    public var depth: Int
    public var body: Body

    public init(runID: String, depth: Int = 0, at: Int64 = Timestamp.milliseconds(), _ body: Body) {
        self.runID = runID
        self.depth = depth
        self.at = at
        self.body = body
    }

    /// What happened.
    public enum Body: Sendable {
        case runStarted(workflow: String, task: String, engine: String)
        case runFinished(status: String, reason: String?)
        case iterationStarted(iteration: Int)
        case iterationFinished(iteration: Int, confidence: Double?)
        /// A manager's decision: `delegate`, `complete`, `fail`, `plan`, with the workers it named.
        case decision(manager: String, iteration: Int, decision: String, workers: [String], reasoning: String?)
        case workerStarted(worker: String, iteration: Int?, role: String)
        case workerFinished(worker: String, status: String, confidence: Double?)
        case toolCall(agent: String, tool: String, ok: Bool, latencyMs: Int, detail: String?)
        case llmCall(agent: String, model: String, inputTokens: Int, outputTokens: Int, costUSD: Double, latencyMs: Int,
                     source: String)
        case policyDecision(subject: String, action: String, allowed: Bool, reason: String)
        /// The ledger refused or ran out of a dimension (`tokens`, `loops`, …).
        case budget(dimension: String, action: String, used: Double, limit: Double)
        case artifact(path: String, size: Int, sha256: String)
        case nodeSkipped(node: String, reason: String)
        case toolCreated(name: String, worker: String, registered: Bool, detail: String?)
        case subManager(worker: String, childRunID: String, depth: Int, status: String?)
        case log(level: String, message: String)
    }

    /// The store's name for this event.
    public var kind: EventKind {
        switch body {
        case .runStarted: "run.started"
        case .runFinished: "run.finished"
        case .iterationStarted: .iterationStarted
        case .iterationFinished: .iterationFinished
        case .decision: "manager.decision"
        case .workerStarted: .workerStarted
        case .workerFinished: .workerFinished
        case .toolCall: "tool.call"
        case .llmCall: "llm.call"
        case .policyDecision: .policyDecision
        case .budget: .budget
        case .artifact: .artifactRecorded
        case .nodeSkipped: "node.skipped"
        case .toolCreated: "tool.created"
        case .subManager: "submanager"
        case .log: "log"
        }
    }

    /// Whether the event belongs in the tamper-evident audit chain as well as the event log.
    /// The store writes these itself, in the transaction that creates or finishes the run (and audits
    /// them), so the broadcaster only fans them out: stored twice, every run's log began and ended twice.
    public var isRecordedByStore: Bool {
        switch body {
        case .runStarted, .runFinished: true
        default: false
        }
    }

    public var isAudited: Bool {
        switch body {
        case .policyDecision, .budget, .toolCreated: true
        default: false
        }
    }

    /// The stored payload: a flat JSON object.
    public var payload: JSONValue {
        var fields: [(String, JSONValue?)]
        switch body {
        case .runStarted(let workflow, let task, let engine):
            fields = [("workflow", .string(workflow)), ("task", .string(task)), ("engine", .string(engine))]
        case .runFinished(let status, let reason):
            fields = [("status", .string(status)), ("terminationReason", reason.map(JSONValue.string))]
        case .iterationStarted(let iteration):
            fields = [("iteration", .integer(iteration))]
        case .iterationFinished(let iteration, let confidence):
            fields = [("iteration", .integer(iteration)), ("confidence", confidence.map(JSONValue.number))]
        case .decision(let manager, let iteration, let decision, let workers, let reasoning):
            fields = [("manager", .string(manager)), ("iteration", .integer(iteration)), ("decision", .string(decision)),
                      ("workers", .array(workers.map(JSONValue.string))), ("reasoning", reasoning.map(JSONValue.string))]
        case .workerStarted(let worker, let iteration, let role):
            fields = [("worker", .string(worker)), ("iteration", iteration.map(JSONValue.integer)), ("role", .string(role))]
        case .workerFinished(let worker, let status, let confidence):
            fields = [("worker", .string(worker)), ("status", .string(status)),
                      ("confidence", confidence.map(JSONValue.number))]
        case .toolCall(let agent, let tool, let ok, let latencyMs, let detail):
            fields = [("agent", .string(agent)), ("tool", .string(tool)), ("ok", .bool(ok)),
                      ("latencyMs", .integer(latencyMs)), ("detail", detail.map(JSONValue.string))]
        case .llmCall(let agent, let model, let inputTokens, let outputTokens, let costUSD, let latencyMs, let source):
            fields = [("agent", .string(agent)), ("model", .string(model)), ("inputTokens", .integer(inputTokens)),
                      ("outputTokens", .integer(outputTokens)), ("costUSD", .number(costUSD)),
                      ("latencyMs", .integer(latencyMs)), ("source", .string(source))]
        case .policyDecision(let subject, let action, let allowed, let reason):
            fields = [("subject", .string(subject)), ("action", .string(action)), ("allowed", .bool(allowed)),
                      ("reason", .string(reason))]
        case .budget(let dimension, let action, let used, let limit):
            fields = [("dimension", .string(dimension)), ("action", .string(action)), ("used", .number(used)),
                      ("limit", .number(limit))]
        case .artifact(let path, let size, let sha256):
            fields = [("path", .string(path)), ("size", .integer(size)), ("sha256", .string(sha256))]
        case .nodeSkipped(let node, let reason):
            fields = [("node", .string(node)), ("reason", .string(reason))]
        case .toolCreated(let name, let worker, let registered, let detail):
            fields = [("name", .string(name)), ("worker", .string(worker)), ("registered", .bool(registered)),
                      ("detail", detail.map(JSONValue.string))]
        case .subManager(let worker, let childRunID, let depth, let status):
            fields = [("worker", .string(worker)), ("childRunId", .string(childRunID)), ("depth", .integer(depth)),
                      ("status", status.map(JSONValue.string))]
        case .log(let level, let message):
            fields = [("level", .string(level)), ("message", .string(message))]
        }
        if depth > 0 { fields.append(("depth", .integer(depth))) }
        return .object(fields.compactMap { key, value in value.map { (key: key, value: $0) } })
    }
}
