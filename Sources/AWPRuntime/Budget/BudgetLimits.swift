public import AWPCore

/// A dimension of a run's budget. The raw values are the names used in terminal reasons
/// (`max_tokens`, …) without the `max_` prefix.
public enum BudgetDimension: String, Sendable, CaseIterable, Hashable {
    case loops
    case workers
    case llmCalls = "llm_calls"
    case tokens
    case cost
    case toolCalls = "tool_calls"
    case wallTime = "wall_time"
    case depth

    /// The terminal reason for a run that ran out of this dimension: `max_loops`, `max_total_tokens`, …
    /// (the reference's names, so tools that read them keep working).
    public var terminationReason: String {
        switch self {
        case .loops: "max_loops"
        case .workers: "max_total_workers"
        case .llmCalls: "max_llm_calls"
        case .tokens: "max_total_tokens"
        case .cost: "max_cost_usd"
        case .toolCalls: "max_tool_calls"
        case .wallTime: "max_wall_time"
        case .depth: "max_depth"
        }
    }
}

/// The caps of one ledger. `nil` means unlimited. Wall time is in seconds.
public struct BudgetLimits: Sendable, Equatable {
    public var maxLoops: Int?
    public var maxWorkers: Int?
    public var maxLLMCalls: Int?
    public var maxTokens: Int?
    public var maxCostUSD: Double?
    public var maxToolCalls: Int?
    public var maxWallSeconds: Double?
    /// The deepest manager level allowed: 1 means the root manager only (no sub-managers).
    public var maxDepth: Int?

    public init(maxLoops: Int? = nil, maxWorkers: Int? = nil, maxLLMCalls: Int? = nil, maxTokens: Int? = nil,
                maxCostUSD: Double? = nil, maxToolCalls: Int? = nil, maxWallSeconds: Double? = nil, maxDepth: Int? = nil) {
        self.maxLoops = maxLoops
        self.maxWorkers = maxWorkers
        self.maxLLMCalls = maxLLMCalls
        self.maxTokens = maxTokens
        self.maxCostUSD = maxCostUSD
        self.maxToolCalls = maxToolCalls
        self.maxWallSeconds = maxWallSeconds
        self.maxDepth = maxDepth
    }

    /// The cap of an integer dimension.
    public func limit(_ dimension: BudgetDimension) -> Double? {
        switch dimension {
        case .loops: maxLoops.map(Double.init)
        case .workers: maxWorkers.map(Double.init)
        case .llmCalls: maxLLMCalls.map(Double.init)
        case .tokens: maxTokens.map(Double.init)
        case .cost: maxCostUSD
        case .toolCalls: maxToolCalls.map(Double.init)
        case .wallTime: maxWallSeconds
        case .depth: maxDepth.map(Double.init)
        }
    }

    public var json: JSONValue {
        .object(compacting: [
            "maxLoops": maxLoops.map(JSONValue.integer), "maxWorkers": maxWorkers.map(JSONValue.integer),
            "maxLLMCalls": maxLLMCalls.map(JSONValue.integer), "maxTokens": maxTokens.map(JSONValue.integer),
            "maxCostUSD": maxCostUSD.map(JSONValue.number), "maxToolCalls": maxToolCalls.map(JSONValue.integer),
            "maxWallSeconds": maxWallSeconds.map(JSONValue.number), "maxDepth": maxDepth.map(JSONValue.integer),
        ])
    }
}

/// What a ledger has used so far (committed, plus what is reserved by calls in flight and child ledgers).
public struct BudgetUsage: Sendable, Equatable {
    public var loops = 0
    public var workers = 0
    public var llmCalls = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var costUSD = 0.0
    public var toolCalls = 0

    public init() {}

    public var tokens: Int { inputTokens + outputTokens }

    public func value(_ dimension: BudgetDimension) -> Double {
        switch dimension {
        case .loops: Double(loops)
        case .workers: Double(workers)
        case .llmCalls: Double(llmCalls)
        case .tokens: Double(tokens)
        case .cost: costUSD
        case .toolCalls: Double(toolCalls)
        case .wallTime, .depth: 0
        }
    }

    static func + (lhs: BudgetUsage, rhs: BudgetUsage) -> BudgetUsage {
        var sum = lhs
        sum.loops += rhs.loops
        sum.workers += rhs.workers
        sum.llmCalls += rhs.llmCalls
        sum.inputTokens += rhs.inputTokens
        sum.outputTokens += rhs.outputTokens
        sum.costUSD += rhs.costUSD
        sum.toolCalls += rhs.toolCalls
        return sum
    }

    public var json: JSONValue {
        ["loops": .integer(loops), "workers": .integer(workers), "llmCalls": .integer(llmCalls),
         "inputTokens": .integer(inputTokens), "outputTokens": .integer(outputTokens), "costUSD": .number(costUSD),
         "toolCalls": .integer(toolCalls)]
    }
}

/// The ledger refused a charge: `dimension` would go past its cap.
public struct BudgetExhausted: Error, Sendable, Equatable, CustomStringConvertible {
    public var dimension: BudgetDimension
    public var used: Double
    public var limit: Double
    public var requested: Double

    public init(dimension: BudgetDimension, used: Double, limit: Double, requested: Double) {
        self.dimension = dimension
        self.used = used
        self.limit = limit
        self.requested = requested
    }

    public var description: String {
        "budget exhausted: \(dimension.terminationReason) (used \(format(used)) of \(format(limit)), needed \(format(requested)) more)"
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\((value * 10_000).rounded() / 10_000)"
    }
}
