public import AWPCore

/// A plugin's `awp-plugin.json`: what it is, how to start it, and what it may touch.
///
/// ```json
/// {"name": "openai", "kinds": ["provider"], "command": "./awp-provider-openai", "args": [],
///  "env": {"OPENAI_BASE_URL": "https://api.openai.com/v1"}, "passEnv": ["OPENAI_API_KEY"],
///  "capabilities": {"network": ["api.openai.com"]}, "timeouts": {"startupMs": 10000, "requestMs": 600000}}
/// ```
/// A relative `command` that contains a `/`, and a relative `cwd`, are resolved against the manifest's
/// directory; a bare command name is looked up in `PATH`. `env` sets fixed values; `passEnv` names host variables (API keys) to copy.
public struct PluginManifest: Sendable, Hashable {
    /// Where a manifest was found; earlier origins win when names collide.
    public enum Origin: String, Sendable, Hashable {
        /// Beside the `awp` binary.
        case builtin
        /// In the workflow's `plugins/` directory.
        case workflow
        /// In `$AWP_HOME/plugins/`.
        case home
        /// An entry of an `.mcp.json`-style `mcpServers` file.
        case mcpConfig = "mcp"
        /// Given directly by the caller (tests, embedding programs).
        case explicit
    }

    public var name: String
    public var description: String?
    /// What the manifest claims; checked against the plugin's own declaration at handshake.
    /// Empty means "whatever it declares" (`.mcp.json` entries).
    public var kinds: [PluginKind]
    public var command: String
    public var arguments: [String]
    public var environment: [String: String]
    public var passEnvironment: [String]
    public var capabilities: PluginCapabilities
    public var startupTimeout: Duration?
    public var requestTimeout: Duration?
    public var workingDirectory: String?
    public var origin: Origin
    /// The file the manifest was read from, when there is one.
    public var location: String?

    public init(name: String, kinds: [PluginKind] = [], command: String, arguments: [String] = [],
                environment: [String: String] = [:], passEnvironment: [String] = [],
                capabilities: PluginCapabilities = PluginCapabilities(), description: String? = nil,
                startupTimeout: Duration? = nil, requestTimeout: Duration? = nil, workingDirectory: String? = nil,
                origin: Origin = .explicit, location: String? = nil) {
        self.name = name
        self.description = description
        self.kinds = kinds
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.passEnvironment = passEnvironment
        self.capabilities = capabilities
        self.startupTimeout = startupTimeout
        self.requestTimeout = requestTimeout
        self.workingDirectory = workingDirectory
        self.origin = origin
        self.location = location
    }

    /// Reads a manifest; `directory` resolves a relative `command` and is where `location` points.
    public init(json: JSONValue, directory: String?, origin: Origin, location: String? = nil,
                defaultName: String? = nil) throws(WireFormatError) {
        let reader = try WireReader(json, context: "awp-plugin.json")
        guard let name = try reader.string("name") ?? defaultName, Self.isValidName(name) else {
            throw WireFormatError("awp-plugin.json.name: required, letters, digits, '.', '_' and '-' only")
        }
        var kinds = (try reader.strings("kinds") ?? []).map(PluginKind.init(rawValue:))
        if let kind = try reader.string("kind") { kinds.append(PluginKind(rawValue: kind)) }
        var command = try reader.requiredString("command")
        if let directory, command.contains("/"), !command.hasPrefix("/") {
            command = directory + "/" + (command.hasPrefix("./") ? String(command.dropFirst(2)) : command)
        }
        var environment: [String: String] = [:]
        for (key, value) in try reader.object("env")?.value.objectValue ?? [] {
            guard let text = value.stringValue else { throw WireFormatError("awp-plugin.json.env.\(key): expected a string") }
            environment[key] = text
        }
        var workingDirectory = try reader.string("cwd")
        if let directory, let relative = workingDirectory, !relative.hasPrefix("/") {
            workingDirectory = relative == "." ? directory : directory + "/" + relative
        }
        let timeouts = try reader.object("timeouts")
        self.init(name: name, kinds: kinds, command: command, arguments: try reader.strings("args") ?? [],
                  environment: environment, passEnvironment: try reader.strings("passEnv") ?? [],
                  capabilities: try reader.decode("capabilities", as: PluginCapabilities.self) ?? PluginCapabilities(),
                  description: try reader.string("description"),
                  startupTimeout: try timeouts?.int("startupMs").map { .milliseconds($0) },
                  requestTimeout: try timeouts?.int("requestMs").map { .milliseconds($0) },
                  workingDirectory: workingDirectory, origin: origin, location: location)
    }

    /// The manifest as JSON (for `awp plugins list --json`); env values are not shown, only names.
    public var json: JSONValue {
        .object(compacting: [
            "name": .string(name), "description": description.map(JSONValue.string),
            "kinds": .array(kinds.map { .string($0.rawValue) }), "origin": .string(origin.rawValue),
            "location": location.map(JSONValue.string), "command": .string(command),
            "args": .array(arguments.map(JSONValue.string)),
            "env": .array(environment.keys.sorted().map(JSONValue.string)),
            "passEnv": .array(passEnvironment.map(JSONValue.string)), "capabilities": capabilities.json,
            "timeouts": .object(compacting: [
                "startupMs": startupTimeout.map { .integer($0.wholeMilliseconds) },
                "requestMs": requestTimeout.map { .integer($0.wholeMilliseconds) },
            ]),
        ])
    }

    /// Plugin names are used in tool namespaces and file names, so they stay simple.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit || ("a"..."z").contains($0)
                || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
    }
}
