public import AWPCore
public import AWPSandbox
import Foundation

/// Who is calling a tool, and under which rules: the worker (or DAG agent), its allow and deny
/// lists, its own sandboxed executor, the ledger it charges and where its calls are logged.
public struct ToolCaller: Sendable {
    public var runID: String
    public var depth: Int
    /// The worker or agent id, as policies and events name it.
    public var subject: String
    /// The stable prefix of this caller's step keys (`iteration-2/worker-analyst`); a call's key is
    /// `<prefix>/tool-<n>`, so a resumed run finds the same keys.
    public var stepPrefix: String
    public var iteration: Int?
    /// Patterns the caller may use; nil allows everything not forbidden.
    public var allowed: [String]?
    public var forbidden: [String]
    /// The caller's warm interpreter for `code.execute`; nil when code execution is not granted.
    public var executor: WarmExecutor?
    /// Where `tool.create` may register tools (`*` for any allowed namespace); nil when tool creation is off.
    public var toolNamespace: String?
    /// How many tools this caller may still create.
    public var maxToolsCreated: Int
    /// Seconds a `code.execute` snippet may run at most.
    public var codeTimeoutSeconds: Double
    public var ledger: BudgetLedger
    public var gate: PolicyGate
    public var events: EventBroadcaster

    public init(runID: String, depth: Int, subject: String, stepPrefix: String, iteration: Int?, allowed: [String]?,
                forbidden: [String], executor: WarmExecutor?, toolNamespace: String?, maxToolsCreated: Int = 10,
                codeTimeoutSeconds: Double = 120, ledger: BudgetLedger, gate: PolicyGate, events: EventBroadcaster) {
        self.runID = runID
        self.depth = depth
        self.subject = subject
        self.stepPrefix = stepPrefix
        self.iteration = iteration
        self.allowed = allowed
        self.forbidden = forbidden
        self.executor = executor
        self.toolNamespace = toolNamespace
        self.maxToolsCreated = maxToolsCreated
        self.codeTimeoutSeconds = codeTimeoutSeconds
        self.ledger = ledger
        self.gate = gate
        self.events = events
    }
}

/// What a tool call produced, as the model will read it. Failures the model can act on (a refused
/// tool, a Python traceback, a missing file) are outcomes with `isError`, not thrown errors.
public struct ToolOutcome: Sendable, Equatable {
    public var isError: Bool
    /// A JSON object: `{ok, …}` for built-ins, the tool's structured result otherwise.
    public var value: JSONValue

    public init(isError: Bool, value: JSONValue) {
        self.isError = isError
        self.value = value
    }

    public static func failure(_ message: String, status: Int = 400) -> ToolOutcome {
        ToolOutcome(isError: true, value: ["ok": false, "status": .integer(status), "error": .string(message)])
    }

    /// The text handed back to the model (bounded, so one chatty tool cannot flood the context).
    public func text(limit: Int = 24_000) -> String {
        let text = value.serialized()
        guard text.utf8.count > limit else { return text }
        return String(decoding: Array(text.utf8.prefix(limit)), as: UTF8.self) + "…[truncated]"
    }
}

/// Provider tool names allow `[A-Za-z0-9_-]` only (OpenAI, Anthropic, Gemini); AWP names use dots.
/// Dots become `__` on the wire and back.
public enum ToolWireName {
    public static func encode(_ name: String) -> String {
        name.replacingOccurrences(of: ".", with: "__")
    }

    public static func decode(_ name: String) -> String {
        name.replacingOccurrences(of: "__", with: ".")
    }
}
