public import AWPCore
public import AWPWorkflow
internal import Foundation

/// The outcome of validating one workflow directory.
public struct ValidationReport: Sendable {
    /// The workflow name (from the manifest, else the directory name).
    public var workflow: String
    /// Everything found, in order: reading problems first, then rule checks.
    public var diagnostics: [Diagnostic]

    /// True when there is no error (warnings allowed).
    public var isValid: Bool { !diagnostics.containsErrors }
    public var errors: [Diagnostic] { diagnostics.filter(\.isError) }
    public var warnings: [Diagnostic] { diagnostics.filter { !$0.isError } }
}

/// Validates a loaded workflow against AWP 1.0: graph, contracts, schema files and rules R1–R33.
///
/// ```swift
/// let report = WorkflowValidator.validate(WorkflowLoader.load(directory: path))
/// if !report.isValid { for error in report.errors { print(error) } }
/// ```
///
/// All four of the reference's passes run, and every error counts: unlike the reference, graph
/// and contract errors make a workflow invalid, and the schema files are checked too.
public enum WorkflowValidator {
    public static func validate(_ workflow: LoadedWorkflow) -> ValidationReport {
        var diagnostics = workflow.diagnostics
        // Rules run on what was read; when reading failed, their findings would be echoes of the
        // same problem (a bad id also "has no agent directory"), so only the reading errors are shown.
        guard let manifest = workflow.manifest, !workflow.diagnostics.containsErrors else {
            return ValidationReport(workflow: workflow.name, diagnostics: diagnostics)
        }
        let root = URL(fileURLWithPath: workflow.directory, isDirectory: true)
        var found: [Diagnostic] = []
        if let orchestration = manifest.orchestration {
            let engineIsKnown = OrchestrationRules.engines.contains(orchestration.engine)
            found += GraphRules.check(orchestration, engineIsKnown: engineIsKnown)
            found += PhaseRules.check(orchestration, root: root)
        }
        found += ContractRules.check(agents: workflow.definitions, orchestration: manifest.orchestration)
        found += AgentRules.checkName(workflow, manifest: manifest)
        found += AgentRules.check(workflow, manifest: manifest)
        found += ToolRules.check(root: root)
        found += OrchestrationRules.check(manifest)
        diagnostics += deduplicated(found)
        return ValidationReport(workflow: workflow.name, diagnostics: diagnostics)
    }

    /// Loads and validates the workflow at `directory`.
    public static func validate(directory: String) -> ValidationReport {
        validate(WorkflowLoader.load(directory: directory))
    }

    /// The same finding from two passes is reported once (the reference prints R2, R6 and R17 twice).
    private static func deduplicated(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen: Set<Diagnostic> = []
        return diagnostics.filter { seen.insert($0).inserted }
    }
}
