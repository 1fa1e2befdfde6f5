internal import AWPCore
internal import AWPPlugins

extension PluginsCommand {
    /// Starts the plugin, runs the handshake, and lists its tools or models.
    static func check(_ manifest: PluginManifest, options: PluginHostOptions, json: Bool, console: Console) async -> Int32 {
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
                ]).serialized(pretty: true))
                return ExitStatus.success
            }
            let protocolText = session.declaration.map { ", awp plugin protocol \($0.protocolVersion)" } ?? " (plain MCP server)"
            console.out("plugin '\(manifest.name)': ok")
            console.out("  server: \(session.serverInfo.name) \(session.serverInfo.version), MCP \(session.protocolVersion)\(protocolText)")
            console.out("  kinds: \(session.kinds.map(\.rawValue).joined(separator: ", "))")
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
