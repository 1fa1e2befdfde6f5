import AWPCore

/// Translates a normalized `provider/generate` request into an OpenAI chat completions body.
enum ChatCompletionsRequest {
    /// - Parameter maxTokensField: `max_completion_tokens` for api.openai.com (required by reasoning
    ///   models), `max_tokens` for compatible servers, most of which know only that one.
    static func body(_ params: GenerateParams, stream: Bool, maxTokensField: String) -> JSONValue {
        var body: [(key: String, value: JSONValue)] = [
            ("model", .string(params.model)), ("messages", .array(params.messages.flatMap(messages))),
        ]
        if !params.tools.isEmpty {
            body.append(("tools", .array(params.tools.map { tool in
                ["type": "function", "function": .object(compacting: [
                    "name": .string(tool.name), "description": tool.description.map(JSONValue.string), "parameters": tool.inputSchema,
                ])]
            })))
        }
        if let choice = params.toolChoice {
            let value: JSONValue = switch choice {
            case .auto: "auto"
            case .none: "none"
            case .required: "required"
            case .tool(let name): ["type": "function", "function": ["name": .string(name)]]
            }
            body.append(("tool_choice", value))
        }
        if case .jsonSchema(let name, let schema, let strict) = params.responseFormat {
            body.append(("response_format", ["type": "json_schema",
                                             "json_schema": ["name": .string(name), "schema": schema, "strict": .bool(strict)]]))
        }
        if let sampling = params.sampling {
            if let temperature = sampling.temperature { body.append(("temperature", .number(temperature))) }
            if let topP = sampling.topP { body.append(("top_p", .number(topP))) }
            if let seed = sampling.seed { body.append(("seed", .integer(seed))) }
            if !sampling.stop.isEmpty { body.append(("stop", .array(sampling.stop.map(JSONValue.string)))) }
        }
        if let maxTokens = params.maxTokens { body.append((maxTokensField, .integer(maxTokens))) }
        if stream {
            body.append(("stream", true))
            // Without this, streamed responses carry no usage at all.
            body.append(("stream_options", ["include_usage": true]))
        }
        return .object(body)
    }

    /// One normalized message as one or more OpenAI messages (each tool result is its own `tool` message).
    static func messages(_ message: ChatMessage) -> [JSONValue] {
        switch message.role {
        case .tool:
            return message.content.compactMap { part in
                guard case .toolResult(let result) = part else { return nil }
                return ["role": "tool", "tool_call_id": .string(result.toolCallId), "content": .string(result.content)]
            }
        case .assistant:
            let calls = message.toolCalls
            return [.object(compacting: [
                "role": "assistant", "content": message.text.isEmpty && !calls.isEmpty ? .null : .string(message.text),
                "tool_calls": calls.isEmpty ? nil : .array(calls.map { call in
                    ["id": .string(call.id), "type": "function",
                     "function": ["name": .string(call.name), "arguments": .string(call.arguments.serialized())]]
                }),
            ])]
        default:
            let hasImages = message.content.contains { if case .image = $0 { true } else { false } }
            guard hasImages else { return [["role": .string(message.role.rawValue), "content": .string(message.text)]] }
            let parts: [JSONValue] = message.content.compactMap { part in
                switch part {
                case .text(let text): ["type": "text", "text": .string(text)]
                case .image(let data, let mimeType): ["type": "image_url", "image_url": ["url": .string("data:\(mimeType);base64,\(data)")]]
                default: nil
                }
            }
            return [["role": .string(message.role.rawValue), "content": .array(parts)]]
        }
    }
}
