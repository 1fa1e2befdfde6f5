public import AWPCore
internal import AWPYAML

/// `orchestration.delegation_loop`: a manager that delegates to workers under a budget (digest §B.8).
public struct DelegationLoopConfig: Sendable {
    /// The manager agent directory relative to the workflow (`agents/manager`); empty when absent.
    public var manager: String
    public var managerModel: String?
    public var workerModel: String?
    public var workerPolicy: WorkerPolicy
    public var budget: DelegationBudget
    public var contextBudget: ContextBudget
    public var critique: CritiqueConfig
    public var planningEnabled: Bool
    public var maxSubtasks: Int
    public var diagnosisEnabled: Bool
    public var forbiddenInheritanceKeys: [String]
    /// The other documented toggles (`termination`, `validation`, `history`, `logging`, …), kept as data.
    public var options: [String: JSONValue]
    public var extras: [ExtraField]
    public var locations: FieldLocations

    /// Keys of the section that AWP 1.0 documents and this model keeps as data.
    static let optionKeys = [
        "termination", "validation", "history", "logging", "budget_reservation", "decision_journal",
        "blackboard_enabled", "blackboard_auto_post", "digest_enabled", "digest_mode", "digest_max_depth",
        "auto_curation_enabled", "trace_enabled", "manager_context_budget_tokens",
        "manager_context_compress_threshold", "pipeline_critique_planning", "parallel_gate_chain",
        "token_budget_reservation", "output_contract", "auto_promotion",
    ]
}

/// `worker_policy`: the envelope every worker runs in (digest §B.8.1).
public struct WorkerPolicy: Sendable {
    public static let defaultManagerControlled = [
        "instructions", "skills", "tools_allowed", "output_contract", "codemode.enabled", "codemode.tool_creation",
        "temperature",
    ]
    public static let defaultForbiddenTools = ["file.write_outside_workspace", "shell.execute"]

    /// True when the workflow writes a `worker_policy` section (rather than taking the defaults).
    public var isDeclared: Bool = false
    /// True when the section declares `enforced` limits.
    public var declaresEnforced: Bool = false
    public var sandboxType: String = "subprocess"
    public var maxMemoryMB: Int = 512
    public var maxCPUSeconds: Int = 30
    public var allowsNetwork: Bool = false
    public var maxToolsPerWorker: Int = 10
    public var maxLLMCallsPerMinute: Int = 30
    public var forbiddenTools: [String] = WorkerPolicy.defaultForbiddenTools
    public var managerControlled: [String] = WorkerPolicy.defaultManagerControlled
    public var locations = FieldLocations()
}

/// `budget`: the limits of a delegation run (digest §B.8.2).
public struct DelegationBudget: Sendable {
    /// True when the workflow writes a `budget` section.
    public var isDeclared: Bool = false
    public var maxLoops: Int = 100
    public var maxTotalWorkers: Int = 500
    public var maxTotalTokens: Int = 10_000_000
    public var maxWallTime: Double = 3600
    public var maxToolCalls: Int = 1500
    public var maxDepth: Int = 4
    public var maxConcurrentSubmanagers: Int = 3
    public var maxTotalSubmanagersPerRun: Int = 6
    public var maxParallelWorkers: Int = 16
    public var maxWorkersPerIteration: Int = 6
    public var maxRejectedCompletions: Int = 2
    public var minLoopsPerSubtask: Int = 3
    /// An awp-swift extension: a spending cap in US dollars (nil = none).
    public var maxCostUSD: Double?
    public var locations = FieldLocations()
}

/// `critique`: a reviewer pass over worker results (digest §B.8.3).
public struct CritiqueConfig: Sendable {
    public var isEnabled: Bool = false
    public var mode: String = "inline"
    public var model: String?
    public var maxRepairAttempts: Int = 2
    public var repairBudgetFraction: Double = 0.15
    public var minScoreToComplete: Double = 0.6
    public var options: [String: JSONValue] = [:]
}

extension DelegationLoopConfig {
    static func read(_ reader: MappingReader) -> DelegationLoopConfig {
        var models = (manager: String?.none, worker: String?.none)
        if let section = reader.mapping("models") {
            models = (section.string("manager"), section.string("worker"))
            section.finish()
        }
        var planning = (enabled: false, maxSubtasks: 10)
        if let section = reader.mapping("planning") {
            planning = (section.bool("enabled", default: false), section.int("max_subtasks", default: 10))
            _ = section.string("plan_commit_mode")
            section.finish()
        }
        var diagnosis = false
        if let section = reader.mapping("diagnosis") {
            diagnosis = section.bool("enabled", default: false)
            _ = section.int("max_hypotheses")
            _ = section.double("confidence_threshold")
            section.finish()
        }
        var options: [String: JSONValue] = [:]
        for key in optionKeys {
            if let value = reader.json(key) { options[key] = value }
        }
        var config = DelegationLoopConfig(
            manager: reader.string("manager") ?? "",
            managerModel: models.manager,
            workerModel: models.worker,
            workerPolicy: WorkerPolicy.read(reader.mapping("worker_policy")),
            budget: DelegationBudget.read(reader.mapping("budget")),
            contextBudget: ContextBudget.read(reader.mapping("context_budget")),
            critique: CritiqueConfig.read(reader.mapping("critique")),
            planningEnabled: planning.enabled,
            maxSubtasks: planning.maxSubtasks,
            diagnosisEnabled: diagnosis,
            forbiddenInheritanceKeys: reader.strings("forbidden_inheritance_keys", default: []),
            options: options,
            extras: [],
            locations: reader.locations
        )
        config.extras = reader.finish(note: "kept as data")
        return config
    }
}

extension WorkerPolicy {
    static func read(_ reader: MappingReader?) -> WorkerPolicy {
        var policy = WorkerPolicy()
        guard let reader else { return policy }
        policy.isDeclared = true
        policy.locations = reader.locations
        if let enforced = reader.mapping("enforced") {
            policy.declaresEnforced = true
            if let sandbox = enforced.mapping("sandbox") {
                policy.sandboxType = sandbox.string("type", default: policy.sandboxType)
                policy.maxMemoryMB = sandbox.int("max_memory_mb", default: policy.maxMemoryMB)
                policy.maxCPUSeconds = sandbox.int("max_cpu_seconds", default: policy.maxCPUSeconds)
                policy.allowsNetwork = sandbox.bool("network", default: false)
                sandbox.finish()
            }
            if let codemode = enforced.mapping("codemode") {
                policy.maxToolsPerWorker = codemode.int("max_tools_per_worker", default: policy.maxToolsPerWorker)
                codemode.finish()
            }
            if let rate = enforced.mapping("rate_limiting") {
                policy.maxLLMCallsPerMinute = rate.int("max_llm_calls_per_minute", default: policy.maxLLMCallsPerMinute)
                rate.finish()
            }
            policy.forbiddenTools = enforced.strings("forbidden_tools", default: policy.forbiddenTools)
            enforced.finish()
        }
        policy.managerControlled = reader.strings("manager_controlled", default: policy.managerControlled)
        reader.finish()
        return policy
    }
}

extension DelegationBudget {
    static func read(_ reader: MappingReader?) -> DelegationBudget {
        var budget = DelegationBudget()
        guard let reader else { return budget }
        budget.isDeclared = true
        budget.maxLoops = reader.int("max_loops", default: budget.maxLoops)
        budget.maxTotalWorkers = reader.int("max_total_workers", default: budget.maxTotalWorkers)
        budget.maxTotalTokens = reader.int("max_total_tokens", default: budget.maxTotalTokens)
        budget.maxWallTime = reader.double("max_wall_time", default: budget.maxWallTime)
        budget.maxToolCalls = reader.int("max_tool_calls", default: budget.maxToolCalls)
        if let node = reader.value("max_depth") {
            if node.isNull {
                reader.context.error("'\(reader.childPath("max_depth"))' must be an integer, got null", at: node)
            } else if let depth = reader.readInt(node, path: reader.childPath("max_depth")) {
                budget.maxDepth = depth
            }
        }
        budget.maxConcurrentSubmanagers = reader.int("max_concurrent_submanagers", default: budget.maxConcurrentSubmanagers)
        budget.maxTotalSubmanagersPerRun = reader.int(
            "max_total_submanagers_per_run",
            default: budget.maxTotalSubmanagersPerRun
        )
        budget.maxParallelWorkers = reader.int("max_parallel_workers", default: budget.maxParallelWorkers)
        budget.maxWorkersPerIteration = reader.int("max_workers_per_iteration", default: budget.maxWorkersPerIteration)
        budget.maxRejectedCompletions = reader.int("max_rejected_completions", default: budget.maxRejectedCompletions)
        budget.minLoopsPerSubtask = reader.int("min_loops_per_subtask", default: budget.minLoopsPerSubtask)
        budget.maxCostUSD = reader.double("max_cost_usd")
        budget.locations = reader.locations
        reader.finish()
        return budget
    }
}

extension CritiqueConfig {
    static func read(_ reader: MappingReader?) -> CritiqueConfig {
        var critique = CritiqueConfig()
        guard let reader else { return critique }
        critique.isEnabled = reader.bool("enabled", default: false)
        critique.mode = reader.string("mode", default: critique.mode)
        critique.model = reader.string("model")
        critique.maxRepairAttempts = reader.int("max_repair_attempts", default: critique.maxRepairAttempts)
        critique.repairBudgetFraction = reader.double("repair_budget_fraction", default: critique.repairBudgetFraction)
        critique.minScoreToComplete = reader.double("min_score_to_complete", default: critique.minScoreToComplete)
        for key in [
            "pattern_memory", "defect_categories", "defect_category_hard_cap", "defect_category_diagnose_threshold",
            "phase_aware_incomplete", "min_score_to_delegate", "max_delegation_blocks",
        ] {
            if let value = reader.json(key) { critique.options[key] = value }
        }
        reader.finish()
        return critique
    }
}
