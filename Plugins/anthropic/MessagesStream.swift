import AWPCore
import AWPPluginKit
import AWPProviderSupport

/// Assembles a streamed Messages response, emitting normalized deltas as the events arrive.
///
/// The stream is `message_start`, then per content block `content_block_start`, any number of
/// `content_block_delta`s and `content_block_stop`, then `message_delta` (stop reason, cumulative
/// usage) and `message_stop`; `ping` may come anywhere and `error` ends it (PLUGINS.md §3.3).
/// Tool input arrives as `input_json_delta` fragments that only parse once the block stops.
struct MessagesStream {
    private enum Block {
        case text(String)
        case toolUse(id: String, name: String, json: String)
        /// The structured-output tool: its input is the reply text.
        case answer(json: String)
        case thinking
        case other
    }

    let answer: StructuredAnswer?
    private var blocks: [Int: Block] = [:]
    private var order: [Int] = []
    private(set) var stopReason: String?
    private(set) var usage: TokenUsage?
    private(set) var model: String?
    private(set) var done = false

    init(answer: StructuredAnswer?) {
        self.answer = answer
    }

    /// Handles one event; `emit` receives the deltas it yields.
    ///
    /// - Throws: `PluginFailure` for an `error` event or malformed JSON.
    mutating func handle(_ event: ServerSentEvent, emit: (ProviderDelta) -> Void) throws {
        let data = try event.json()
        switch data["type"]?.stringValue ?? event.event {
        case "message_start":
            model = data["message"]?["model"]?.stringValue
            usage = MessagesResponse.usage(data["message"]?["usage"])
        case "content_block_start":
            start(index: data["index"]?.intValue ?? order.count, block: data["content_block"] ?? [:], emit: emit)
        case "content_block_delta":
            delta(index: data["index"]?.intValue ?? 0, delta: data["delta"] ?? [:], emit: emit)
        case "content_block_stop":
            stop(index: data["index"]?.intValue ?? 0, emit: emit)
        case "message_delta":
            if let reason = data["delta"]?["stop_reason"]?.stringValue { stopReason = reason }
            mergeUsage(data["usage"])
        case "message_stop":
            done = true
        case "error":
            throw MessagesResponse.failure(fromErrorObject: data["error"] ?? data, status: nil)
        default:
            break  // `ping`, and event types added after this was written
        }
    }

    /// The final result once the stream has ended; emits the usage.
    ///
    /// - Throws: `PluginFailure(.unavailable)` when the stream ended before the message did.
    func finish(emit: (ProviderDelta) -> Void) throws -> GenerateResult {
        guard done || stopReason != nil else {
            throw PluginFailure(.unavailable, "the connection ended in the middle of the stream")
        }
        var texts: [MessagePart] = []
        var calls: [MessagePart] = []
        var answerText: String?
        for index in order {
            switch blocks[index] {
            case .text(let text) where !text.isEmpty: texts.append(.text(text))
            case .toolUse(let id, let name, let json):
                calls.append(.toolCall(ToolCallRequest(id: id, name: name, arguments: MessagesResponse.input(json))))
            case .answer(let json):
                // Unwrapped, the streamed fragments are the reply as the `.text` deltas carried it.
                let wrapped = answer?.isWrapped == true
                answerText = wrapped ? answer?.text(fromInput: MessagesResponse.input(json)) : (json.isEmpty ? "{}" : json)
            default: break
            }
        }
        var stop = MessagesResponse.stopReason(stopReason)
        if let answerText {
            // As in `MessagesResponse.parse`: the answer is the reply, and answering ends the turn.
            texts = [.text(answerText)]
            if stop == .toolUse && calls.isEmpty { stop = .endTurn }
        }
        if let usage { emit(.usage(usage)) }
        return GenerateResult(stopReason: stop, message: ChatMessage(role: .assistant, content: texts + calls),
                              usage: usage ?? TokenUsage(), model: model)
    }

    private mutating func start(index: Int, block: JSONValue, emit: (ProviderDelta) -> Void) {
        if blocks[index] == nil { order.append(index) }
        switch block["type"]?.stringValue {
        case "text":
            let text = block["text"]?.stringValue ?? ""
            if !text.isEmpty { emit(.text(text)) }
            blocks[index] = .text(text)
        case "tool_use":
            let id = block["id"]?.stringValue ?? "toolu_\(index)"
            let name = block["name"]?.stringValue ?? ""
            if let answer, name == answer.name {
                blocks[index] = .answer(json: "")
            } else {
                blocks[index] = .toolUse(id: id, name: name, json: "")
                emit(.toolCallStart(id: id, name: name))
            }
        case "thinking", "redacted_thinking":
            blocks[index] = .thinking
        default:
            blocks[index] = .other
        }
    }

    private mutating func delta(index: Int, delta: JSONValue, emit: (ProviderDelta) -> Void) {
        switch (blocks[index], delta["type"]?.stringValue) {
        case (.text(let text), "text_delta"):
            let piece = delta["text"]?.stringValue ?? ""
            guard !piece.isEmpty else { return }
            blocks[index] = .text(text + piece)
            emit(.text(piece))
        case (.toolUse(let id, let name, let json), "input_json_delta"):
            // The first fragment is usually empty; it carries nothing worth an event.
            let piece = delta["partial_json"]?.stringValue ?? ""
            guard !piece.isEmpty else { return }
            blocks[index] = .toolUse(id: id, name: name, json: json + piece)
            emit(.toolCallDelta(id: id, arguments: piece))
        case (.answer(let json), "input_json_delta"):
            let piece = delta["partial_json"]?.stringValue ?? ""
            guard !piece.isEmpty else { return }
            blocks[index] = .answer(json: json + piece)
            // A wrapped answer is `{"value": …}` on the wire; its text is only known at the block's end.
            if answer?.isWrapped == false { emit(.text(piece)) }
        case (.thinking, "thinking_delta"):
            if let piece = delta["thinking"]?.stringValue, !piece.isEmpty { emit(.reasoning(piece)) }
        default:
            break  // signatures, citations, and deltas for blocks this adapter does not keep
        }
    }

    private mutating func stop(index: Int, emit: (ProviderDelta) -> Void) {
        switch blocks[index] {
        case .toolUse(let id, _, _):
            emit(.toolCallEnd(id: id))
        case .answer(let json):
            if let answer, answer.isWrapped { emit(.text(answer.text(fromInput: MessagesResponse.input(json)))) }
        default:
            break
        }
    }

    /// `message_delta` usage is cumulative and may carry only `output_tokens`; the rest is kept from
    /// `message_start` unless restated.
    private mutating func mergeUsage(_ value: JSONValue?) {
        guard let value, case .object(let members) = value else { return }
        var merged: [(key: String, value: JSONValue)] = []
        if let usage {
            let uncached = usage.inputTokens - usage.cachedInputTokens - (usage.cacheWriteTokens ?? 0)
            merged = [("input_tokens", .integer(uncached)), ("output_tokens", .integer(usage.outputTokens)),
                      ("cache_read_input_tokens", .integer(usage.cachedInputTokens)),
                      ("cache_creation_input_tokens", .integer(usage.cacheWriteTokens ?? 0))]
        }
        for (key, new) in members where !new.isNull {
            if let position = merged.firstIndex(where: { $0.key == key }) {
                merged[position].value = new
            } else {
                merged.append((key, new))
            }
        }
        usage = MessagesResponse.usage(.object(merged)) ?? usage
    }
}
