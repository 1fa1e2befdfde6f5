import AWPCore
public import AWPSandbox
public import AWPStore
import Foundation

/// What sandboxed worker executors get: capabilities and limits from the workflow's enforced
/// worker policy. Workers never get more than this, whatever an envelope asks for.
public struct WorkerSandboxSettings: Sendable {
    public var capabilities: Set<SandboxCapability> = [.compute]
    public var allowedHosts: [String] = []
    public var memoryMB: UInt64 = 1024
    public var cpuSeconds: UInt64? = 60
    public var maxProcesses: UInt64 = 32
    /// Seconds a single snippet may run.
    public var snippetTimeoutSeconds: Double = 120

    public init() {}
}

/// Everything an engine needs for one run (or sub-run): identity, workspace, the store, the event
/// broadcaster, the ledger, the gate, the model gateway and the tool host. Sub-managers get a copy
/// with their own run id, depth and child ledger; the rest is shared.
public struct RunContext: Sendable {
    public var runID: String
    /// 1 for the root manager (or DAG), +1 per sub-manager level.
    public var depth: Int
    public var workflowName: String
    public var task: String
    public var workspace: String
    public var outputDirectory: String
    public var store: RunStore
    public var events: EventBroadcaster
    public var ledger: BudgetLedger
    public var gate: PolicyGate
    public var models: ModelGateway
    public var tools: ToolHost
    public var executors: ExecutorPool
    public var defaultProvider: String
    public var providerOverride: String?
    public var modelOverride: String?
    /// The "Available Data Files" section (inputs manifest) shown to managers and workers.
    public var inputsSection: String
    /// Skills as markdown, shown to managers and forwarded to workers.
    public var skillsCatalog: String
    /// Names (never values) of secrets the run has, for prompts that must mention them.
    public var secretNames: [String]
    public var workerSandbox: WorkerSandboxSettings
    /// Counts sub-runs so their ids are `<parent>-sub-<n>`, the same on a re-run.
    public var subRunCounter: Counter

    public func model(_ text: String?) -> ModelReference {
        ModelReference(parsing: text ?? "", defaultProvider: defaultProvider, overrideProvider: providerOverride,
                       overrideModel: modelOverride)
    }

    public func emit(_ body: RunEvent.Body) async {
        await events.emit(RunEvent(runID: runID, depth: depth - 1, body))
    }

    /// A listing of the workspace's output directory for prompts (bounded).
    public func outputListing(limit: Int = 60) -> String {
        let reader = WorkspaceReader(root: workspace)
        let files = (try? reader.files(under: "output")) ?? []
        if files.isEmpty { return "(no files in output/ yet)" }
        var lines = files.prefix(limit).map { "- \($0)" }
        if files.count > limit { lines.append("- … and \(files.count - limit) more") }
        return lines.joined(separator: "\n")
    }
}

/// A thread-safe counter for deterministic ids.
public actor Counter {
    private var value = 0
    public init() {}
    public func next() -> Int {
        value += 1
        return value
    }
}

/// One warm executor per logical worker id, never shared across workers or runs, stopped when the
/// run ends. Executors start lazily: a worker that never runs code never starts an interpreter.
public actor ExecutorPool {
    private let sandbox: Sandbox
    private let interpreter: PythonInterpreter
    private let workspace: String
    private var executors: [String: WarmExecutor] = [:]

    public init(sandbox: Sandbox, interpreter: PythonInterpreter, workspace: String) {
        self.sandbox = sandbox
        self.interpreter = interpreter
        self.workspace = workspace
    }

    public func executor(for worker: String, settings: WorkerSandboxSettings, fresh: Bool = false) -> WarmExecutor {
        if !fresh, let existing = executors[worker] { return existing }
        let policy = SandboxPolicy(
            command: ["python3"], workspace: workspace, capabilities: settings.capabilities,
            allowedHosts: settings.capabilities.contains(.network) ? settings.allowedHosts : [],
            limits: SandboxLimits(timeoutMilliseconds: nil, cpuSeconds: settings.cpuSeconds, memoryMB: settings.memoryMB,
                                  maxProcesses: settings.maxProcesses, maxOutputBytes: 4 << 20))
        let executor = WarmExecutor(sandbox: sandbox, policy: policy, interpreter: interpreter, outputLimit: 1 << 20)
        if let old = executors[worker] { Task { await old.stop() } }
        executors[worker] = executor
        return executor
    }

    public func stopAll() async {
        for executor in executors.values { await executor.stop() }
        executors.removeAll()
    }
}
