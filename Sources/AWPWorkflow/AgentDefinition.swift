public import AWPCore
internal import AWPYAML

/// `agents/<id>/agent.awp.yaml`: one agent's identity, model, prompt, output and capabilities (digest §B.16).
public struct AgentDefinition: Sendable {
    public var awpAgent: String
    public var id: String
    public var role: String
    public var description: String
    public var version: String
    public var tags: [String]
    /// `runtime.class_name` (rule R3).
    public var className: String
    public var strategyFolder: String
    public var model: ModelConfig
    public var prompt: PromptConfig
    public var output: OutputConfig
    public var capabilities: AgentCapabilities?
    public var memory: MemoryConfig?
    /// `vision` and `preprocessor`, kept as data.
    public var options: [String: JSONValue]
    public var extras: [ExtraField]
    public var locations: FieldLocations
    public var identityLocations: FieldLocations
}

/// `model`: which LLM an agent uses and with what sampling.
public struct ModelConfig: Sendable {
    public var provider: String?
    /// Empty means "use the run's default model".
    public var name: String = ""
    public var fallback: String?
    public var temperature: Double = 0.0
    public var maxTokens: Int?
    public var topP: Double = 1.0
    public var reasoning: JSONValue?
}

/// `prompt`: where the system prompt lives and what else goes into the prompt.
public struct PromptConfig: Sendable {
    /// Path of the system prompt, relative to the agent directory.
    public var system: String
    public var userTemplate: String?
    public var additional: [String] = []
    public var variables: JSONValue?
    public var injectionOrder: [String]?
}

/// `output`: the format of an agent's result and its contract.
public struct OutputConfig: Sendable {
    /// `json`, `text` or `markdown`.
    public var format: String = "json"
    public var schema: String?
    public var schemaDescription: String?
    /// The contract fields in written order.
    public var contract: [OutputField] = []
    public var validationMode: String = "strict"
    public var onInvalid: String = "retry"
    public var maxRetries: Int = 2
    public var locations = FieldLocations()

    public func field(_ name: String) -> OutputField? { contract.first { $0.name == name } }
}

/// One field of an output contract.
public struct OutputField: Sendable {
    public var name: String
    public var type: String
    public var description: String = ""
    public var isShareable: Bool = true
    public var isSensitive: Bool = false
    public var isRequired: Bool = false
    public var minimum: Double?
    public var maximum: Double?
    public var maxLength: Int?
    public var items: JSONValue?
    public var defaultValue: JSONValue?
    public var locations = FieldLocations()
}

extension AgentDefinition {
    static func read(_ root: YAMLNode, context: LoadContext) -> AgentDefinition? {
        guard let reader = MappingReader(root, path: "", context: context) else { return nil }
        let awpAgent = reader.string("awp_agent", required: true)
        if let awpAgent, let node = reader.value("awp_agent") {
            checkSemVer(awpAgent, path: "awp_agent", node: node, context: context)
        }
        var identity = (id: "", role: "", description: "", version: "1.0.0", tags: [String](), locations: FieldLocations())
        var identityComplete = false
        if let section = reader.requiredMapping("identity") {
            let id = section.string("id", required: true)
            if let id, !AWPFormat.isAgentID(id) {
                context.error(invalidAgentIDMessage(id, path: "identity.id"), at: section.value("id"))
            }
            let role = section.string("role", required: true)
            let description = section.string("description", required: true)
            let version = section.string("version") ?? "1.0.0"
            if let node = section.value("version"), section.contains("version") {
                checkSemVer(version, path: "identity.version", node: node, context: context)
            }
            identity = (id ?? "", role ?? "", description ?? "", version, section.strings("tags", default: []), section.locations)
            identityComplete = id != nil && role != nil && description != nil
            section.finish()
        }
        var className = "Agent", strategyFolder = "workflow"
        if let runtime = reader.mapping("runtime") {
            className = runtime.string("class_name", default: className)
            strategyFolder = runtime.string("strategy_folder", default: strategyFolder)
            runtime.finish()
        }
        let model = reader.requiredMapping("model").map(ModelConfig.read)
        let prompt = reader.requiredMapping("prompt").map(PromptConfig.read) ?? nil
        var options: [String: JSONValue] = [:]
        for key in ["vision", "preprocessor"] {
            if let value = reader.json(key) { options[key] = value }
        }
        var agent = AgentDefinition(
            awpAgent: awpAgent ?? "",
            id: identity.id,
            role: identity.role,
            description: identity.description,
            version: identity.version,
            tags: identity.tags,
            className: className,
            strategyFolder: strategyFolder,
            model: model ?? ModelConfig(),
            prompt: prompt ?? PromptConfig(system: ""),
            output: reader.mapping("output").map(OutputConfig.read) ?? OutputConfig(),
            capabilities: reader.mapping("capabilities").map(AgentCapabilities.read),
            memory: reader.mapping("memory").map(MemoryConfig.read),
            options: options,
            extras: [],
            locations: reader.locations,
            identityLocations: identity.locations
        )
        agent.extras = reader.finish(note: "kept as data; AWP 1.0 does not define it")
        guard awpAgent != nil, identityComplete, model != nil, prompt != nil else { return nil }
        return agent
    }
}

extension ModelConfig {
    static func read(_ reader: MappingReader) -> ModelConfig {
        var model = ModelConfig()
        model.provider = reader.string("provider")
        model.name = reader.string("name") ?? ""
        model.fallback = reader.string("fallback")
        if let parameters = reader.mapping("parameters") {
            model.temperature = parameters.double("temperature", default: 0.0)
            model.maxTokens = parameters.int("max_tokens")
            model.topP = parameters.double("top_p", default: 1.0)
            parameters.finish()
        }
        model.reasoning = reader.json("reasoning")
        reader.finish()
        return model
    }
}

extension PromptConfig {
    static func read(_ reader: MappingReader) -> PromptConfig? {
        let system = reader.string("system", required: true)
        let prompt = PromptConfig(
            system: system ?? "",
            userTemplate: reader.string("user_template"),
            additional: reader.strings("additional", default: []),
            variables: reader.json("variables"),
            injectionOrder: reader.strings("injection_order")
        )
        reader.finish()
        return system == nil ? nil : prompt
    }
}

extension OutputConfig {
    static func read(_ reader: MappingReader) -> OutputConfig {
        let context = reader.context
        var output = OutputConfig()
        output.locations = reader.locations
        output.format = reader.string("format", default: "json")
        if !["json", "text", "markdown"].contains(output.format) {
            context.error("'output.format' must be json, text or markdown, got '\(output.format)'", at: reader.value("format"))
        }
        output.schema = reader.string("schema") ?? reader.string("path")
        output.schemaDescription = reader.string("schema_description")
        if let contract = reader.mapping("contract") {
            for name in contract.keys {
                guard let node = contract.value(name) else { continue }
                guard let field = MappingReader(node, path: contract.childPath(name), context: context) else { continue }
                output.contract.append(OutputField.read(field, name: name))
            }
            contract.finish()
        }
        if let validation = reader.mapping("validation") {
            output.validationMode = validation.string("mode", default: output.validationMode)
            output.onInvalid = validation.string("on_invalid", default: output.onInvalid)
            output.maxRetries = validation.int("max_retries", default: output.maxRetries)
            _ = validation.string("retry_prompt")
            validation.finish()
        }
        reader.finish()
        return output
    }
}

extension OutputField {
    static func read(_ reader: MappingReader, name: String) -> OutputField {
        var field = OutputField(name: name, type: reader.string("type", required: true) ?? "")
        field.locations = reader.locations
        field.description = reader.string("description", default: "")
        field.isShareable = reader.bool("shareable", default: true)
        field.isSensitive = reader.bool("sensitive", default: false)
        field.isRequired = reader.bool("required", default: false)
        field.minimum = reader.double("minimum")
        field.maximum = reader.double("maximum")
        field.maxLength = reader.int("max_length")
        field.items = reader.json("items")
        field.defaultValue = reader.json("default")
        _ = reader.json("examples")
        reader.finish()
        return field
    }
}
