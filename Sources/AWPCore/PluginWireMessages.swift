/// Who wrote a message in a provider conversation.
public struct ChatRole: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let system = ChatRole(rawValue: "system")
    public static let user = ChatRole(rawValue: "user")
    public static let assistant = ChatRole(rawValue: "assistant")
    /// Carries tool results back to the model.
    public static let tool = ChatRole(rawValue: "tool")
}

/// A tool invocation the model asked for.
public struct ToolCallRequest: Sendable, Hashable {
    /// The provider's id, echoed in the matching tool result.
    public var id: String
    public var name: String
    /// The arguments as a JSON object (providers that stream argument text have it parsed by the adapter).
    public var arguments: JSONValue

    public init(id: String, name: String, arguments: JSONValue = [:]) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// The outcome of a tool call, sent back to the model.
public struct ToolResultContent: Sendable, Hashable {
    public var toolCallId: String
    public var content: String
    public var isError: Bool

    public init(toolCallId: String, content: String, isError: Bool = false) {
        self.toolCallId = toolCallId
        self.content = content
        self.isError = isError
    }
}

/// One piece of a message: text, an image, a tool call (assistant) or a tool result (tool role).
public enum MessagePart: JSONConvertible, Hashable {
    case text(String)
    /// Base64 data with its MIME type; providers without vision reject it.
    case image(data: String, mimeType: String)
    case toolCall(ToolCallRequest)
    case toolResult(ToolResultContent)

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "part")
        switch try reader.requiredString("type") {
        case "text":
            self = .text(try reader.requiredString("text"))
        case "image":
            self = .image(data: try reader.requiredString("data"), mimeType: try reader.requiredString("mimeType"))
        case "tool_call":
            self = .toolCall(ToolCallRequest(id: try reader.requiredString("id"), name: try reader.requiredString("name"),
                                             arguments: reader.optional("arguments") ?? [:]))
        case "tool_result":
            self = .toolResult(ToolResultContent(toolCallId: try reader.requiredString("toolCallId"),
                                                 content: try reader.string("content") ?? "",
                                                 isError: try reader.bool("isError") ?? false))
        case let other:
            throw WireFormatError("part.type: unknown part type '\(other)'")
        }
    }

    public var json: JSONValue {
        switch self {
        case .text(let text):
            ["type": "text", "text": .string(text)]
        case .image(let data, let mimeType):
            ["type": "image", "mimeType": .string(mimeType), "data": .string(data)]
        case .toolCall(let call):
            ["type": "tool_call", "id": .string(call.id), "name": .string(call.name), "arguments": call.arguments]
        case .toolResult(let result):
            .object(compacting: [
                "type": "tool_result", "toolCallId": .string(result.toolCallId), "content": .string(result.content),
                "isError": result.isError ? .bool(true) : nil,
            ])
        }
    }
}

/// A normalized chat message that every provider adapter translates to its own dialect.
public struct ChatMessage: JSONConvertible, Hashable {
    public var role: ChatRole
    public var content: [MessagePart]

    public init(role: ChatRole, content: [MessagePart]) {
        self.role = role
        self.content = content
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: [.text(text)]) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: [.text(text)]) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: .assistant, content: [.text(text)]) }

    /// Accepts `content` as an array of parts or, as a shorthand, a plain string.
    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "message")
        let role = ChatRole(rawValue: try reader.requiredString("role"))
        if let text = reader.optional("content")?.stringValue {
            self.init(role: role, content: [.text(text)])
        } else {
            self.init(role: role, content: try reader.list("content", of: MessagePart.self))
        }
    }

    public var json: JSONValue {
        ["role": .string(role.rawValue), "content": .array(content.map(\.json))]
    }

    /// The text parts joined together.
    public var text: String {
        content.compactMap { part in
            if case .text(let text) = part { return text }
            return nil
        }.joined()
    }

    /// The tool calls in this message, in order.
    public var toolCalls: [ToolCallRequest] {
        content.compactMap { part in
            if case .toolCall(let call) = part { return call }
            return nil
        }
    }
}

/// Token counts of one generation, normalized across providers (PLUGINS.md §3.6).
public struct TokenUsage: JSONConvertible, Hashable {
    /// The whole prompt, cached part included.
    public var inputTokens: Int
    /// Output including any reasoning tokens.
    public var outputTokens: Int
    /// The part of `inputTokens` read from the provider's prompt cache.
    public var cachedInputTokens: Int
    public var cacheWriteTokens: Int?
    public var reasoningTokens: Int?

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0,
                cacheWriteTokens: Int? = nil, reasoningTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "usage")
        self.init(inputTokens: try reader.int("inputTokens") ?? 0, outputTokens: try reader.int("outputTokens") ?? 0,
                  cachedInputTokens: try reader.int("cachedInputTokens") ?? 0,
                  cacheWriteTokens: try reader.int("cacheWriteTokens"), reasoningTokens: try reader.int("reasoningTokens"))
    }

    public var json: JSONValue {
        .object(compacting: [
            "inputTokens": .integer(inputTokens), "outputTokens": .integer(outputTokens),
            "cachedInputTokens": .integer(cachedInputTokens), "cacheWriteTokens": cacheWriteTokens.map(JSONValue.integer),
            "reasoningTokens": reasoningTokens.map(JSONValue.integer),
        ])
    }
}
