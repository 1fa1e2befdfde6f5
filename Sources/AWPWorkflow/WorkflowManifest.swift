public import AWPCore
internal import AWPYAML

/// `workflow.awp.yaml`: the root manifest of a workflow directory (digest §B.3).
public struct WorkflowManifest: Sendable {
    /// The AWP protocol version (`awp: "1.0.0"`).
    public var awp: String
    public var workflow: WorkflowInfo
    public var orchestration: Orchestration?
    public var state: StateConfig?
    public var memory: MemoryConfig?
    public var communication: CommunicationConfig?
    public var observability: ObservabilityConfig?
    public var customTools: CustomToolsConfig?
    public var dynamicTools: DynamicToolsConfig?
    public var security: SecurityConfig?
    /// The workflow-wide sandbox (`sandbox:` at top level; the reference reads it though it is not declared).
    public var sandbox: SandboxConfig?
    /// Top-level `env` and `settings` pass-through values.
    public var env: JSONValue?
    public var settings: JSONValue?
    /// Keys AWP 1.0 does not define, kept as data.
    public var extras: [ExtraField]
    public var locations: FieldLocations
}

/// The `workflow` section: identity and requirements of the workflow (digest §B.4).
public struct WorkflowInfo: Sendable {
    public var name: String
    public var version: String
    public var description: String
    public var author: String?
    public var license: String?
    public var homepage: String?
    public var repository: String?
    public var tags: [String]
    /// `runtime`, `dependencies`, `env` and `settings`, kept as data (informational in AWP 1.0).
    public var runtime: JSONValue?
    public var dependencies: JSONValue?
    public var env: EnvironmentConfig
    public var settings: JSONValue?
    /// The autonomy level the author declares (`workflow.autonomy`), which the reference ignores.
    public var declaredAutonomy: String?
    public var locations: FieldLocations
}

/// `workflow.env`: environment variables the workflow needs.
public struct EnvironmentConfig: Sendable {
    /// One required variable.
    public struct Variable: Sendable {
        public var name: String
        public var description: String
        public var isSensitive: Bool
    }

    public var required: [Variable] = []
    public var defaults: [String: String] = [:]
}

extension WorkflowManifest {
    static func read(_ root: YAMLNode, context: LoadContext) -> WorkflowManifest? {
        guard root.mapping != nil else {
            context.error("workflow.awp.yaml must be a YAML mapping, got \(describe(root))", at: root)
            return nil
        }
        guard let reader = MappingReader(root, path: "", context: context) else { return nil }
        let awp = reader.string("awp", required: true)
        if let awp, let value = reader.value("awp") { checkSemVer(awp, path: "awp", node: value, context: context) }
        let info = reader.requiredMapping("workflow").flatMap(WorkflowInfo.read)
        let manifest = WorkflowManifest(
            awp: awp ?? "",
            workflow: info ?? WorkflowInfo.placeholder,
            orchestration: reader.mapping("orchestration").map(Orchestration.read),
            state: reader.mapping("state").map(StateConfig.read),
            memory: reader.mapping("memory").map(MemoryConfig.read),
            communication: reader.mapping("communication").map(CommunicationConfig.read),
            observability: reader.mapping("observability").map(ObservabilityConfig.read),
            customTools: reader.mapping("custom_tools").map(CustomToolsConfig.read),
            dynamicTools: reader.mapping("dynamic_tools").map(DynamicToolsConfig.read),
            security: reader.mapping("security").map(SecurityConfig.read),
            sandbox: reader.mapping("sandbox").map(SandboxConfig.read),
            env: reader.json("env"),
            settings: reader.json("settings"),
            extras: [],
            locations: reader.locations
        )
        var result = manifest
        result.extras = reader.finish(note: "kept as data; AWP 1.0 does not define it")
        return awp == nil || info == nil ? nil : result
    }
}

extension WorkflowInfo {
    static let placeholder = WorkflowInfo(
        name: "", version: "", description: "", tags: [], env: EnvironmentConfig(), locations: FieldLocations()
    )

    static func read(_ reader: MappingReader) -> WorkflowInfo? {
        let context = reader.context
        let name = reader.string("name", required: true)
        if let name, !AWPFormat.isWorkflowName(name) {
            context.error(
                "invalid workflow name '\(name)': use lowercase letters, digits, '-' and '_', starting with a letter "
                    + "and ending with a letter or digit (at most 64 characters)",
                at: reader.value("name")
            )
        }
        let version = reader.string("version", required: true)
        if let version, let node = reader.value("version") {
            checkSemVer(version, path: "workflow.version", node: node, context: context)
        }
        let description = reader.string("description", required: true)
        if let description, description.count > 500 {
            context.error(
                "'workflow.description' has \(description.count) characters; at most 500 are allowed",
                at: reader.value("description")
            )
        }
        var env = EnvironmentConfig()
        if let envNode = reader.present("env") {
            if envNode.sequence != nil {
                context.error(
                    "'workflow.env' must be a mapping {required: [...], defaults: {...}}; the list form shown in "
                        + "some AWP documents is not accepted by the reference either",
                    at: envNode
                )
            } else if let envReader = MappingReader(envNode, path: "workflow.env", context: context) {
                env = EnvironmentConfig.read(envReader)
            }
        }
        let info = WorkflowInfo(
            name: name ?? "",
            version: version ?? "",
            description: description ?? "",
            author: reader.string("author"),
            license: reader.string("license"),
            homepage: reader.string("homepage"),
            repository: reader.string("repository"),
            tags: reader.strings("tags", default: []),
            runtime: reader.json("runtime"),
            dependencies: reader.json("dependencies"),
            env: env,
            settings: reader.json("settings"),
            declaredAutonomy: reader.value("autonomy").flatMap { $0.scalar?.text },
            locations: reader.locations
        )
        _ = reader.value("conformance")  // documented, informational
        reader.finish()
        guard name != nil, version != nil, description != nil else { return nil }
        return info
    }
}

extension EnvironmentConfig {
    static func read(_ reader: MappingReader) -> EnvironmentConfig {
        var config = EnvironmentConfig()
        for (index, item) in (reader.list("required") ?? []).enumerated() {
            guard let entry = MappingReader(item, path: "workflow.env.required[\(index)]", context: reader.context)
            else { continue }
            if let name = entry.string("name", required: true) {
                config.required.append(
                    Variable(
                        name: name,
                        description: entry.string("description", default: ""),
                        isSensitive: entry.bool("sensitive", default: false)
                    )
                )
            }
            _ = entry.value("default")
            _ = entry.value("required")
            entry.finish()
        }
        config.defaults = reader.stringMap("defaults")
        reader.finish()
        return config
    }
}

/// Reports a version that is not SemVer (an error) or that SemVer 2.0.0 would reject (a warning).
func checkSemVer(_ text: String, path: String, node: YAMLNode, context: LoadContext) {
    if !AWPFormat.isSemVer(text) {
        context.error("'\(path)' must be a semantic version like 1.0.0, got '\(text)'", at: node)
    } else if let note = AWPFormat.semVerWarning(text) {
        context.warning("'\(path)': \(note); the reference accepts it", at: node)
    }
}
