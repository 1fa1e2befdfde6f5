public import AWPCore

/// Exactly what to execute for a plugin: an executable path, its arguments, its whole environment.
///
/// This is the value a `PluginCommandWrapper` rewrites; the environment here is final (nothing is
/// inherited from the host beyond what is listed).
public struct PluginCommand: Sendable, Hashable {
    /// An absolute path, or a name looked up in this command's own `PATH`.
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    /// The child's working directory; nil keeps the host's.
    public var workingDirectory: String?
    /// Host descriptors the child receives as 3, 4, 5… in this order (for example the egress hand-over
    /// socket of `awp-sandbox`). Every other descriptor beyond 2 is closed in the child. The host keeps
    /// its own copies; `hooks` is where the wrapper that opened them closes them.
    public var passedDescriptors: [Int32]
    /// What the wrapper wants done once the child is running, and once it has ended.
    public var hooks: PluginSpawnHooks?

    public init(executable: String, arguments: [String] = [], environment: [String: String] = [:], workingDirectory: String? = nil,
                passedDescriptors: [Int32] = [], hooks: PluginSpawnHooks? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.passedDescriptors = passedDescriptors
        self.hooks = hooks
    }
}

/// Callbacks a `PluginCommandWrapper` attaches to one spawn of a plugin.
///
/// Exactly one of two paths runs: `spawned` right after a successful spawn and then `ended` once the
/// child has been reaped (on the reaper thread), or only `ended` when the spawn failed. Neither may block
/// for long. Equality is identity: two spawns never share hooks.
public final class PluginSpawnHooks: Sendable, Hashable {
    let spawned: @Sendable () -> Void
    let ended: @Sendable () -> Void

    public init(spawned: @escaping @Sendable () -> Void = {}, ended: @escaping @Sendable () -> Void = {}) {
        self.spawned = spawned
        self.ended = ended
    }

    public static func == (lhs: PluginSpawnHooks, rhs: PluginSpawnHooks) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// What a plugin's manifest says it needs from the outside world; the sandbox grants exactly this.
public struct PluginCapabilities: JSONConvertible, Hashable {
    /// Host names the plugin may reach (a provider's API host), through the egress proxy.
    public var network: [String]
    /// Paths the plugin may read.
    public var readPaths: [String]
    /// Paths the plugin may read and write.
    public var writePaths: [String]

    public init(network: [String] = [], readPaths: [String] = [], writePaths: [String] = []) {
        self.network = network
        self.readPaths = readPaths
        self.writePaths = writePaths
    }

    /// Reads `{"network": [HOST], "filesystem": {"read": [PATH], "write": [PATH]}}`.
    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "capabilities")
        let filesystem = try reader.object("filesystem")
        self.init(network: try reader.strings("network") ?? [], readPaths: try filesystem?.strings("read") ?? [],
                  writePaths: try filesystem?.strings("write") ?? [])
    }

    public var json: JSONValue {
        [
            "network": .array(network.map(JSONValue.string)),
            "filesystem": ["read": .array(readPaths.map(JSONValue.string)), "write": .array(writePaths.map(JSONValue.string))],
        ]
    }

    /// True when the plugin asks for nothing beyond computing.
    public var isEmpty: Bool { network.isEmpty && readPaths.isEmpty && writePaths.isEmpty }
}

/// The seam where confinement plugs in: turns the command a manifest describes into the command
/// actually spawned (for example `awp-sandbox --net proxy --proxy-fd 3 … -- <command>`).
///
/// The host calls it once per spawn, after building the minimal environment, so a wrapper sees
/// the final command and the manifest (its name, origin and declared capabilities). Throwing refuses
/// the spawn; the error reaches the caller as a `spawn_failed` plugin error.
public protocol PluginCommandWrapper: Sendable {
    func wrap(_ command: PluginCommand, for manifest: PluginManifest) throws -> PluginCommand
}

/// Runs plugins as they are, unconfined: the library's default, for embedders and the plugin tests.
/// The `awp` runtime and CLI install the sandboxing wrapper instead.
public struct UnconfinedCommandWrapper: PluginCommandWrapper {
    public init() {}

    public func wrap(_ command: PluginCommand, for manifest: PluginManifest) throws -> PluginCommand {
        command
    }
}

/// The environment a plugin starts with: a minimal set copied from the host, the variables its
/// manifest passes through, the manifest's fixed values, and the awp protocol marker.
///
/// The minimal set is what the official MCP SDKs pass (`HOME, LOGNAME, PATH, SHELL, TERM, USER`), so
/// secrets in the host's environment reach a plugin only when its manifest names them.
public enum PluginEnvironment {
    public static let inherited = ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "LC_ALL", "TMPDIR"]

    public static func make(host: [String: String], passThrough: [String], fixed: [String: String]) -> [String: String] {
        var environment: [String: String] = [:]
        for name in inherited + passThrough {
            if let value = host[name] { environment[name] = value }
        }
        environment.merge(fixed) { _, new in new }
        environment[AWPPluginProtocol.environmentMarker] = String(AWPPluginProtocol.version)
        return environment
    }

    /// `name` resolved to a path: kept when it contains a `/`, else looked up in `environment`'s `PATH`.
    public static func resolveExecutable(_ name: String, environment: [String: String],
                                         isExecutable: (String) -> Bool) -> String? {
        if name.contains("/") { return isExecutable(name) ? name : nil }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(name)"
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }
}
