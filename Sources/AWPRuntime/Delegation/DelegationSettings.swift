public import AWPWorkflow

/// How a delegation loop runs, from the workflow's `orchestration.delegation_loop`, its
/// `dynamic_tools` and `security` sections (or the defaults of `awp task`).
public struct DelegationSettings: Sendable {
    public var managerModel: String?
    public var workerModel: String?
    /// The manager agent's own system prompt (`agents/manager/workflow/instructions/SYSTEM_PROMPT.md`).
    public var managerInstructions: String?
    public var maxWorkersPerIteration = 6
    public var maxParallelWorkers = 16
    public var maxConcurrentSubmanagers = 3
    public var maxTotalSubmanagers = 6
    /// Tools no worker may ever use (`worker_policy.enforced.forbidden_tools`).
    public var forbiddenTools = WorkerPolicy.defaultForbiddenTools
    /// Whether managers may switch on tool creation for workers (A3).
    public var toolCreationAllowed = false
    /// Names of the dynamic-tool namespaces (for prompts); the PolicyGate holds their capabilities.
    public var namespaceSummaries: [String] = []
    public var planningEnabled = false
    /// Tool-loop rounds per worker.
    public var workerMaxRounds = 15
    /// Unparseable manager replies in a row before the loop gives up.
    public var maxConsecutiveManagerFailures = 5
    public var managerMaxTokens = 8192
    public var workerMaxTokens = 4096
    public var workerTemperature = 0.2

    public init() {}

    /// Reads the settings from a workflow's delegation-loop section.
    public init(config: DelegationLoopConfig, dynamicTools: DynamicToolsConfig?, managerInstructions: String?) {
        self.init()
        managerModel = config.managerModel
        workerModel = config.workerModel
        self.managerInstructions = managerInstructions
        maxWorkersPerIteration = max(1, config.budget.maxWorkersPerIteration)
        maxParallelWorkers = max(1, config.budget.maxParallelWorkers)
        maxConcurrentSubmanagers = max(0, config.budget.maxConcurrentSubmanagers)
        maxTotalSubmanagers = max(0, config.budget.maxTotalSubmanagersPerRun)
        forbiddenTools = config.workerPolicy.forbiddenTools
        planningEnabled = config.planningEnabled
        let controlled = config.workerPolicy.managerControlled.contains("codemode.tool_creation")
        if let dynamicTools, dynamicTools.isEnabled, controlled {
            toolCreationAllowed = true
            namespaceSummaries = dynamicTools.allowedNamespaces.map { namespace in
                let capabilities = namespace.capabilities.isEmpty ? "compute" : namespace.capabilities.joined(separator: ", ")
                let hosts = namespace.networkAllowlist.isEmpty ? "" : "; hosts: " + namespace.networkAllowlist.joined(separator: ", ")
                return "\(namespace.name) (\(capabilities)\(hosts))"
            }
        }
    }
}

/// Sub-manager counts shared by a whole run tree (`max_concurrent_submanagers`,
/// `max_total_submanagers_per_run`).
actor SubmanagerQuota {
    private let maxConcurrent: Int
    private let maxTotal: Int
    private var active = 0
    private var total = 0

    init(maxConcurrent: Int, maxTotal: Int) {
        self.maxConcurrent = maxConcurrent
        self.maxTotal = maxTotal
    }

    func acquire() -> Bool {
        guard active < maxConcurrent, total < maxTotal else { return false }
        active += 1
        total += 1
        return true
    }

    func release() {
        active -= 1
    }
}
