internal import AWPCore
internal import AWPPlugins
internal import Foundation

extension PluginsCommand {
    /// Starts the plugin, runs the handshake, and lists its tools or models.
    /// How the plugin will run: confined with its resolved capabilities, or unconfined by the user's choice.
    static func confinement(of manifest: PluginManifest, trusted: Set<String>) -> (text: String, json: JSONValue) {
        if trusted.contains(manifest.name) {
            return ("unconfined (--trust-plugin)", ["sandboxed": false])
        }
        let environment = PluginEnvironment.make(host: ProcessInfo.processInfo.environment, passThrough: manifest.passEnvironment,
                                                 fixed: manifest.environment)
        guard let granted = try? manifest.capabilities.resolved(in: environment) else {
            return ("sandboxed (its declared capabilities do not resolve)", ["sandboxed": true])
        }
        var parts = [granted.network.isEmpty ? "no network" : "network " + granted.network.joined(separator: ", ")]
        if !granted.readPaths.isEmpty { parts.append("read " + granted.readPaths.joined(separator: ", ")) }
        if !granted.writePaths.isEmpty { parts.append("write " + granted.writePaths.joined(separator: ", ")) }
        return ("sandboxed: " + parts.joined(separator: "; "), ["sandboxed": true, "granted": granted.json])
    }

    static func check(_ manifest: PluginManifest, options: PluginHostOptions, trusted: Set<String>, json: Bool,
                      console: Console) async -> Int32 {
        let confinement = confinement(of: manifest, trusted: trusted)
        let client = PluginClient(manifest: manifest, options: options)
        defer { Task { await client.shutdown() } }
        do {
            let session = try await client.start()
            var tools: [ToolDefinition] = []
            var models: [ModelInfo] = []
            if session.kinds.contains(.tool) { tools = try await client.listTools() }
            if session.kinds.contains(.provider) { models = try await client.describeProvider().models }
            await client.shutdown()
            if json {
                console.out(JSONValue.object(compacting: [
                    "plugin": .string(manifest.name), "ok": true, "session": session.json,
                    "tools": session.kinds.contains(.tool) ? .array(tools.map(\.json)) : nil,
                    "models": session.kinds.contains(.provider) ? .array(models.map(\.json)) : nil,
                    "confinement": confinement.json,
                ]).serialized(pretty: true))
                return ExitStatus.success
            }
            let protocolText = session.declaration.map { ", awp plugin protocol \($0.protocolVersion)" } ?? " (plain MCP server)"
            console.out("plugin '\(manifest.name)': ok")
            console.out("  server: \(session.serverInfo.name) \(session.serverInfo.version), MCP \(session.protocolVersion)\(protocolText)")
            console.out("  kinds: \(session.kinds.map(\.rawValue).joined(separator: ", "))")
            console.out("  runs: \(confinement.text)")
            if session.kinds.contains(.tool) {
                console.out("  tools (\(tools.count)):")
                for tool in tools { console.out("    \(tool.name)" + (tool.description.map { "  \($0)" } ?? "")) }
            }
            if session.kinds.contains(.provider) {
                console.out("  models (\(models.count)):")
                for model in models {
                    let window = model.contextWindow.map { ", context \($0)" } ?? ""
                    console.out("    \(model.id)\(window)")
                }
            }
            return ExitStatus.success
        } catch {
            await client.shutdown()
            return report(error, plugin: manifest.name, json: json, console: console)
        }
    }

    /// Calls one tool and prints its result as JSON; exit status 1 when the result is an error result.
    static func call(_ manifest: PluginManifest, tool: String, arguments: JSONValue, timeout: Duration?,
                     options: PluginHostOptions, console: Console) async -> Int32 {
        let client = PluginClient(manifest: manifest, options: options)
        do {
            let result = try await client.callTool(tool, arguments: arguments, timeout: timeout)
            await client.shutdown()
            console.out(result.json.serialized(pretty: true))
            return result.isError ? ExitStatus.failure : ExitStatus.success
        } catch {
            await client.shutdown()
            return report(error, plugin: manifest.name, json: false, console: console)
        }
    }

    private static func report(_ error: any Error, plugin: String, json: Bool, console: Console) -> Int32 {
        let pluginError = error as? PluginError ?? PluginError(.internal, plugin: plugin, "\(error)")
        if json {
            console.out(JSONValue.object(compacting: ["plugin": .string(plugin), "ok": false, "error": pluginError.json])
                .serialized(pretty: true))
        }
        console.error("awp plugins: error: \(pluginError)")
        return ExitStatus.failure
    }
}
