internal import AWPCore
internal import AWPValidator
internal import AWPWorkflow

/// `awp compliance <dir> [--level A0..A4] [--json]`.
enum ComplianceCommand {
    static func run(_ arguments: [String], console: Console) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "compliance", options: ["--level"], flags: ["--json"])
        let directory = try singleDirectory(parsed, command: "compliance")
        var target = AutonomyLevel.a4
        if let text = parsed.value("--level") {
            // The reference silently turns an unknown level into A4; a typo should not pass unnoticed.
            guard let level = AutonomyLevel(parsing: text) else {
                throw UsageError(command: "compliance", message: "unknown level '\(text)' (use A0–A4, or L0–L5)")
            }
            target = level
        }
        let workflow = WorkflowLoader.load(directory: directory)
        let report = ComplianceChecker.check(workflow, target: target)
        if parsed.has("--json") {
            console.out(json(report).serialized(pretty: true))
        } else if workflow.manifest == nil || !workflow.isReadable {
            for diagnostic in workflow.diagnostics where diagnostic.isError {
                console.error(DiagnosticRendering.text(diagnostic, directory: directory))
            }
            console.error("error: \(report.workflow) cannot be read, so no level is reached")
        } else {
            console.out(text(report))
        }
        return report.meetsTarget ? ExitStatus.success : ExitStatus.failure
    }

    /// The reference's layout (digest §C.7).
    static func text(_ report: ComplianceReport) -> String {
        var lines = [
            "Workflow: \(report.workflow)",
            "Target:   \(report.target) \(report.target.title)",
            "Achieved: " + (report.achieved.map { "\($0) \($0.title)" } ?? "none (A0 checks fail)"),
            "",
            "  Cross-Cutting (all levels):",
        ]
        for check in report.crossCutting { lines.append("    \(check.passed ? "[ok]" : "[WARN]") \(check.name)") }
        lines.append("")
        for check in report.checks { lines.append("  \(check.passed ? "[ok]" : "[FAIL]") \(check.name)") }
        if !report.warnings.isEmpty {
            lines.append("")
            for warning in report.warnings { lines.append("  [WARN] \(warning)") }
        }
        if !report.errors.isEmpty {
            lines.append("")
            for error in report.errors { lines.append("  [FAIL] \(error)") }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: ComplianceReport) -> JSONValue {
        [
            "workflow": .string(report.workflow),
            "target": .string(report.target.description),
            "achieved": report.achieved.map { .string($0.description) } ?? .null,
            "checks": .object(report.checks.map { (key: $0.name, value: .bool($0.passed)) }),
            "errors": .array(report.errors.map(JSONValue.string)),
            "warnings": .array(report.warnings.map(JSONValue.string)),
        ]
    }
}
