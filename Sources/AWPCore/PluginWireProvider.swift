/// A model's prices in US dollars per million tokens.
public struct ModelPricing: JSONConvertible, Hashable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double
    /// The price of prompt tokens read from cache; the input price when the provider has no discount.
    public var cachedInputPerMillion: Double?

    public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
    }

    /// What `usage` costs at these prices.
    public func cost(of usage: TokenUsage) -> Double {
        let cached = Double(min(usage.cachedInputTokens, usage.inputTokens))
        let uncached = Double(usage.inputTokens) - cached
        let cachedPrice = cachedInputPerMillion ?? inputPerMillion
        return (uncached * inputPerMillion + cached * cachedPrice + Double(usage.outputTokens) * outputPerMillion) / 1_000_000
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "pricing")
        self.init(inputPerMillion: try reader.double("inputPerMillion") ?? 0, outputPerMillion: try reader.double("outputPerMillion") ?? 0,
                  cachedInputPerMillion: try reader.double("cachedInputPerMillion"))
    }

    public var json: JSONValue {
        .object(compacting: [
            "inputPerMillion": .number(inputPerMillion), "outputPerMillion": .number(outputPerMillion),
            "cachedInputPerMillion": cachedInputPerMillion.map(JSONValue.number),
        ])
    }
}

/// One model a provider plugin offers.
public struct ModelInfo: JSONConvertible, Hashable {
    public var id: String
    public var contextWindow: Int?
    public var maxOutputTokens: Int?
    public var supportsTools: Bool
    public var supportsJSONSchema: Bool
    public var supportsStreaming: Bool
    public var pricing: ModelPricing?

    public init(id: String, contextWindow: Int? = nil, maxOutputTokens: Int? = nil, supportsTools: Bool = false,
                supportsJSONSchema: Bool = false, supportsStreaming: Bool = false, pricing: ModelPricing? = nil) {
        self.id = id
        self.contextWindow = contextWindow
        self.maxOutputTokens = maxOutputTokens
        self.supportsTools = supportsTools
        self.supportsJSONSchema = supportsJSONSchema
        self.supportsStreaming = supportsStreaming
        self.pricing = pricing
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "model")
        self.init(id: try reader.requiredString("id"), contextWindow: try reader.int("contextWindow"),
                  maxOutputTokens: try reader.int("maxOutputTokens"), supportsTools: try reader.bool("supportsTools") ?? false,
                  supportsJSONSchema: try reader.bool("supportsJsonSchema") ?? false,
                  supportsStreaming: try reader.bool("supportsStreaming") ?? false,
                  pricing: try reader.decode("pricing", as: ModelPricing.self))
    }

    public var json: JSONValue {
        .object(compacting: [
            "id": .string(id), "contextWindow": contextWindow.map(JSONValue.integer),
            "maxOutputTokens": maxOutputTokens.map(JSONValue.integer), "supportsTools": .bool(supportsTools),
            "supportsJsonSchema": .bool(supportsJSONSchema), "supportsStreaming": .bool(supportsStreaming),
            "pricing": pricing?.json,
        ])
    }
}

/// The `provider/describe` result.
public struct ProviderDescription: JSONConvertible, Hashable {
    public var models: [ModelInfo]
    /// Environment variables the plugin reads its credentials from (names only, never values).
    public var authEnvVars: [String]

    public init(models: [ModelInfo], authEnvVars: [String] = []) {
        self.models = models
        self.authEnvVars = authEnvVars
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "result")
        self.init(models: try reader.list("models", of: ModelInfo.self), authEnvVars: try reader.object("auth")?.strings("envVars") ?? [])
    }

    public var json: JSONValue {
        ["models": .array(models.map(\.json)), "auth": ["envVars": .array(authEnvVars.map(JSONValue.string))]]
    }
}

/// A streamed piece of a generation, sent as a `provider/event` notification.
public enum ProviderDelta: Sendable, Hashable {
    case text(String)
    case reasoning(String)
    case toolCallStart(id: String, name: String)
    /// A fragment of the JSON argument text of a call.
    case toolCallDelta(id: String, arguments: String)
    case toolCallEnd(id: String)
    /// Usage so far (cumulative), when the provider reports it mid-stream.
    case usage(TokenUsage)
}

/// `provider/event` parameters: which request, in what order, and the delta.
public struct ProviderEvent: JSONConvertible, Hashable {
    /// The id of the `provider/generate` request this event belongs to.
    public var requestId: JSONRPCID
    /// Increasing from 0 within a request, so a consumer can tell if one was lost.
    public var seq: Int
    public var delta: ProviderDelta

    public init(requestId: JSONRPCID, seq: Int, delta: ProviderDelta) {
        self.requestId = requestId
        self.seq = seq
        self.delta = delta
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "params")
        let requestId = try JSONRPCID(json: try reader.required("requestId"))
        let seq = try reader.int("seq") ?? 0
        let delta: ProviderDelta
        switch try reader.requiredString("type") {
        case "text_delta": delta = .text(try reader.requiredString("text"))
        case "reasoning_delta": delta = .reasoning(try reader.requiredString("text"))
        case "tool_call_start": delta = .toolCallStart(id: try reader.requiredString("id"), name: try reader.requiredString("name"))
        case "tool_call_delta": delta = .toolCallDelta(id: try reader.requiredString("id"), arguments: try reader.string("arguments") ?? "")
        case "tool_call_end": delta = .toolCallEnd(id: try reader.requiredString("id"))
        case "usage": delta = .usage(try reader.decode("usage", as: TokenUsage.self) ?? TokenUsage())
        case let other: throw WireFormatError("params.type: unknown event type '\(other)'")
        }
        self.init(requestId: requestId, seq: seq, delta: delta)
    }

    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("requestId", requestId.json), ("seq", .integer(seq))]
        switch delta {
        case .text(let text): members += [("type", "text_delta"), ("text", .string(text))]
        case .reasoning(let text): members += [("type", "reasoning_delta"), ("text", .string(text))]
        case .toolCallStart(let id, let name): members += [("type", "tool_call_start"), ("id", .string(id)), ("name", .string(name))]
        case .toolCallDelta(let id, let arguments):
            members += [("type", "tool_call_delta"), ("id", .string(id)), ("arguments", .string(arguments))]
        case .toolCallEnd(let id): members += [("type", "tool_call_end"), ("id", .string(id))]
        case .usage(let usage): members += [("type", "usage"), ("usage", usage.json)]
        }
        return .object(members)
    }
}
