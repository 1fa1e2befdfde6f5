import AWPCore
import AWPPlugins
import AWPSandbox
import AWPStore
import AWPValidator
import AWPWorkflow
import Foundation

/// Runs an AWP workflow directory (`awp run`), or a bare task with the YAML-free A4 loop (`awp task`).
///
/// Set-up order matters for safety: the workflow is validated before anything runs; secrets are
/// loaded into a redactor before the first event; inputs are copied into the run's own workspace and
/// handed to the sandbox uid before any worker starts; every engine call then goes through the
/// ledger, the gate, the model gateway and the tool host built here.
public enum WorkflowRunner {
    /// Runs the workflow in `directory`.
    public static func run(directory: String, options: RunOptions) async throws(RunSetupError) -> RunReport {
        let absolute = URL(fileURLWithPath: directory, relativeTo: URL(fileURLWithPath: options.currentDirectory)).standardizedFileURL.path
        let loaded = WorkflowLoader.load(directory: absolute)
        let report = WorkflowValidator.validate(loaded)
        guard report.isValid, let manifest = loaded.manifest else {
            throw RunSetupError("\(absolute): the workflow is not valid; fix these first (awp validate shows them too)",
                                diagnostics: report.errors)
        }
        guard let orchestration = manifest.orchestration else {
            throw RunSetupError("\(absolute): the workflow has no orchestration section")
        }
        let task = options.task ?? manifest.workflow.description
        var limits = BudgetLimits()
        var settings = DelegationSettings()
        var sandboxSettings = WorkerSandboxSettings()
        if let loop = orchestration.delegationLoop, orchestration.isDelegationLoop {
            let budget = loop.budget
            limits = BudgetLimits(maxLoops: budget.maxLoops, maxWorkers: budget.maxTotalWorkers,
                                  maxTokens: budget.maxTotalTokens > 0 ? budget.maxTotalTokens : nil, maxCostUSD: budget.maxCostUSD,
                                  maxToolCalls: budget.maxToolCalls > 0 ? budget.maxToolCalls : nil,
                                  maxWallSeconds: budget.maxWallTime > 0 ? budget.maxWallTime : nil, maxDepth: max(1, budget.maxDepth))
            let instructions = try? String(contentsOfFile: absolute + "/" + loop.manager + "/workflow/instructions/SYSTEM_PROMPT.md",
                                           encoding: .utf8)
            settings = DelegationSettings(config: loop, dynamicTools: manifest.dynamicTools, managerInstructions: instructions)
            let policy = loop.workerPolicy
            sandboxSettings.memoryMB = UInt64(max(64, policy.maxMemoryMB))
            sandboxSettings.cpuSeconds = UInt64(max(1, policy.maxCPUSeconds))
        } else if let budget = orchestration.runBudget {
            let enabled = Set(budget.enabledLimits)
            limits = BudgetLimits(maxWorkers: enabled.contains("max_agent_runs") ? budget.maxAgentRuns : nil,
                                  maxTokens: enabled.contains("max_total_tokens") ? budget.maxTotalTokens : nil,
                                  maxCostUSD: enabled.contains("max_cost_usd") ? budget.maxCostUSD : nil,
                                  maxToolCalls: enabled.contains("max_tool_calls") ? budget.maxToolCalls : nil,
                                  maxWallSeconds: enabled.contains("max_wall_time") ? budget.maxWallTime : nil)
        }
        if let tokens = options.budgetTokens { limits.maxTokens = tokens }
        if let cost = options.budgetCostUSD { limits.maxCostUSD = cost }
        var namespaces: [PolicyGate.Namespace] = []
        for namespace in manifest.dynamicTools?.allowedNamespaces ?? [] {
            var capabilities: Set<SandboxCapability> = [.compute]
            for name in namespace.capabilities { if let capability = SandboxCapability(rawValue: name) { capabilities.insert(capability) } }
            namespaces.append(PolicyGate.Namespace(name: namespace.name, capabilities: capabilities,
                                                   allowedHosts: namespace.networkAllowlist))
        }
        var denied: [String: [String]] = [:]
        if let security = manifest.security, security.accessControlEnabled {
            for rule in security.rules { denied[rule.agent, default: []] += rule.denyTools }
        }
        let plan = RunPlan(workflowName: manifest.workflow.name, workflowDirectory: absolute, task: task, limits: limits,
                           settings: settings, sandbox: sandboxSettings, namespaces: namespaces, deniedByAgent: denied,
                           declaredSecrets: Set(manifest.workflow.env.required.filter(\.isSensitive).map(\.name)),
                           maxDynamicTools: manifest.dynamicTools?.maxTotal ?? 50,
                           dynamicToolTimeout: manifest.dynamicTools?.timeoutSeconds ?? 30,
                           engine: orchestration.isDelegationLoop ? .delegation : .dag(loaded, orchestration))
        return try await execute(plan, options: options)
    }

    /// Runs `task` with the YAML-free A4 loop (like the reference's `AgentWorkflow`): a manager, workers
    /// that run code in the sandbox, tool creation in a `dynamic` compute namespace, sub-managers.
    public static func runTask(_ task: String, options: RunOptions) async throws(RunSetupError) -> RunReport {
        var settings = DelegationSettings()
        settings.toolCreationAllowed = true
        settings.namespaceSummaries = ["dynamic (compute)"]
        if let value = options.maxWorkersPerIteration { settings.maxWorkersPerIteration = value }
        if let value = options.maxParallelWorkers { settings.maxParallelWorkers = value }
        var limits = options.budget
        limits.maxLoops = limits.maxLoops ?? 100
        limits.maxWorkers = limits.maxWorkers ?? 500
        limits.maxTokens = options.budgetTokens ?? limits.maxTokens ?? 10_000_000
        limits.maxCostUSD = options.budgetCostUSD ?? limits.maxCostUSD
        limits.maxToolCalls = limits.maxToolCalls ?? 1500
        limits.maxWallSeconds = limits.maxWallSeconds ?? 600
        limits.maxDepth = limits.maxDepth ?? 4
        let plan = RunPlan(workflowName: "task", workflowDirectory: nil, task: task, limits: limits, settings: settings,
                           sandbox: WorkerSandboxSettings(),
                           namespaces: [PolicyGate.Namespace(name: "dynamic", capabilities: [.compute])], deniedByAgent: [:],
                           declaredSecrets: [], maxDynamicTools: 50, dynamicToolTimeout: 30, engine: .delegation)
        return try await execute(plan, options: options)
    }
}

/// Everything decided from the workflow before a run starts.
struct RunPlan: Sendable {
    enum Engine: Sendable {
        case delegation
        case dag(LoadedWorkflow, Orchestration)
    }

    var workflowName: String
    var workflowDirectory: String?
    var task: String
    var limits: BudgetLimits
    var settings: DelegationSettings
    var sandbox: WorkerSandboxSettings
    var namespaces: [PolicyGate.Namespace]
    var deniedByAgent: [String: [String]]
    var declaredSecrets: Set<String>
    var maxDynamicTools: Int
    var dynamicToolTimeout: Double
    var engine: Engine
}
