import AWPCore

/// Translates a normalized `provider/generate` request into a Gemini `generateContent` body (the model
/// goes in the URL, not the body).
enum GenerateContentRequest {
    static func body(_ params: GenerateParams, signatures: ThoughtSignatures) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("contents", .array(contents(params.messages, signatures: signatures)))]
        let system = params.messages.filter { $0.role == .system }.map(\.text).filter { !$0.isEmpty }
        if !system.isEmpty {
            members.append(("systemInstruction", ["parts": [["text": .string(system.joined(separator: "\n\n"))]]]))
        }
        if !params.tools.isEmpty {
            let declarations: [JSONValue] = params.tools.map { tool in
                let parameters = GeminiSchema.clean(tool.inputSchema)
                // An object without properties is rejected; a tool without arguments simply has no parameters.
                return .object(compacting: [
                    "name": .string(tool.name), "description": tool.description.map(JSONValue.string),
                    "parameters": parameters["properties"] == nil ? nil : parameters,
                ])
            }
            members.append(("tools", [["functionDeclarations": .array(declarations)]]))
            if let choice = params.toolChoice {
                let config: JSONValue = switch choice {
                case .auto: ["mode": "AUTO"]
                case .none: ["mode": "NONE"]
                case .required: ["mode": "ANY"]
                case .tool(let name): ["mode": "ANY", "allowedFunctionNames": [.string(name)]]
                }
                members.append(("toolConfig", ["functionCallingConfig": config]))
            }
        }
        var generation: [(key: String, value: JSONValue)] = []
        if let sampling = params.sampling {
            if let temperature = sampling.temperature { generation.append(("temperature", .number(temperature))) }
            if let topP = sampling.topP { generation.append(("topP", .number(topP))) }
            if let topK = sampling.topK { generation.append(("topK", .integer(topK))) }
            if let seed = sampling.seed { generation.append(("seed", .integer(seed))) }
            if !sampling.stop.isEmpty { generation.append(("stopSequences", .array(sampling.stop.map(JSONValue.string)))) }
        }
        if let maxTokens = params.maxTokens { generation.append(("maxOutputTokens", .integer(maxTokens))) }
        if case .jsonSchema(_, let schema, _) = params.responseFormat {
            generation.append(("responseMimeType", "application/json"))
            generation.append(("responseSchema", GeminiSchema.clean(schema)))
        }
        if !generation.isEmpty { members.append(("generationConfig", .object(generation))) }
        return .object(members)
    }

    /// The conversation as `user` and `model` turns.
    ///
    /// Tool results go back as `functionResponse` parts in a user turn, named after the call they
    /// answer (Gemini matches by name, and by id only when it issued one). Consecutive turns of the
    /// same role are merged, so parallel calls' results share one turn as Gemini expects.
    static func contents(_ messages: [ChatMessage], signatures: ThoughtSignatures) -> [JSONValue] {
        var turns: [(role: String, parts: [JSONValue])] = []
        for (position, message) in messages.enumerated() where message.role != .system {
            let role = message.role == .assistant ? "model" : "user"
            let parts: [JSONValue] = message.content.compactMap { part in
                switch part {
                case .text(let text):
                    return text.isEmpty ? nil : ["text": .string(text)]
                case .image(let data, let mimeType):
                    return ["inlineData": ["mimeType": .string(mimeType), "data": .string(data)]]
                case .toolCall(let call):
                    let arguments: JSONValue = if case .object = call.arguments { call.arguments } else { [:] }
                    return .object(compacting: [
                        "functionCall": .object(compacting: [
                            "name": .string(call.name), "args": arguments,
                            "id": GeminiIDs.isSynthesized(call.id) ? nil : .string(call.id),
                        ]),
                        // Thinking models need their signature back with the call, or refuse the turn.
                        "thoughtSignature": signatures.signature(for: call).map(JSONValue.string),
                    ])
                case .toolResult(let result):
                    let name = callName(for: result.toolCallId, before: position, in: messages) ?? result.toolCallId
                    let response: JSONValue = result.isError ? ["error": .string(result.content)] : ["result": .string(result.content)]
                    return ["functionResponse": .object(compacting: [
                        "name": .string(name), "response": response,
                        "id": GeminiIDs.isSynthesized(result.toolCallId) ? nil : .string(result.toolCallId),
                    ])]
                }
            }
            guard !parts.isEmpty else { continue }
            if turns.last?.role == role {
                turns[turns.count - 1].parts += parts
            } else {
                turns.append((role, parts))
            }
        }
        return turns.map { ["role": .string($0.role), "parts": .array($0.parts)] }
    }

    /// The name of the latest call with `id` before message `position`: ids Gemini did not issue are
    /// only unique within a turn, so the nearest earlier one is the one answered.
    static func callName(for id: String, before position: Int, in messages: [ChatMessage]) -> String? {
        for message in messages[..<position].reversed() {
            if let call = message.toolCalls.last(where: { $0.id == id }) { return call.name }
        }
        return nil
    }
}

/// Ids for function calls that arrive without one.
enum GeminiIDs {
    static let synthesizedPrefix = "gemini_call_"

    /// A stable id for the `index`th call of a response: the same in the streamed events and the
    /// final message, and the same on every replay of the same response.
    static func synthesized(index: Int, name: String) -> String { "\(synthesizedPrefix)\(index)_\(name)" }

    /// Whether `id` was made up here; such ids are not sent back to Gemini, which never saw them.
    static func isSynthesized(_ id: String) -> Bool { id.hasPrefix(synthesizedPrefix) }
}
