public import AWPCore
internal import Foundation

/// The de-facto MCP client configuration: `{"mcpServers": {NAME: {"command", "args", "env"}}}`.
///
/// Each entry becomes a tool plugin manifest. `env` values are fixed values for that server (API
/// keys go here or, better, stay in the host environment and are listed in `passEnv`, an awp
/// extension). Entries with a `url` instead of a `command` (HTTP servers) are skipped: awp speaks to
/// plugins over stdio only.
public enum MCPServersFile {
    public static func read(_ path: String) throws -> [PluginManifest] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw WireFormatError("cannot read: \(error.localizedDescription)")
        }
        return try parse(try JSONParser.parse(text), location: path)
    }

    public static func parse(_ value: JSONValue, location: String?) throws(WireFormatError) -> [PluginManifest] {
        let reader = try WireReader(value, context: "mcp config")
        guard let servers = try reader.object("mcpServers") else {
            throw WireFormatError("mcp config: no \"mcpServers\" object")
        }
        let directory = location.map { ($0 as NSString).deletingLastPathComponent }
        var manifests: [PluginManifest] = []
        for (name, entry) in servers.value.objectValue ?? [] where entry["command"] != nil {
            guard PluginManifest.isValidName(name) else {
                throw WireFormatError("mcpServers.\(name): names may use letters, digits, '.', '_' and '-' only")
            }
            do {
                // Relative commands in .mcp.json files are looked up in PATH (npx, uvx, docker), not beside the file.
                var manifest = try PluginManifest(json: entry.setting("name", to: .string(name)), directory: nil,
                                                  origin: .mcpConfig, location: location)
                if let cwd = manifest.workingDirectory, !cwd.hasPrefix("/"), let directory {
                    manifest.workingDirectory = directory + "/" + cwd
                }
                manifests.append(manifest)
            } catch {
                throw WireFormatError("mcpServers.\(name): \(error.message)")
            }
        }
        return manifests
    }
}
