public import AWPCore

/// How the host runs plugins: limits, timeouts, restart policy, confinement and logging.
public struct PluginHostOptions: Sendable {
    /// Who the host says it is in the handshake.
    public var clientInfo = PeerInfo(name: "awp", version: "0.1.0")
    /// Limit for the whole handshake; generous because `npx`/`uvx` servers install on first start.
    public var startupTimeout: Duration = .seconds(30)
    /// Default per-request limit when the manifest sets none.
    public var requestTimeout: Duration = .seconds(120)
    /// The longest stdout line accepted; a longer one kills the plugin (its calls fail with `protocol_violation`).
    public var maximumLineLength = 64 << 20
    /// Non-JSON stdout lines tolerated (and logged) before the plugin is treated as broken.
    public var nonJSONLineLimit = 100
    /// Stderr bytes forwarded to `log` per process; the rest is counted only.
    public var stderrForwardLimit = 1 << 20
    /// After closing stdin, how long to wait before SIGTERM, and after SIGTERM before SIGKILL.
    public var shutdownGrace: Duration = .seconds(2)
    public var restartPolicy = PluginRestartPolicy()
    /// Rewrites each spawn (the sandbox seam); unconfined by default.
    public var commandWrapper: any PluginCommandWrapper = UnconfinedCommandWrapper()
    /// The host environment plugins inherit their minimal set and pass-through variables from.
    public var hostEnvironment: [String: String]
    public var log: PluginLogHandler?

    public init(hostEnvironment: [String: String]) {
        self.hostEnvironment = hostEnvironment
    }
}

/// When a crashed plugin is started again: exponential backoff, and a cap on consecutive crashes.
public struct PluginRestartPolicy: Sendable, Hashable {
    /// Restarts attempted after consecutive crashes before the plugin is reported `unavailable`.
    public var maximumConsecutiveCrashes = 5
    public var initialBackoff: Duration = .milliseconds(500)
    public var maximumBackoff: Duration = .seconds(30)

    public init(maximumConsecutiveCrashes: Int = 5, initialBackoff: Duration = .milliseconds(500),
                maximumBackoff: Duration = .seconds(30)) {
        self.maximumConsecutiveCrashes = maximumConsecutiveCrashes
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// The wait before restart number `crashes` (1 for the first crash): initial × 2^(crashes−1), capped.
    public func backoff(afterCrashes crashes: Int) -> Duration {
        guard crashes > 0 else { return .zero }
        var delay = initialBackoff
        for _ in 1..<min(crashes, 32) {
            delay *= 2
            if delay >= maximumBackoff { return maximumBackoff }
        }
        return min(delay, maximumBackoff)
    }
}

/// What the handshake established about a running plugin.
public struct PluginSession: Sendable, Hashable {
    /// The MCP revision in use (`2025-11-25`, …, or `2026-07-28` for a modern server).
    public var protocolVersion: String
    public var serverInfo: PeerInfo
    /// Present for native awp plugins; nil for plain MCP servers (which are tool plugins).
    public var declaration: PluginDeclaration?
    public var capabilities: JSONValue
    public var instructions: String?

    /// Provider, tool or both: from the declaration, or `tool` for a plain MCP server.
    public var kinds: [PluginKind] { declaration?.kinds ?? [.tool] }

    public var json: JSONValue {
        .object(compacting: [
            "protocolVersion": .string(protocolVersion), "serverInfo": serverInfo.json,
            "kinds": .array(kinds.map { .string($0.rawValue) }),
            "pluginProtocolVersion": declaration.map { .integer($0.protocolVersion) },
            "features": declaration.map { .array($0.features.map(JSONValue.string)) },
            "instructions": instructions.map(JSONValue.string),
        ])
    }
}
