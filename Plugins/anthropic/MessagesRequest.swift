import AWPCore

/// Translates a normalized `provider/generate` request into an Anthropic Messages API body.
///
/// Structured output (`responseFormat: json_schema`) is done with a forced tool, the approach that
/// works on every Claude model and needs no beta header: the schema becomes the `input_schema` of one
/// extra tool, `tool_choice` names it, and the tool's input comes back as the reply text (see
/// `StructuredAnswer`). When the caller offers tools of its own, the answer tool joins them and the
/// system prompt asks the model to finish by calling it, so the tool loop still works.
struct MessagesRequest {
    /// Anthropic requires `max_tokens`; this is sent when the request names no cap.
    static let defaultMaxTokens = 4096

    var body: JSONValue
    /// The forced tool that carries structured output, when the request asked for a schema.
    var answer: StructuredAnswer?

    init(_ params: GenerateParams, stream: Bool) {
        answer = StructuredAnswer(params)
        var system = params.messages.filter { $0.role == .system }.map(\.text).filter { !$0.isEmpty }
        var tools = params.tools.map { tool in
            JSONValue.object(compacting: [
                "name": .string(tool.name), "description": tool.description.map(JSONValue.string),
                "input_schema": Self.objectSchema(tool.inputSchema),
            ])
        }
        var choice = params.tools.isEmpty ? nil : params.toolChoice.map(Self.toolChoice)
        if let answer {
            if answer.isForced {
                tools = [answer.tool]
                choice = ["type": "tool", "name": .string(answer.name)]
            } else {
                tools.append(answer.tool)
                system.append("When you have the final answer, give it by calling the tool `\(answer.name)`; do not write it as text.")
            }
        }
        var members: [(key: String, value: JSONValue)] = [
            ("model", .string(params.model)), ("max_tokens", .integer(params.maxTokens ?? Self.defaultMaxTokens)),
        ]
        if !system.isEmpty { members.append(("system", .string(system.joined(separator: "\n\n")))) }
        members.append(("messages", .array(Self.messages(params.messages))))
        if !tools.isEmpty { members.append(("tools", .array(tools))) }
        if let choice { members.append(("tool_choice", choice)) }
        if let sampling = params.sampling {
            // Anthropic has no seed; it is dropped rather than failing the call.
            if let temperature = sampling.temperature { members.append(("temperature", .number(temperature))) }
            if let topP = sampling.topP { members.append(("top_p", .number(topP))) }
            if let topK = sampling.topK { members.append(("top_k", .integer(topK))) }
            if !sampling.stop.isEmpty { members.append(("stop_sequences", .array(sampling.stop.map(JSONValue.string)))) }
        }
        if stream { members.append(("stream", true)) }
        body = .object(members)
    }

    static func toolChoice(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: ["type": "auto"]
        case .none: ["type": "none"]
        case .required: ["type": "any"]
        case .tool(let name): ["type": "tool", "name": .string(name)]
        }
    }

    /// `input_schema` must be an object schema; a tool declared without one takes no arguments.
    static func objectSchema(_ schema: JSONValue) -> JSONValue {
        guard case .object = schema, schema["type"] != nil else { return ["type": "object", "properties": [:]] }
        return schema
    }

    /// The conversation as alternating user and assistant turns.
    ///
    /// System messages are lifted to the top-level `system`; tool results become `tool_result` blocks in
    /// a user turn; consecutive turns of the same role are merged, which also puts tool results first
    /// in the turn when a user message follows them, as the API requires.
    static func messages(_ messages: [ChatMessage]) -> [JSONValue] {
        var turns: [(role: String, blocks: [JSONValue])] = []
        for message in messages where message.role != .system {
            let role = message.role == .assistant ? "assistant" : "user"
            let blocks = message.content.compactMap(block)
            guard !blocks.isEmpty else { continue }
            if turns.last?.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        return turns.map { ["role": .string($0.role), "content": .array($0.blocks)] }
    }

    /// One content block; nil for empty text, which the API rejects.
    static func block(_ part: MessagePart) -> JSONValue? {
        switch part {
        case .text(let text):
            return text.isEmpty ? nil : ["type": "text", "text": .string(text)]
        case .image(let data, let mimeType):
            return ["type": "image", "source": ["type": "base64", "media_type": .string(mimeType), "data": .string(data)]]
        case .toolCall(let call):
            let input: JSONValue = if case .object = call.arguments { call.arguments } else { [:] }
            return ["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input]
        case .toolResult(let result):
            return .object(compacting: [
                "type": "tool_result", "tool_use_id": .string(result.toolCallId), "content": .string(result.content),
                "is_error": result.isError ? .bool(true) : nil,
            ])
        }
    }
}

/// The tool that carries a structured reply, and how to read the reply back out of it.
struct StructuredAnswer {
    var name: String
    var tool: JSONValue
    /// Whether the schema was not an object and so was wrapped as `{"value": schema}`.
    var isWrapped: Bool
    /// Whether the answer tool is the only tool and is forced; otherwise the model chooses when to call it.
    var isForced: Bool

    init?(_ params: GenerateParams) {
        guard case .jsonSchema(let schemaName, let schema, _) = params.responseFormat else { return nil }
        var name = String(schemaName.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" }.prefix(64))
        if name.isEmpty { name = "response" }
        while params.tools.contains(where: { $0.name == name }) { name += "_answer" }
        self.name = name
        isWrapped = schema["type"] != "object"
        let inputSchema: JSONValue = isWrapped ? ["type": "object", "properties": ["value": schema], "required": ["value"]] : schema
        tool = ["name": .string(name), "description": "Gives the final answer in the required JSON shape.", "input_schema": inputSchema]
        isForced = params.tools.isEmpty || params.toolChoice == ToolChoice.none
    }

    /// The reply text for the answer tool's input.
    func text(fromInput input: JSONValue) -> String {
        (isWrapped ? input["value"] ?? .null : input).serialized()
    }
}
