internal import AWPCore
internal import AWPValidator
internal import AWPWorkflow

/// `awp visualize <dir> [--format mermaid|dot|json|ascii]`.
enum VisualizeCommand {
    static func run(_ arguments: [String], console: Console) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "visualize", options: ["--format"], flags: [])
        let directory = try singleDirectory(parsed, command: "visualize")
        let name = parsed.value("--format") ?? "mermaid"
        guard let format = Visualizer.Format(rawValue: name) else {
            throw UsageError(command: "visualize", message: "unknown format '\(name)' (use mermaid, dot, json or ascii)")
        }
        let workflow = WorkflowLoader.load(directory: directory)
        guard let manifest = workflow.manifest, workflow.isReadable else {
            for diagnostic in workflow.diagnostics where diagnostic.isError {
                console.error(DiagnosticRendering.text(diagnostic, directory: directory))
            }
            return ExitStatus.failure
        }
        guard manifest.orchestration != nil else {
            console.error("\(directory)/\(WorkflowLoader.manifestFileName): error: No orchestration graph defined")
            return ExitStatus.failure
        }
        console.out(Visualizer.render(manifest, format: format))
        return ExitStatus.success
    }
}
