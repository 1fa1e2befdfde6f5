internal import AWPCore
internal import AWPPlugins
internal import AWPRuntime
internal import AWPSandbox
internal import Foundation

/// `awp plugins list [--json] | check <name> [--json] | call <name> <tool> [--args JSON]`.
///
/// Every command also takes `--workflow DIR` (search `DIR/plugins/` and `DIR/.mcp.json`),
/// `--verbose` (show the plugin's stderr and the host's remarks on standard error) and
/// `--trust-plugin NAME` (repeatable: run that plugin unconfined instead of under `awp-sandbox`).
enum PluginsCommand {
    static let subcommands = ["list", "check", "call"]

    static func run(_ arguments: [String], console: Console) async throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "plugins", options: ["--args", "--workflow", "--timeout-s", "--trust-plugin"],
                                   flags: ["--json", "--verbose"])
        guard let subcommand = parsed.positionals.first, subcommands.contains(subcommand) else {
            throw UsageError(command: "plugins", message: "name a subcommand: \(subcommands.joined(separator: ", "))")
        }
        let operands = Array(parsed.positionals.dropFirst())
        let catalog = discover(workflow: parsed.value("--workflow"))
        switch subcommand {
        case "list":
            guard operands.isEmpty else { throw UsageError(command: "plugins", message: "'list' takes no operands") }
            list(catalog, json: parsed.has("--json"), console: console)
            return ExitStatus.success
        case "check":
            guard operands.count == 1 else { throw UsageError(command: "plugins", message: "'check' needs exactly one plugin name") }
            guard let manifest = find(operands[0], in: catalog, console: console) else { return ExitStatus.failure }
            return await check(manifest, options: try options(parsed, console: console),
                               trusted: Set(parsed.options["--trust-plugin"] ?? []), json: parsed.has("--json"), console: console)
        default:
            guard operands.count == 2 else { throw UsageError(command: "plugins", message: "'call' needs a plugin name and a tool name") }
            var toolArguments: JSONValue = [:]
            if let text = parsed.value("--args") {
                do {
                    toolArguments = try JSONParser.parse(text)
                } catch {
                    throw UsageError(command: "plugins", message: "--args is not valid JSON: \(error)")
                }
                guard case .object = toolArguments else { throw UsageError(command: "plugins", message: "--args must be a JSON object") }
            }
            var timeout: Duration?
            if let text = parsed.value("--timeout-s") {
                guard let seconds = Double(text), seconds > 0 else {
                    throw UsageError(command: "plugins", message: "--timeout-s needs a positive number of seconds")
                }
                timeout = .milliseconds(Int(seconds * 1000))
            }
            guard let manifest = find(operands[0], in: catalog, console: console) else { return ExitStatus.failure }
            return await call(manifest, tool: operands[1], arguments: toolArguments, timeout: timeout,
                              options: try options(parsed, console: console), console: console)
        }
    }

    /// The directory of the running executable, where the built-in plugins live.
    static var binaryDirectory: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    static func discover(workflow: String?) -> PluginCatalog {
        PluginDiscovery.standard(binaryDirectory: binaryDirectory, workflowDirectory: workflow,
                                 environment: ProcessInfo.processInfo.environment,
                                 currentDirectory: FileManager.default.currentDirectoryPath).discover()
    }

    static func options(_ parsed: Arguments, console: Console) throws(UsageError) -> PluginHostOptions {
        let environment = ProcessInfo.processInfo.environment
        var options = PluginHostOptions(hostEnvironment: environment)
        options.clientInfo = PeerInfo(name: "awp", version: AWPCommandLine.version)
        let verbose = parsed.has("--verbose")
        if verbose {
            options.log = { record in console.error("[\(record.plugin) \(record.source.rawValue)] \(record.message)") }
        }
        // Plugins run confined, as in a run; egress decisions are shown with --verbose.
        do {
            let launcher = try SandboxLauncher.locate(environment: environment)
            var confiner = PluginConfiner(launcherPath: launcher, trusted: Set(parsed.options["--trust-plugin"] ?? []))
            if verbose {
                confiner.onEgressDecision = { plugin, decision in
                    console.error("[\(plugin) egress] \(decision.allowed ? "allowed" : "refused") \(decision.host):\(decision.port) (\(decision.reason))")
                }
            }
            options.commandWrapper = confiner
        } catch {
            throw UsageError(command: "plugins", message: "the sandbox launcher is not available (\(error)); "
                + "name the plugin with --trust-plugin to run it unconfined")
        }
        return options
    }

    static func find(_ name: String, in catalog: PluginCatalog, console: Console) -> PluginManifest? {
        if let manifest = catalog.plugin(named: name) { return manifest }
        let known = catalog.plugins.map(\.name).joined(separator: ", ")
        console.error("awp plugins: error: no plugin named '\(name)'" + (known.isEmpty ? "; none were found" : "; found: \(known)"))
        for problem in catalog.problems { console.error("awp plugins: note: \(problem.path): \(problem.message)") }
        return nil
    }

    static func list(_ catalog: PluginCatalog, json: Bool, console: Console) {
        if json {
            let value: JSONValue = [
                "plugins": .array(catalog.plugins.map(\.json)), "shadowed": .array(catalog.shadowed.map(\.json)),
                "problems": .array(catalog.problems.map(\.json)),
            ]
            console.out(value.serialized(pretty: true))
            return
        }
        if catalog.plugins.isEmpty { console.out("no plugins found") }
        for manifest in catalog.plugins {
            let kinds = manifest.kinds.isEmpty ? "tool?" : manifest.kinds.map(\.rawValue).joined(separator: ",")
            console.out(pad(manifest.name, 16) + pad(kinds, 10) + pad(manifest.origin.rawValue, 9)
                        + ([manifest.command] + manifest.arguments).joined(separator: " "))
        }
        for manifest in catalog.shadowed {
            console.error("awp plugins: note: \(manifest.location ?? manifest.command) is shadowed by an earlier '\(manifest.name)'")
        }
        for problem in catalog.problems { console.error("awp plugins: warning: \(problem.path): \(problem.message)") }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}
