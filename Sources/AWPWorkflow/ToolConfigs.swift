public import AWPCore
internal import AWPYAML

/// `dynamic_tools`: tools that workers write at run time (digest §B.14).
public struct DynamicToolsConfig: Sendable {
    /// A namespace workers may create tools in, with the capabilities those tools get.
    public struct Namespace: Sendable, Hashable {
        public var name: String
        /// `compute`, `network`, `filesystem`; a plain string entry means compute only.
        public var capabilities: [String]
        /// Hosts a `network` namespace's tools may reach.
        public var networkAllowlist: [String]
        /// True when written as an object (`{name, capabilities, network_allowlist}`).
        public var isObjectForm: Bool
    }

    public var isEnabled: Bool = false
    public var persist: Bool = false
    public var maxTotal: Int = 50
    public var allowedNamespaces: [Namespace] = [
        Namespace(name: "dynamic", capabilities: ["compute"], networkAllowlist: [], isObjectForm: false)
    ]
    public var codeReview: Bool = false
    /// Robustness knobs the reference drops while parsing; kept and honoured here.
    public var cache: Bool = true
    public var dryRun: Bool = true
    public var dryRunTimeoutSeconds: Double = 10
    public var timeoutSeconds: Double = 30
    public var locations = FieldLocations()

    public static let capabilityNames: Set<String> = ["compute", "network", "filesystem"]
}

/// `custom_tools`: tools shipped with the workflow in `mcp/` and `tools/` (digest §B.13).
public struct CustomToolsConfig: Sendable {
    public var sourceDir: String = "mcp/"
    public var autoDiscovery: Bool = true
    public var autoInject: Bool = true
    public var declarations: JSONValue?
    public var reservedNamespaces: [String]?
}

extension DynamicToolsConfig {
    static func read(_ reader: MappingReader) -> DynamicToolsConfig {
        let context = reader.context
        var config = DynamicToolsConfig()
        config.locations = reader.locations
        config.isEnabled = reader.bool("enabled", default: false)
        config.persist = reader.bool("persist", default: false)
        config.maxTotal = reader.int("max_total", default: config.maxTotal)
        if let items = reader.list("allowed_namespaces") {
            config.allowedNamespaces = []
            for (index, item) in items.enumerated() {
                let path = "\(reader.childPath("allowed_namespaces"))[\(index)]"
                if item.scalar != nil {
                    if let name = reader.readString(item, path: path, nullable: false) {
                        config.allowedNamespaces.append(
                            Namespace(name: name, capabilities: ["compute"], networkAllowlist: [], isObjectForm: false)
                        )
                    }
                    continue
                }
                guard let entry = MappingReader(item, path: path, context: context) else { continue }
                let name = entry.string("name", required: true) ?? ""
                let capabilities = entry.strings("capabilities", default: ["compute"])
                for capability in capabilities where !capabilityNames.contains(capability) {
                    context.error(
                        "'\(entry.childPath("capabilities"))' has unknown capability '\(capability)'; "
                            + "use compute, network or filesystem",
                        at: entry.value("capabilities")
                    )
                }
                config.allowedNamespaces.append(
                    Namespace(
                        name: name,
                        capabilities: capabilities,
                        networkAllowlist: entry.strings("network_allowlist", default: []),
                        isObjectForm: true
                    )
                )
                entry.finish(note: "kept as data")
            }
        }
        config.codeReview = reader.bool("code_review", default: false)
        config.cache = reader.bool("cache", default: config.cache)
        config.dryRun = reader.bool("dry_run", default: config.dryRun)
        config.dryRunTimeoutSeconds = reader.double("dry_run_timeout_seconds", default: config.dryRunTimeoutSeconds)
        config.timeoutSeconds = reader.double("timeout_seconds", default: config.timeoutSeconds)
        reader.finish()
        return config
    }
}

extension CustomToolsConfig {
    static func read(_ reader: MappingReader) -> CustomToolsConfig {
        var config = CustomToolsConfig()
        config.sourceDir = reader.string("source_dir", default: config.sourceDir)
        config.autoDiscovery = reader.bool("auto_discovery", default: true)
        config.autoInject = reader.bool("auto_inject", default: true)
        config.declarations = reader.json("declarations")
        config.reservedNamespaces = reader.strings("reserved_namespaces")
        reader.finish()
        return config
    }
}
