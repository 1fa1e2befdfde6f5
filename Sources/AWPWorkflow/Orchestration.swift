public import AWPCore
internal import AWPYAML

/// The `orchestration` section: which engine runs the workflow and how (digest §B.5).
public struct Orchestration: Sendable {
    /// `dag` (the default) or `delegation_loop`; any other string is kept and reported by the validator.
    public var engine: String
    public var graph: [GraphNode]
    public var execution: ExecutionConfig
    public var subworkflows: JSONValue?
    public var delegationLoop: DelegationLoopConfig?
    public var runBudget: RunBudgetLimits?
    public var contextBudget: ContextBudget
    /// Deterministic phases (rule R33); nil when the key is absent.
    public var phases: [PhaseDefinition]?
    public var extras: [ExtraField]
    public var locations: FieldLocations

    public var isDelegationLoop: Bool { engine == "delegation_loop" }
}

/// `orchestration.execution` (digest §B.6).
public struct ExecutionConfig: Sendable {
    public var mode: String = "parallel"
    public var timeoutPerAgent: Int = 120
    public var timeoutTotal: Int = 300
    public var maxParallelAgents: Int = 4
    public var errorHandlingDefault: String = "continue"
    public var maxRetries: Int = 1
    public var retryDelay: Double = 2.0
    public var fallbackAgent: String?
    /// `levels` or `ready_queue`.
    public var scheduler: String = "levels"
}

/// `orchestration.run_budget`: limits for a DAG run (digest §B.5.2).
public struct RunBudgetLimits: Sendable {
    public var maxWallTime: Double = 600
    public var maxTotalTokens: Int = 10_000_000
    public var maxToolCalls: Int = 1500
    public var maxAgentRuns: Int = 50
    public var maxCostUSD: Double = 5.0
    public var enabledLimits: [String] = [
        "max_wall_time", "max_total_tokens", "max_tool_calls", "max_agent_runs", "max_cost_usd",
    ]
}

/// How much prior context a prompt may carry (`context_budget`).
public struct ContextBudget: Sendable {
    public var totalChars: Int = 64000
    public var minPerEntry: Int = 4000
    public var previewChars: Int = 2000

    static func read(_ reader: MappingReader?) -> ContextBudget {
        var budget = ContextBudget()
        guard let reader else { return budget }
        budget.totalChars = reader.int("total_chars", default: budget.totalChars)
        budget.minPerEntry = reader.int("min_per_entry", default: budget.minPerEntry)
        budget.previewChars = reader.int("preview_chars", default: budget.previewChars)
        reader.finish()
        return budget
    }
}

/// One entry of `orchestration.phases`, kept as written; rule R33 checks it.
public struct PhaseDefinition: Sendable {
    public var index: Int
    /// The entry as data; nil-safe accessors below read its fields.
    public var value: JSONValue
    public var location: SourceLocation
    /// Where each key of the entry was written.
    public var locations: FieldLocations

    public var id: String? { value["id"]?.stringValue }
    /// The phase type as written; absent or null means `llm`, and a non-string shows as its JSON text.
    public var type: String {
        switch value["type"] {
        case nil, .null?: "llm"
        case .string(let text)?: text
        case let other?: other.serialized()
        }
    }
}

extension Orchestration {
    static func read(_ reader: MappingReader) -> Orchestration {
        let context = reader.context
        var graph: [GraphNode] = []
        for (index, item) in (reader.list("graph") ?? []).enumerated() {
            if let node = MappingReader(item, path: "orchestration.graph[\(index)]", context: context) {
                graph.append(GraphNode.read(node, index: index))
            }
        }
        var phases: [PhaseDefinition]?
        if let items = reader.list("phases") {
            phases = []
            for (index, item) in items.enumerated() {
                guard let entry = MappingReader(item, path: "orchestration.phases[\(index)]", context: context)
                else { continue }
                phases?.append(
                    PhaseDefinition(
                        index: index,
                        value: item.jsonValue,
                        location: context.location(of: item),
                        locations: entry.locations
                    )
                )
            }
        }
        var orchestration = Orchestration(
            engine: reader.string("engine") ?? "dag",
            graph: graph,
            execution: ExecutionConfig.read(reader.mapping("execution")),
            subworkflows: reader.json("subworkflows"),
            delegationLoop: reader.mapping("delegation_loop").map(DelegationLoopConfig.read),
            runBudget: reader.mapping("run_budget").map(RunBudgetLimits.read),
            contextBudget: ContextBudget.read(reader.mapping("context_budget")),
            phases: phases,
            extras: [],
            locations: reader.locations
        )
        orchestration.extras = reader.finish(note: "kept as data")
        return orchestration
    }
}

extension ExecutionConfig {
    static func read(_ reader: MappingReader?) -> ExecutionConfig {
        var config = ExecutionConfig()
        guard let reader else { return config }
        config.mode = reader.string("mode", default: config.mode)
        if let timeout = reader.mapping("timeout") {
            config.timeoutPerAgent = timeout.int("per_agent", default: config.timeoutPerAgent)
            config.timeoutTotal = timeout.int("total", default: config.timeoutTotal)
            timeout.finish()
        }
        config.maxParallelAgents = reader.int("max_parallel_agents", default: config.maxParallelAgents)
        if let handling = reader.mapping("error_handling") {
            config.errorHandlingDefault = handling.string("default", default: config.errorHandlingDefault)
            config.maxRetries = handling.int("max_retries", default: config.maxRetries)
            config.retryDelay = handling.double("retry_delay", default: config.retryDelay)
            config.fallbackAgent = handling.string("fallback_agent")
            handling.finish(note: "ignored")
        }
        if let scheduler = reader.string("scheduler") {
            if scheduler == "levels" || scheduler == "ready_queue" {
                config.scheduler = scheduler
            } else {
                reader.context.error(
                    "'orchestration.execution.scheduler' must be 'levels' or 'ready_queue', got '\(scheduler)'",
                    at: reader.value("scheduler")
                )
            }
        }
        reader.finish(note: "ignored")
        return config
    }
}

extension RunBudgetLimits {
    static func read(_ reader: MappingReader) -> RunBudgetLimits {
        var limits = RunBudgetLimits()
        limits.maxWallTime = reader.double("max_wall_time", default: limits.maxWallTime)
        limits.maxTotalTokens = reader.int("max_total_tokens", default: limits.maxTotalTokens)
        limits.maxToolCalls = reader.int("max_tool_calls", default: limits.maxToolCalls)
        limits.maxAgentRuns = reader.int("max_agent_runs", default: limits.maxAgentRuns)
        limits.maxCostUSD = reader.double("max_cost_usd", default: limits.maxCostUSD)
        limits.enabledLimits = reader.strings("enabled_limits", default: limits.enabledLimits)
        reader.finish(note: "ignored")
        return limits
    }
}
