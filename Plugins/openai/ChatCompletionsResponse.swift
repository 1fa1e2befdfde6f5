import AWPCore
import AWPPluginKit
import AWPProviderSupport

/// Reads OpenAI chat completions responses, whole or streamed, into the normalized result.
enum ChatCompletionsResponse {
    static func stopReason(_ finish: String?) -> StopReason {
        switch finish {
        case "length": .maxTokens
        case "tool_calls", "function_call": .toolUse
        case "content_filter": .contentFilter
        case "stop", nil: .endTurn
        case let other?: StopReason(rawValue: other)
        }
    }

    /// Usage with the prompt's cached part and the reasoning part split out where reported.
    static func usage(_ value: JSONValue?) -> TokenUsage? {
        guard let value, value["prompt_tokens"] != nil || value["completion_tokens"] != nil else { return nil }
        return TokenUsage(inputTokens: value["prompt_tokens"]?.intValue ?? 0, outputTokens: value["completion_tokens"]?.intValue ?? 0,
                          cachedInputTokens: value["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
                          reasoningTokens: value["completion_tokens_details"]?["reasoning_tokens"]?.intValue)
    }

    /// Tool-call argument text as JSON; text that is not JSON is kept under `_unparsed` for the caller to see.
    static func arguments(_ text: String) -> JSONValue {
        if text.isEmpty { return [:] }
        return (try? JSONParser.parse(text)) ?? ["_unparsed": .string(text)]
    }

    /// A whole (non-streamed) response body.
    static func parse(_ value: JSONValue) throws -> GenerateResult {
        if let error = value["error"] { throw failure(fromErrorObject: error, status: nil) }
        guard let choice = value["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw PluginFailure(.unavailable, "the response has no choices[0].message")
        }
        var parts: [MessagePart] = []
        if let text = message["content"]?.stringValue, !text.isEmpty { parts.append(.text(text)) }
        for call in message["tool_calls"]?.arrayValue ?? [] {
            parts.append(.toolCall(ToolCallRequest(id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "",
                                                   arguments: arguments(call["function"]?["arguments"]?.stringValue ?? ""))))
        }
        return GenerateResult(stopReason: stopReason(choice["finish_reason"]?.stringValue),
                              message: ChatMessage(role: .assistant, content: parts), usage: usage(value["usage"]) ?? TokenUsage(),
                              model: value["model"]?.stringValue)
    }

    /// `{"error": {"message", "type", "code"}}` as a typed failure.
    static func failure(fromErrorObject error: JSONValue, status: Int?) -> PluginFailure {
        let message = error["message"]?.stringValue ?? error.serialized()
        let code = error["code"]?.stringValue ?? error["type"]?.stringValue
        var kind = status.map(ProviderHTTP.kind(forStatus:)) ?? .internal
        if code == "context_length_exceeded" { kind = .contextLength }
        if code == "content_filter" { kind = .contentFilter }
        return PluginFailure(kind, message, httpStatus: status, providerCode: code)
    }
}

/// Assembles a streamed response, emitting normalized deltas as chunks arrive.
struct ChatCompletionsStream {
    private var text = ""
    private var calls: [Int: (id: String, name: String, arguments: String)] = [:]
    private var order: [Int] = []
    private(set) var finishReason: String?
    private(set) var usage: TokenUsage?
    private(set) var model: String?
    private(set) var done = false

    /// Handles one SSE `data:` payload; `emit` receives the deltas it yields.
    mutating func handle(_ data: String, emit: (ProviderDelta) -> Void) throws {
        if data == "[DONE]" {
            done = true
            return
        }
        let chunk: JSONValue
        do {
            chunk = try JSONParser.parse(data)
        } catch {
            throw PluginFailure(.unavailable, "the stream sent malformed JSON: \(error)")
        }
        if let error = chunk["error"] { throw ChatCompletionsResponse.failure(fromErrorObject: error, status: nil) }
        model = model ?? chunk["model"]?.stringValue
        if let reported = ChatCompletionsResponse.usage(chunk["usage"]) { usage = reported }
        guard let choice = chunk["choices"]?.arrayValue?.first else { return }
        if let finish = choice["finish_reason"]?.stringValue { finishReason = finish }
        let delta = choice["delta"] ?? [:]
        if let piece = delta["content"]?.stringValue, !piece.isEmpty {
            text += piece
            emit(.text(piece))
        }
        for call in delta["tool_calls"]?.arrayValue ?? [] {
            let index = call["index"]?.intValue ?? 0
            if calls[index] == nil {
                let id = call["id"]?.stringValue ?? "call_\(index)"
                let name = call["function"]?["name"]?.stringValue ?? ""
                calls[index] = (id, name, "")
                order.append(index)
                emit(.toolCallStart(id: id, name: name))
            }
            if let fragment = call["function"]?["arguments"]?.stringValue, !fragment.isEmpty, let id = calls[index]?.id {
                calls[index]?.arguments += fragment
                emit(.toolCallDelta(id: id, arguments: fragment))
            }
        }
    }

    /// The final result, after `[DONE]` or a finish reason; emits the tool-call ends and the usage.
    mutating func finish(emit: (ProviderDelta) -> Void) throws -> GenerateResult {
        guard done || finishReason != nil else {
            throw PluginFailure(.unavailable, "the connection ended in the middle of the stream")
        }
        var parts: [MessagePart] = text.isEmpty ? [] : [.text(text)]
        for index in order {
            guard let call = calls[index] else { continue }
            emit(.toolCallEnd(id: call.id))
            parts.append(.toolCall(ToolCallRequest(id: call.id, name: call.name, arguments: ChatCompletionsResponse.arguments(call.arguments))))
        }
        if let usage { emit(.usage(usage)) }
        return GenerateResult(stopReason: ChatCompletionsResponse.stopReason(finishReason),
                              message: ChatMessage(role: .assistant, content: parts), usage: usage ?? TokenUsage(), model: model)
    }
}
