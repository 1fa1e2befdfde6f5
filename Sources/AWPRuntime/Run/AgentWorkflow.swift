import AWPCore
import Foundation

/// The YAML-free A4 loop as a Swift API, like the reference's `AgentWorkflow`:
///
/// ```swift
/// let report = try await AgentWorkflow(inputs: ["sales": "data/sales.csv"], task: "Summarise the sales",
///                                      model: "fake/deterministic").run()
/// print(report.status, report.artifacts)
/// ```
///
/// A manager delegates to workers that run Python in the sandbox, may create tools in a compute-only
/// `dynamic` namespace, and may hand sub-questions to sub-managers; everything under the budget given.
public struct AgentWorkflow: Sendable {
    public var inputs: [String: String]
    public var task: String
    /// `provider/model`; the provider part picks the plugin.
    public var model: String
    public var budget: BudgetLimits
    public var skills: [String]
    public var options: RunOptions

    public init(inputs: [String: String] = [:], task: String, model: String = "fake/deterministic",
                budget: BudgetLimits = BudgetLimits(), skills: [String] = [], options: RunOptions = RunOptions()) {
        self.inputs = inputs
        self.task = task
        self.model = model
        self.budget = budget
        self.skills = skills
        self.options = options
    }

    /// Runs the task to its end and returns what the run produced.
    public func run() async throws(RunSetupError) -> RunReport {
        var options = self.options
        options.inputs = inputs.sorted { $0.key < $1.key }.map { InputSpec(key: $0.key, path: $0.value) }
        let reference = ModelReference(parsing: model, defaultProvider: "fake")
        options.provider = options.provider ?? reference.provider
        options.model = options.model ?? reference.model
        options.budget = budget
        options.skillPaths += skills
        return try await WorkflowRunner.runTask(task, options: options)
    }
}
