import AWPCore
import AWPPluginKit
import AWPProviderSupport

/// Reads Anthropic Messages responses (whole) and error bodies into the normalized shapes.
enum MessagesResponse {
    static func stopReason(_ reason: String?) -> StopReason {
        switch reason {
        case "end_turn", nil: .endTurn
        case "tool_use": .toolUse
        case "max_tokens", "model_context_window_exceeded": .maxTokens
        case "stop_sequence": .stopSequence
        case "refusal": .contentFilter
        case let other?: StopReason(rawValue: other)
        }
    }

    /// Usage normalized (PLUGINS.md §3.6): Anthropic's `input_tokens` excludes the cached and cache-written
    /// parts of the prompt, so they are added back to make `inputTokens` the whole prompt.
    static func usage(_ value: JSONValue?) -> TokenUsage? {
        guard let value, value["input_tokens"] != nil || value["output_tokens"] != nil else { return nil }
        let read = value["cache_read_input_tokens"]?.intValue ?? 0
        let written = value["cache_creation_input_tokens"]?.intValue
        return TokenUsage(inputTokens: (value["input_tokens"]?.intValue ?? 0) + read + (written ?? 0),
                          outputTokens: value["output_tokens"]?.intValue ?? 0, cachedInputTokens: read,
                          cacheWriteTokens: written.flatMap { $0 > 0 ? $0 : nil })
    }

    /// Streamed `partial_json` text as the tool input; text that is not JSON is kept under `_unparsed`.
    static func input(_ text: String) -> JSONValue {
        if text.isEmpty { return [:] }
        return (try? JSONParser.parse(text)) ?? ["_unparsed": .string(text)]
    }

    /// A whole (non-streamed) `message` body.
    static func parse(_ value: JSONValue, answer: StructuredAnswer?) throws -> GenerateResult {
        if value["type"] == "error", let error = value["error"] { throw failure(fromErrorObject: error, status: nil) }
        guard let blocks = value["content"]?.arrayValue else {
            throw PluginFailure(.unavailable, "the response has no content array")
        }
        var texts: [MessagePart] = []
        var calls: [MessagePart] = []
        var answerText: String?
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text":
                if let text = block["text"]?.stringValue, !text.isEmpty { texts.append(.text(text)) }
            case "tool_use":
                let name = block["name"]?.stringValue ?? ""
                let input = block["input"] ?? [:]
                if let answer, name == answer.name {
                    answerText = answer.text(fromInput: input)
                } else {
                    calls.append(.toolCall(ToolCallRequest(id: block["id"]?.stringValue ?? "", name: name, arguments: input)))
                }
            default:
                break
            }
        }
        var stop = stopReason(value["stop_reason"]?.stringValue)
        // The answer tool's input is the reply; prose around it was commentary. A turn that only
        // answered has ended, whatever `tool_use` stop reason forcing the tool produced.
        if let answerText {
            texts = [.text(answerText)]
            if stop == .toolUse && calls.isEmpty { stop = .endTurn }
        }
        let parts = texts + calls
        return GenerateResult(stopReason: stop, message: ChatMessage(role: .assistant, content: parts),
                              usage: usage(value["usage"]) ?? TokenUsage(), model: value["model"]?.stringValue)
    }

    /// `{"type": "error", "error": {"type", "message"}}` (the inner object) as a typed failure.
    static func failure(fromErrorObject error: JSONValue, status: Int?) -> PluginFailure {
        let message = error["message"]?.stringValue ?? error.serialized()
        let type = error["type"]?.stringValue
        var kind: PluginErrorKind = switch type {
        case "rate_limit_error": .rateLimited
        case "overloaded_error": .overloaded
        case "authentication_error", "permission_error", "billing_error": .auth
        case "invalid_request_error", "not_found_error": .invalidRequest
        case "request_too_large": .contextLength
        case "timeout_error": .timeout
        case "api_error": .unavailable
        default: status.map(ProviderHTTP.kind(forStatus:)) ?? .unavailable
        }
        if kind == .invalidRequest && isContextLength(message) { kind = .contextLength }
        return PluginFailure(kind, message, httpStatus: status, providerCode: type)
    }

    /// Anthropic reports an over-long prompt as a plain `invalid_request_error`; only the message tells.
    static func isContextLength(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return ["prompt is too long", "context limit", "context window", "context length", "too many tokens"]
            .contains { lowered.contains($0) }
    }
}
