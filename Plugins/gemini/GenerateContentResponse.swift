import AWPCore
import AWPPluginKit
import AWPProviderSupport

/// Assembles Gemini `GenerateContentResponse`s, emitting normalized deltas as they arrive.
///
/// A whole response is one of them; a stream (`alt=sse`) is a sequence of them, each with the next
/// parts of the first candidate. Function calls arrive whole, so each becomes start, one delta and
/// end at once. Usage may come with every chunk and the last one counts; the stream ends by closing,
/// and the chunk with a `finishReason` is what shows it ended rather than broke off (PLUGINS.md §3.4).
struct GenerateContentAssembler {
    private var text = ""
    private var calls: [ToolCallRequest] = []
    private(set) var signatures: [(call: ToolCallRequest, signature: String)] = []
    private(set) var finishReason: String?
    private(set) var usage: TokenUsage?
    private(set) var model: String?

    /// Handles one response object; `emit` receives the deltas it yields.
    ///
    /// - Throws: `PluginFailure` for an `error` object or a prompt Gemini blocked.
    mutating func handle(_ chunk: JSONValue, emit: (ProviderDelta) -> Void) throws {
        if let error = chunk["error"] { throw GenerateContentResponse.failure(fromErrorObject: error, status: nil) }
        model = chunk["modelVersion"]?.stringValue ?? model
        if let reported = GenerateContentResponse.usage(chunk["usageMetadata"]) { usage = reported }
        guard let candidate = chunk["candidates"]?.arrayValue?.first else {
            if let reason = chunk["promptFeedback"]?["blockReason"]?.stringValue {
                throw PluginFailure(.contentFilter, "Gemini blocked the prompt (\(reason))", providerCode: reason)
            }
            return
        }
        for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
            if let piece = part["text"]?.stringValue, !piece.isEmpty {
                if part["thought"]?.boolValue == true {
                    emit(.reasoning(piece))
                } else {
                    text += piece
                    emit(.text(piece))
                }
            }
            if let function = part["functionCall"] {
                let name = function["name"]?.stringValue ?? ""
                let id = function["id"]?.stringValue ?? GeminiIDs.synthesized(index: calls.count, name: name)
                let call = ToolCallRequest(id: id, name: name, arguments: function["args"] ?? [:])
                calls.append(call)
                if let signature = part["thoughtSignature"]?.stringValue { signatures.append((call, signature)) }
                emit(.toolCallStart(id: id, name: name))
                emit(.toolCallDelta(id: id, arguments: call.arguments.serialized()))
                emit(.toolCallEnd(id: id))
            }
        }
        if let reason = candidate["finishReason"]?.stringValue { finishReason = reason }
    }

    /// The final result; emits the usage.
    ///
    /// - Throws: `PluginFailure(.unavailable)` when no response said it was finished.
    func finish(emit: (ProviderDelta) -> Void) throws -> GenerateResult {
        guard let finishReason else {
            throw PluginFailure(.unavailable, "the connection ended in the middle of the stream")
        }
        let parts: [MessagePart] = (text.isEmpty ? [] : [.text(text)]) + calls.map(MessagePart.toolCall)
        if let usage { emit(.usage(usage)) }
        return GenerateResult(stopReason: GenerateContentResponse.stopReason(finishReason, hasCalls: !calls.isEmpty),
                              message: ChatMessage(role: .assistant, content: parts), usage: usage ?? TokenUsage(), model: model)
    }
}

/// Gemini's finish reasons, usage and errors in the normalized vocabulary.
enum GenerateContentResponse {
    /// Gemini has no "tool calls" finish reason: a turn that called functions ends with `STOP`.
    static func stopReason(_ reason: String, hasCalls: Bool) -> StopReason {
        switch reason {
        case "STOP", "FINISH_REASON_UNSPECIFIED": hasCalls ? .toolUse : .endTurn
        case "MAX_TOKENS": .maxTokens
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY": .contentFilter
        default: StopReason(rawValue: reason.lowercased())
        }
    }

    /// `usageMetadata` normalized (PLUGINS.md §3.6): the prompt count includes the cached part;
    /// thinking tokens are output but not in `candidatesTokenCount`, so they are added.
    static func usage(_ value: JSONValue?) -> TokenUsage? {
        guard let value, value["promptTokenCount"] != nil || value["candidatesTokenCount"] != nil else { return nil }
        let thoughts = value["thoughtsTokenCount"]?.intValue
        return TokenUsage(inputTokens: (value["promptTokenCount"]?.intValue ?? 0) + (value["toolUsePromptTokenCount"]?.intValue ?? 0),
                          outputTokens: (value["candidatesTokenCount"]?.intValue ?? 0) + (thoughts ?? 0),
                          cachedInputTokens: value["cachedContentTokenCount"]?.intValue ?? 0, reasoningTokens: thoughts)
    }

    /// `{"error": {"code", "message", "status", "details"}}` (the inner object) as a typed failure,
    /// with the `RetryInfo` delay Gemini sends instead of a `Retry-After` header.
    static func failure(fromErrorObject error: JSONValue, status: Int?) -> PluginFailure {
        let message = error["message"]?.stringValue ?? error.serialized()
        let code = error["status"]?.stringValue
        let httpStatus = status ?? error["code"]?.intValue
        let details = error["details"]?.arrayValue ?? []
        var kind: PluginErrorKind = switch code {
        case "RESOURCE_EXHAUSTED": .rateLimited
        case "UNAUTHENTICATED", "PERMISSION_DENIED": .auth
        case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "NOT_FOUND", "OUT_OF_RANGE": .invalidRequest
        case "DEADLINE_EXCEEDED": .timeout
        case "UNAVAILABLE": message.lowercased().contains("overloaded") ? .overloaded : .unavailable
        case "INTERNAL": .unavailable
        default: httpStatus.map(ProviderHTTP.kind(forStatus:)) ?? .unavailable
        }
        // A bad key is a 400 INVALID_ARGUMENT whose ErrorInfo says API_KEY_INVALID.
        if details.contains(where: { $0["reason"]?.stringValue?.hasPrefix("API_KEY") == true }) || message.contains("API key not valid") {
            kind = .auth
        }
        if kind == .invalidRequest && isContextLength(message) { kind = .contextLength }
        let retryDelay = details.first { $0["@type"]?.stringValue?.hasSuffix("google.rpc.RetryInfo") == true }?["retryDelay"]?.stringValue
        return PluginFailure(kind, message, retryAfterMs: retryDelay.flatMap(milliseconds), httpStatus: httpStatus, providerCode: code)
    }

    static func isContextLength(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return lowered.contains("exceeds the maximum number of tokens") || lowered.contains("input token count")
            || lowered.contains("context window") || lowered.contains("too long")
    }

    /// A protobuf JSON duration (`"37s"`, `"0.5s"`) in milliseconds.
    static func milliseconds(_ duration: String) -> Int? {
        guard duration.hasSuffix("s"), let seconds = Double(duration.dropLast()), seconds >= 0 else { return nil }
        return Int((seconds * 1000).rounded())
    }
}
