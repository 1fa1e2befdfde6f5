/// A tool the model may call, as a provider sees it.
public struct ProviderTool: JSONConvertible, Hashable {
    public var name: String
    public var description: String?
    /// JSON Schema of the arguments object.
    public var inputSchema: JSONValue

    public init(name: String, description: String? = nil, inputSchema: JSONValue = ["type": "object"]) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }

    /// The provider view of an MCP tool.
    public init(_ tool: ToolDefinition) {
        self.init(name: tool.name, description: tool.description, inputSchema: tool.inputSchema)
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "tool")
        self.init(name: try reader.requiredString("name"), description: try reader.string("description"),
                  inputSchema: reader.optional("inputSchema") ?? ["type": "object"])
    }

    public var json: JSONValue {
        .object(compacting: ["name": .string(name), "description": description.map(JSONValue.string), "inputSchema": inputSchema])
    }
}

/// Whether and which tool the model must call: `"auto"`, `"none"`, `"required"` or `{"type":"tool","name":…}`.
public enum ToolChoice: JSONConvertible, Hashable {
    case auto
    case none
    case required
    case tool(String)

    public init(json: JSONValue) throws(WireFormatError) {
        switch json {
        case "auto": self = .auto
        case "none": self = .none
        case "required": self = .required
        default:
            let reader = try WireReader(json, context: "toolChoice")
            guard try reader.string("type") == "tool" else {
                throw WireFormatError("toolChoice: expected auto, none, required or {\"type\":\"tool\",\"name\":…}")
            }
            self = .tool(try reader.requiredString("name"))
        }
    }

    public var json: JSONValue {
        switch self {
        case .auto: "auto"
        case .none: "none"
        case .required: "required"
        case .tool(let name): ["type": "tool", "name": .string(name)]
        }
    }
}

/// The shape of the reply: free text, or JSON matching a schema.
public enum ResponseFormat: JSONConvertible, Hashable {
    case text
    case jsonSchema(name: String, schema: JSONValue, strict: Bool)

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "responseFormat")
        switch try reader.requiredString("type") {
        case "text": self = .text
        case "json_schema":
            self = .jsonSchema(name: try reader.string("name") ?? "response", schema: try reader.required("schema"),
                               strict: try reader.bool("strict") ?? true)
        case let other: throw WireFormatError("responseFormat.type: unknown format '\(other)'")
        }
    }

    public var json: JSONValue {
        switch self {
        case .text: ["type": "text"]
        case .jsonSchema(let name, let schema, let strict):
            ["type": "json_schema", "name": .string(name), "schema": schema, "strict": .bool(strict)]
        }
    }
}

/// Sampling settings; nil members are left to the provider's defaults.
public struct Sampling: JSONConvertible, Hashable {
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var seed: Int?
    public var stop: [String]

    public init(temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil, seed: Int? = nil, stop: [String] = []) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
        self.stop = stop
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "sampling")
        self.init(temperature: try reader.double("temperature"), topP: try reader.double("topP"), topK: try reader.int("topK"),
                  seed: try reader.int("seed"), stop: try reader.strings("stop") ?? [])
    }

    public var json: JSONValue {
        .object(compacting: [
            "temperature": temperature.map(JSONValue.number), "topP": topP.map(JSONValue.number),
            "topK": topK.map(JSONValue.integer), "seed": seed.map(JSONValue.integer),
            "stop": stop.isEmpty ? nil : .array(stop.map(JSONValue.string)),
        ])
    }
}

/// `provider/generate` parameters.
public struct GenerateParams: JSONConvertible, Hashable {
    public var model: String
    public var messages: [ChatMessage]
    public var tools: [ProviderTool]
    public var toolChoice: ToolChoice?
    public var responseFormat: ResponseFormat?
    public var sampling: Sampling?
    /// The output cap the budget ledger reserved for; adapters never send more.
    public var maxTokens: Int?
    /// Whether to send `provider/event` notifications while generating.
    public var stream: Bool

    public init(model: String, messages: [ChatMessage], tools: [ProviderTool] = [], toolChoice: ToolChoice? = nil,
                responseFormat: ResponseFormat? = nil, sampling: Sampling? = nil, maxTokens: Int? = nil, stream: Bool = true) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
        self.sampling = sampling
        self.maxTokens = maxTokens
        self.stream = stream
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "params")
        self.init(model: try reader.requiredString("model"), messages: try reader.list("messages", of: ChatMessage.self),
                  tools: try reader.list("tools", of: ProviderTool.self),
                  toolChoice: try reader.decode("toolChoice", as: ToolChoice.self),
                  responseFormat: try reader.decode("responseFormat", as: ResponseFormat.self),
                  sampling: try reader.decode("sampling", as: Sampling.self), maxTokens: try reader.int("maxTokens"),
                  stream: try reader.bool("stream") ?? true)
    }

    public var json: JSONValue {
        .object(compacting: [
            "model": .string(model), "messages": .array(messages.map(\.json)),
            "tools": tools.isEmpty ? nil : .array(tools.map(\.json)), "toolChoice": toolChoice?.json,
            "responseFormat": responseFormat?.json, "sampling": sampling?.json, "maxTokens": maxTokens.map(JSONValue.integer),
            "stream": .bool(stream),
        ])
    }
}

/// Why a generation ended.
public struct StopReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let endTurn = StopReason(rawValue: "end_turn")
    public static let maxTokens = StopReason(rawValue: "max_tokens")
    public static let toolUse = StopReason(rawValue: "tool_use")
    public static let stopSequence = StopReason(rawValue: "stop_sequence")
    public static let contentFilter = StopReason(rawValue: "content_filter")
}

/// The final `provider/generate` result.
public struct GenerateResult: JSONConvertible, Hashable {
    public var stopReason: StopReason
    /// The assistant message: text and/or tool calls.
    public var message: ChatMessage
    public var usage: TokenUsage
    /// The price of this call when the adapter knows the model's prices.
    public var costUSD: Double?
    /// The model that actually answered, when the provider reports it.
    public var model: String?

    public init(stopReason: StopReason, message: ChatMessage, usage: TokenUsage, costUSD: Double? = nil, model: String? = nil) {
        self.stopReason = stopReason
        self.message = message
        self.usage = usage
        self.costUSD = costUSD
        self.model = model
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "result")
        guard let message = try reader.decode("message", as: ChatMessage.self) else {
            throw WireFormatError("result.message: required member is missing")
        }
        self.init(stopReason: StopReason(rawValue: try reader.requiredString("stopReason")), message: message,
                  usage: try reader.decode("usage", as: TokenUsage.self) ?? TokenUsage(), costUSD: try reader.double("costUSD"),
                  model: try reader.string("model"))
    }

    public var json: JSONValue {
        .object(compacting: [
            "stopReason": .string(stopReason.rawValue), "message": message.json, "usage": usage.json,
            "costUSD": costUSD.map(JSONValue.number), "model": model.map(JSONValue.string),
        ])
    }
}
