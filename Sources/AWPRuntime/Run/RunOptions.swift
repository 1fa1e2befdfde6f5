public import AWPCore
public import AWPStore
import Foundation

/// How to run: the CLI's flags, or the Swift API's arguments.
public struct RunOptions: Sendable {
    public var task: String?
    /// `--provider`: replaces the provider of every model the workflow names.
    public var provider: String?
    /// `--model`: replaces the model name.
    public var model: String?
    /// `--input KEY=PATH`, copied into the run workspace.
    public var inputs: [InputSpec] = []
    /// Extra skill files or directories (`AgentWorkflow(skills:)`).
    public var skillPaths: [String] = []
    public var budgetTokens: Int?
    public var budgetCostUSD: Double?
    /// Caps for the YAML-free loop (`awp task`), which has no budget section.
    public var budget = BudgetLimits()
    /// `--home`; else `$AWP_HOME`; else `./.awp`.
    public var home: String?
    public var cachePolicy: CachePolicy = .auto
    /// Where built-in plugins and `awp-sandbox` live (the directory of the `awp` binary).
    public var binaryDirectory: String?
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public var currentDirectory: String = FileManager.default.currentDirectoryPath
    /// Copy the run's output files here at the end (`awp task --output DIR`).
    public var outputCopyDirectory: String?
    /// Resume this run instead of starting a new one.
    public var resumeRunID: String?
    /// Plugins to run unconfined (`--trust-plugin NAME`); every other plugin runs under `awp-sandbox`
    /// with the capabilities its manifest declares.
    public var trustedPlugins: Set<String> = []
    /// Overrides for the YAML-free loop's scheduling (`awp bench engine` runs 100 workers at once).
    public var maxWorkersPerIteration: Int?
    public var maxParallelWorkers: Int?
    /// Receives every event as it happens (after redaction).
    public var onEvent: (@Sendable (RunEvent) -> Void)?

    public init() {}
}

/// What a run produced: the `run --json` / `task --json` object of ARCHITECTURE §7.
public struct RunReport: Sendable {
    public var runID: String
    /// `complete`, `partial`, `failed` or `aborted`.
    public var status: String
    public var terminationReason: String
    public var result: JSONValue
    /// Absolute paths of the files under the output directory.
    public var artifacts: [String]
    public var outputDirectory: String
    public var usage: RunUsage

    public var json: JSONValue {
        [
            "runId": .string(runID), "status": .string(status), "terminationReason": .string(terminationReason),
            "result": result, "artifacts": .array(artifacts.map(JSONValue.string)), "outputDir": .string(outputDirectory),
            "usage": [
                "llmCalls": .integer(usage.llmCalls), "inputTokens": .integer(usage.inputTokens),
                "outputTokens": .integer(usage.outputTokens), "costUSD": .number(usage.costUSD),
                "workers": .integer(usage.workers), "loops": .integer(usage.loops), "toolCalls": .integer(usage.toolCalls),
                "wallMs": .integer(Int(usage.wallMs)),
            ],
        ]
    }
}

/// A run that could not start: bad workflow, bad input, no sandbox. Carries diagnostics with
/// file:line where there are any.
public struct RunSetupError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var diagnostics: [Diagnostic]

    public init(_ message: String, diagnostics: [Diagnostic] = []) {
        self.message = message
        self.diagnostics = diagnostics
    }

    public var description: String {
        ([message] + diagnostics.map { "\($0)" }).joined(separator: "\n")
    }
}
