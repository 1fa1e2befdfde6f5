internal import AWPCore
internal import AWPValidator
internal import AWPWorkflow

/// `awp validate <dir> [--json]`.
enum ValidateCommand {
    static func run(_ arguments: [String], console: Console) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "validate", options: ["--level"], flags: ["--json"])
        let directory = try singleDirectory(parsed, command: "validate")
        let report = WorkflowValidator.validate(directory: directory)
        if parsed.has("--json") {
            console.out(DiagnosticRendering.validationJSON(report).serialized(pretty: true))
        } else {
            for diagnostic in report.diagnostics {
                console.error(DiagnosticRendering.text(diagnostic, directory: directory))
            }
            let errors = report.errors.count, warnings = report.warnings.count
            if report.isValid {
                console.out("Validation passed for \(report.workflow)" + (warnings > 0 ? " (\(plural(warnings, "warning")))" : ""))
            } else {
                console.out("Validation failed for \(report.workflow): \(plural(errors, "error")), \(plural(warnings, "warning"))")
            }
        }
        return report.isValid ? ExitStatus.success : ExitStatus.failure
    }
}

/// The one workflow directory a command takes.
func singleDirectory(_ arguments: Arguments, command: String) throws(UsageError) -> String {
    guard arguments.positionals.count == 1, let directory = arguments.positionals.first else {
        throw UsageError(
            command: command,
            message: arguments.positionals.isEmpty ? "missing workflow directory" : "expected one workflow directory"
        )
    }
    return directory
}

func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

/// How diagnostics are shown: compiler-style text, or the JSON shape of ARCHITECTURE §7.
enum DiagnosticRendering {
    /// `dir/file:line:col: error: [R7] message`, with the path as the user can open it.
    static func text(_ diagnostic: Diagnostic, directory: String) -> String {
        var shown = diagnostic
        if let location = diagnostic.location {
            let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
            shown.location?.file = base == "." ? location.file : "\(base)/\(location.file)"
        }
        return shown.description
    }

    static func json(_ diagnostic: Diagnostic) -> JSONValue {
        [
            "severity": .string(diagnostic.severity.rawValue),
            "rule": diagnostic.rule.map(JSONValue.string) ?? .null,
            "message": .string(diagnostic.message),
            "file": diagnostic.location.map { .string($0.file) } ?? .null,
            "line": diagnostic.location?.line.map(JSONValue.integer) ?? .null,
            "column": diagnostic.location?.column.map(JSONValue.integer) ?? .null,
        ]
    }

    static func validationJSON(_ report: ValidationReport) -> JSONValue {
        [
            "workflow": .string(report.workflow),
            "valid": .bool(report.isValid),
            "diagnostics": .array(report.diagnostics.map(json)),
        ]
    }
}
