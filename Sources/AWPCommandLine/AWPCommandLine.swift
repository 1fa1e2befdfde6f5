internal import Foundation

/// The `awp` command line: parses arguments, runs a command, returns the exit status.
///
/// ```swift
/// let status = await AWPCommandLine.main(["awp", "validate", "Examples/a0-single-agent"])
/// ```
public enum AWPCommandLine {
    public static let version = "0.1.0"

    /// Runs `awp` with `arguments` (the first element is the program name) and returns the exit status.
    public static func main(_ arguments: [String], console: Console = .standard) async -> Int32 {
        let rest = Array(arguments.dropFirst())
        guard let command = rest.first else {
            console.writeError(Help.overview)
            return ExitStatus.usage
        }
        let options = Array(rest.dropFirst())
        do {
            switch command {
            case "validate": return try ValidateCommand.run(options, console: console)
            case "run": return try await RunCommand.run(options, console: console)
            case "task": return try await RunCommand.task(options, console: console)
            case "resume": return try await RunCommand.resume(options, console: console)
            case "compliance": return try ComplianceCommand.run(options, console: console)
            case "visualize": return try VisualizeCommand.run(options, console: console)
            case "bench": return try await BenchCommand.run(options, console: console)
            case "sandbox": return try await SandboxCommand.run(options, console: console)
            case "runs": return try await RunInspectionCommands.runs(options, console: console)
            case "status": return try await RunInspectionCommands.status(options, console: console)
            case "output": return try await RunInspectionCommands.output(options, console: console)
            case "calls": return try await CallsCommand.calls(options, console: console)
            case "events": return try await CallsCommand.events(options, console: console)
            case "report": return try await ReportCommand.run(options, console: console)
            case "audit": return try await AuditCommand.run(options, console: console)
            case "explain-cache": return try await ExplainCacheCommand.run(options, console: console)
            case "gc": return try await GCCommand.run(options, console: console)
            case "plugins": return try await PluginsCommand.run(options, console: console)
            case "--version", "version":
                console.out("awp \(version)")
                return ExitStatus.success
            case "help", "--help", "-h":
                if let topic = options.first, let text = Help.command(topic) {
                    console.out(text)
                } else if let topic = options.first {
                    throw UsageError(command: "help", message: "no command named '\(topic)'")
                } else {
                    console.out(Help.overview)
                }
                return ExitStatus.success
            default:
                throw UsageError(command: "awp", message: "unknown command '\(command)'")
            }
        } catch let error as UsageError {
            let prefix = error.command == "awp" ? "awp" : "awp \(error.command)"
            console.error("\(prefix): error: \(error.message)")
            if let usage = Help.usage(error.command) { console.error("usage: \(usage)") }
            console.error("Run 'awp help' for the list of commands.")
            return ExitStatus.usage
        } catch {
            console.error("awp: error: \(error)")
            return ExitStatus.failure
        }
    }
}
