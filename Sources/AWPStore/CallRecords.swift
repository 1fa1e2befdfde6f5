public import AWPCore

/// The life of one LLM or tool call attempt.
///
/// A call is written `started` before it is sent and `completed` (or `failed`) when it returns, in
/// separate transactions, so after a crash the store tells finished work from work in flight.
public enum CallStatus: String, Sendable, CaseIterable {
    case started
    case completed
    case failed
    /// Was `started` when its run died; set by `RunStore.markResumed`. The step runs again.
    case interrupted
}

/// Where a completed LLM call's response came from.
public enum ResponseSource: String, Sendable, CaseIterable {
    /// The provider answered (tokens were paid).
    case provider
    /// The response cache answered (no tokens paid).
    case cache
}

/// Token counts of one call, or totals.
public struct TokenUsage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Input tokens the provider served from its own prompt cache (billed at a discount).
    public var cachedInputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    public static let zero = TokenUsage()
}

/// An LLM call about to be sent.
public struct NewLLMCall: Sendable {
    public var runID: String
    /// A key that names this call's place in the run and is the same when the run is replayed
    /// (`manager/iteration-3/llm-0`, `node:summarize/llm-1`). Resume looks calls up by it.
    public var stepKey: String
    public var request: CanonicalRequest
    /// The agent or worker making the call, for the run tree and trace parenting.
    public var agent: String?
    public var iteration: Int?
    /// The cache decision taken for this call (from `RunStore.cacheLookup`), recorded for
    /// `awp explain-cache`.
    public var cacheDecision: CacheDecision?

    public init(
        runID: String,
        stepKey: String,
        request: CanonicalRequest,
        agent: String? = nil,
        iteration: Int? = nil,
        cacheDecision: CacheDecision? = nil
    ) {
        self.runID = runID
        self.stepKey = stepKey
        self.request = request
        self.agent = agent
        self.iteration = iteration
        self.cacheDecision = cacheDecision
    }
}

/// An LLM call as stored.
public struct LLMCallRecord: Sendable, Equatable {
    public var runID: String
    /// Position among the run's LLM calls, from 1.
    public var seq: Int
    public var stepKey: String
    /// 1 for the first attempt at `stepKey`, 2 after a retry or an interrupted attempt, ….
    public var attempt: Int
    public var agent: String?
    public var iteration: Int?
    public var provider: String
    public var model: String
    /// `CanonicalRequest.hash`: the cache key without its namespace.
    public var requestHash: String
    public var status: CallStatus
    public var usage: TokenUsage
    public var costUSD: Double
    public var latencyMs: Int?
    public var requestBlob: String?
    public var responseBlob: String?
    public var source: ResponseSource
    public var cacheDecision: CacheDecision?
    public var error: String?
    public var startedAt: Int64
    public var endedAt: Int64?
}

/// A tool call about to be made.
public struct NewToolCall: Sendable {
    public var runID: String
    /// Same role as `NewLLMCall.stepKey` (`worker-2/iteration-1/tool-0`).
    public var stepKey: String
    public var plugin: String
    public var tool: String
    /// True when the tool changes the world (writes files, calls an API with effects). Mutating
    /// calls are never replayed from a cache; completed ones are not repeated on resume.
    public var isMutating: Bool
    public var arguments: JSONValue
    public var agent: String?
    public var iteration: Int?

    public init(
        runID: String,
        stepKey: String,
        plugin: String,
        tool: String,
        isMutating: Bool,
        arguments: JSONValue,
        agent: String? = nil,
        iteration: Int? = nil
    ) {
        self.runID = runID
        self.stepKey = stepKey
        self.plugin = plugin
        self.tool = tool
        self.isMutating = isMutating
        self.arguments = arguments
        self.agent = agent
        self.iteration = iteration
    }
}

/// A tool call as stored.
public struct ToolCallRecord: Sendable, Equatable {
    public var runID: String
    /// Position among the run's tool calls, from 1.
    public var seq: Int
    public var stepKey: String
    public var attempt: Int
    public var agent: String?
    public var iteration: Int?
    public var plugin: String
    public var tool: String
    public var isMutating: Bool
    public var status: CallStatus
    /// The tool reported an error result (MCP `isError`): data handed back to the model, the call
    /// itself completed.
    public var isError: Bool
    public var argumentsBlob: String?
    public var resultBlob: String?
    public var latencyMs: Int?
    public var error: String?
    public var startedAt: Int64
    public var endedAt: Int64?
}

/// A completed call's record together with its stored response, for replay on resume.
public struct ReplayableCall<Record: Sendable & Equatable>: Sendable, Equatable {
    public var record: Record
    /// The response (LLM) or result (tool) exactly as recorded.
    public var response: JSONValue
}
