/// MCP tool annotations: untrusted hints about what a tool does.
///
/// Kept through every layer because the run store decides from them which calls may be replayed on resume.
public struct ToolAnnotations: JSONConvertible, Hashable {
    public var title: String?
    /// The tool does not change its environment.
    public var readOnlyHint: Bool?
    /// The tool may destroy or overwrite data (only meaningful when not read-only).
    public var destructiveHint: Bool?
    /// Calling it again with the same arguments has no further effect.
    public var idempotentHint: Bool?
    /// The tool reaches outside a closed world (the internet, other people's systems).
    public var openWorldHint: Bool?

    public init(title: String? = nil, readOnlyHint: Bool? = nil, destructiveHint: Bool? = nil,
                idempotentHint: Bool? = nil, openWorldHint: Bool? = nil) {
        self.title = title
        self.readOnlyHint = readOnlyHint
        self.destructiveHint = destructiveHint
        self.idempotentHint = idempotentHint
        self.openWorldHint = openWorldHint
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "annotations")
        self.init(title: try reader.string("title"), readOnlyHint: try reader.bool("readOnlyHint"),
                  destructiveHint: try reader.bool("destructiveHint"), idempotentHint: try reader.bool("idempotentHint"),
                  openWorldHint: try reader.bool("openWorldHint"))
    }

    public var json: JSONValue {
        .object(compacting: [
            "title": title.map(JSONValue.string), "readOnlyHint": readOnlyHint.map(JSONValue.bool),
            "destructiveHint": destructiveHint.map(JSONValue.bool), "idempotentHint": idempotentHint.map(JSONValue.bool),
            "openWorldHint": openWorldHint.map(JSONValue.bool),
        ])
    }
}

/// One entry of a `tools/list` result.
public struct ToolDefinition: JSONConvertible, Hashable {
    public var name: String
    public var title: String?
    public var description: String?
    /// JSON Schema of the arguments object.
    public var inputSchema: JSONValue
    /// JSON Schema of `structuredContent`, when the tool promises one.
    public var outputSchema: JSONValue?
    public var annotations: ToolAnnotations?

    public init(name: String, title: String? = nil, description: String? = nil,
                inputSchema: JSONValue = ["type": "object"], outputSchema: JSONValue? = nil,
                annotations: ToolAnnotations? = nil) {
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.annotations = annotations
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "tool")
        self.init(name: try reader.requiredString("name"), title: try reader.string("title"),
                  description: try reader.string("description"), inputSchema: reader.optional("inputSchema") ?? ["type": "object"],
                  outputSchema: reader.optional("outputSchema"), annotations: try reader.decode("annotations", as: ToolAnnotations.self))
    }

    public var json: JSONValue {
        .object(compacting: [
            "name": .string(name), "title": title.map(JSONValue.string), "description": description.map(JSONValue.string),
            "inputSchema": inputSchema, "outputSchema": outputSchema, "annotations": annotations?.json,
        ])
    }
}

/// One page of `tools/list`; `nextCursor` asks for another.
public struct ToolListPage: JSONConvertible, Hashable {
    public var tools: [ToolDefinition]
    public var nextCursor: String?

    public init(tools: [ToolDefinition], nextCursor: String? = nil) {
        self.tools = tools
        self.nextCursor = nextCursor
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "result")
        self.init(tools: try reader.list("tools", of: ToolDefinition.self), nextCursor: try reader.string("nextCursor"))
    }

    public var json: JSONValue {
        .object(compacting: ["tools": .array(tools.map(\.json)), "nextCursor": nextCursor.map(JSONValue.string)])
    }
}

/// `tools/call` parameters.
public struct ToolCallParams: JSONConvertible, Hashable {
    public var name: String
    public var arguments: JSONValue
    /// Set when the caller wants `notifications/progress` for this call.
    public var progressToken: JSONRPCID?

    public init(name: String, arguments: JSONValue = [:], progressToken: JSONRPCID? = nil) {
        self.name = name
        self.arguments = arguments
        self.progressToken = progressToken
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "params")
        let token = try reader.object("_meta")?.optional("progressToken")
        self.init(name: try reader.requiredString("name"), arguments: reader.optional("arguments") ?? [:],
                  progressToken: try token.map { v throws(WireFormatError) in try JSONRPCID(json: v) })
    }

    public var json: JSONValue {
        .object(compacting: [
            "name": .string(name), "arguments": arguments,
            "_meta": progressToken.map { ["progressToken": $0.json] },
        ])
    }
}

/// An item of a tool result's `content`. Text and images are typed; other MCP blocks (audio,
/// resource links, embedded resources) pass through as JSON.
public enum ContentBlock: JSONConvertible, Hashable {
    case text(String)
    /// Base64 data with its MIME type.
    case image(data: String, mimeType: String)
    case other(JSONValue)

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "content")
        switch try reader.string("type") {
        case "text": self = .text(try reader.requiredString("text"))
        case "image": self = .image(data: try reader.requiredString("data"), mimeType: try reader.requiredString("mimeType"))
        default: self = .other(json)
        }
    }

    public var json: JSONValue {
        switch self {
        case .text(let text): ["type": "text", "text": .string(text)]
        case .image(let data, let mimeType): ["type": "image", "data": .string(data), "mimeType": .string(mimeType)]
        case .other(let value): value
        }
    }

    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}

/// A `tools/call` result. `isError` marks a failure the model should read and may correct; it is
/// not a protocol error.
public struct ToolCallResult: JSONConvertible, Hashable {
    public var content: [ContentBlock]
    public var structuredContent: JSONValue?
    public var isError: Bool

    public init(content: [ContentBlock], structuredContent: JSONValue? = nil, isError: Bool = false) {
        self.content = content
        self.structuredContent = structuredContent
        self.isError = isError
    }

    /// A result holding one text block.
    public static func text(_ text: String, isError: Bool = false) -> ToolCallResult {
        ToolCallResult(content: [.text(text)], isError: isError)
    }

    /// A structured result, with its JSON also as text for clients that read only text.
    public static func structured(_ value: JSONValue) -> ToolCallResult {
        ToolCallResult(content: [.text(value.serialized())], structuredContent: value)
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "result")
        self.init(content: try reader.list("content", of: ContentBlock.self),
                  structuredContent: reader.optional("structuredContent"), isError: try reader.bool("isError") ?? false)
    }

    public var json: JSONValue {
        .object(compacting: [
            "content": .array(content.map(\.json)), "structuredContent": structuredContent,
            "isError": isError ? .bool(true) : nil,
        ])
    }

    /// The text blocks joined by newlines.
    public var text: String { content.compactMap(\.text).joined(separator: "\n") }
}
