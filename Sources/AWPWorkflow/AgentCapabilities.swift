public import AWPCore
internal import AWPYAML

/// An agent's `capabilities`: tools, skills, sandbox and code mode (digest §B.17).
public struct AgentCapabilities: Sendable {
    /// `capabilities.tools`.
    public struct Tools: Sendable {
        public var isEnabled: Bool = false
        public var maxCalls: Int = 0
        /// Allowed tool names; empty means all; `*` globs such as `web.*` are allowed.
        public var allowed: [String] = []
        public var denied: [String] = []
        public var maxParallel: Int = 16
        public var timeoutPerCall: Double = 30
        public var toolChoice: String?
        public var locations = FieldLocations()
    }

    /// `capabilities.codemode`: the agent writes code, and may create tools.
    public struct CodeMode: Sendable {
        public var isEnabled: Bool = false
        /// `python`, `typescript` or `javascript`.
        public var language: String = "python"
        public var toolCreation: Bool = false
        public var toolCreationNamespace: String = "dynamic"
        public var maxTools: Int = 10
        public var sdkSurface: JSONValue?
        public var locations = FieldLocations()
    }

    public var tools: Tools?
    public var codemode: CodeMode?
    public var sandbox: SandboxConfig?
    /// `skills` and `data_sources`, kept as data.
    public var options: [String: JSONValue] = [:]
    public var extras: [ExtraField] = []
}

/// A sandbox section (`sandbox:` at top level or in an agent's capabilities).
public struct SandboxConfig: Sendable {
    /// `subprocess`, `docker`, `venv`, `wasm`, `isolate` or `none`; awp-swift always confines with the kernel.
    public var type: String = "subprocess"
    public var runtime: String = "python"
    public var timeout: Double = 120
    public var maxMemoryMB: Int = 256
    public var maxCPUSeconds: Int = 30
    public var maxOutputBytes: Int = 1_048_576
    public var allowedModules: [String] = []
    public var networkAccess: Bool = false
    public var packages: [String] = []
    public var options: [String: JSONValue] = [:]
    public var locations = FieldLocations()
}

extension AgentCapabilities {
    static func read(_ reader: MappingReader) -> AgentCapabilities {
        var capabilities = AgentCapabilities()
        if let section = reader.mapping("tools") {
            var tools = Tools()
            tools.locations = section.locations
            tools.isEnabled = section.bool("enabled", default: false)
            tools.maxCalls = section.int("max_calls", default: 0)
            tools.allowed = section.strings("allowed", default: [])
            tools.denied = section.strings("denied", default: [])
            _ = section.strings("namespaces")
            tools.maxParallel = section.int("max_parallel", default: tools.maxParallel)
            tools.timeoutPerCall = section.double("timeout_per_call", default: tools.timeoutPerCall)
            tools.toolChoice = section.string("tool_choice")
            _ = section.bool("parallel_calls")
            section.finish()
            capabilities.tools = tools
        }
        if let section = reader.mapping("codemode") {
            var codemode = CodeMode()
            codemode.locations = section.locations
            codemode.isEnabled = section.bool("enabled", default: false)
            codemode.language = section.string("language", default: "python")
            codemode.toolCreation = section.bool("tool_creation", default: false)
            codemode.toolCreationNamespace = section.string("tool_creation_namespace", default: "dynamic")
            codemode.maxTools = section.int("max_tools", default: 10)
            codemode.sdkSurface = section.json("sdk_surface")
            section.finish(note: "kept as data")
            capabilities.codemode = codemode
        }
        capabilities.sandbox = reader.mapping("sandbox").map(SandboxConfig.read)
        for key in ["skills", "data_sources"] {
            if let value = reader.json(key) { capabilities.options[key] = value }
        }
        capabilities.extras = reader.finish(note: "kept as data")
        return capabilities
    }
}

extension SandboxConfig {
    static func read(_ reader: MappingReader) -> SandboxConfig {
        var config = SandboxConfig()
        config.locations = reader.locations
        config.type = reader.string("type", default: config.type)
        config.runtime = reader.string("runtime", default: config.runtime)
        config.timeout = reader.double("timeout", default: config.timeout)
        config.maxMemoryMB = reader.int("max_memory_mb", default: config.maxMemoryMB)
        config.maxCPUSeconds = reader.int("max_cpu_seconds", default: config.maxCPUSeconds)
        config.maxOutputBytes = reader.int("max_output_bytes", default: config.maxOutputBytes)
        config.allowedModules = reader.strings("allowed_modules", default: [])
        config.networkAccess = reader.bool("network_access", default: false)
        config.packages = reader.strings("packages", default: [])
        for key in ["image", "pip_install"] {
            if let value = reader.json(key) { config.options[key] = value }
        }
        for extra in reader.finish(note: "kept as data") { config.options[extra.key] = extra.value }
        return config
    }
}
