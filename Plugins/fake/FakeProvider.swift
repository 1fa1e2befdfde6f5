import AWPCore
import AWPPluginKit
import Foundation
import Synchronization

/// A deterministic, offline provider: the same request always gets the same answer.
///
/// Without a script it answers plainly: structured output gets a value built from the schema, a
/// forced tool choice gets a call with schema-built arguments, anything else gets a short text that
/// quotes the last user message. Usage is estimated at four characters per token; the cost is zero.
final class FakeProvider: ProviderHandler {
    /// The one model; any model name is accepted and answered the same way. Prices are zero unless
    /// `--price-in`/`--price-out` set them (budget tests need a model that costs something).
    let model: ModelInfo

    private let settings: FakeSettings
    private let script: [ScriptedResponse]?
    private let calls = Atomic<Int>(0)

    init(settings: FakeSettings) throws {
        self.settings = settings
        script = try settings.scriptPath.map(ScriptedResponse.load)
        model = ModelInfo(id: "fake-1", contextWindow: 128_000, maxOutputTokens: 8192, supportsTools: true,
                          supportsJSONSchema: true, supportsStreaming: true,
                          pricing: ModelPricing(inputPerMillion: settings.priceInPerMillion,
                                                outputPerMillion: settings.priceOutPerMillion))
    }

    func describe() async throws -> ProviderDescription {
        ProviderDescription(models: [model])
    }

    func generate(_ params: GenerateParams, context: GenerationContext) async throws -> GenerateResult {
        let number = calls.add(1, ordering: .relaxed).newValue
        if settings.failEvery > 0 && number % settings.failEvery == 0 {
            try await pause(settings.latencyMs)
            throw PluginFailure(settings.failKind, "injected failure on call \(number)", retryAfterMs: settings.retryAfterMs)
        }
        var result: GenerateResult
        if let script {
            guard number <= script.count else {
                throw PluginFailure(.invalidRequest, "the script has \(script.count) responses; this is call \(number)")
            }
            switch script[number - 1] {
            case .failure(let failure): throw failure
            case .result(let scripted): result = scripted
            }
        } else {
            result = answer(params)
        }
        if result.usage == TokenUsage() { result.usage = estimateUsage(params, result.message) }
        result.model = result.model ?? params.model
        result.costUSD = model.pricing?.cost(of: result.usage)
        try await stream(result, context: context)
        return result
    }

    private func answer(_ params: GenerateParams) -> GenerateResult {
        if let agentic = FakeAgent.respond(params, settings: settings) { return agentic }
        if case .jsonSchema(_, let schema, _) = params.responseFormat {
            let value = SchemaExample(root: schema).value(for: schema)
            return GenerateResult(stopReason: .endTurn, message: .assistant(value.serialized()), usage: TokenUsage())
        }
        let forced: ProviderTool? = switch params.toolChoice {
        case .required: params.tools.first
        case .tool(let name): params.tools.first { $0.name == name }
        default: nil
        }
        if let tool = forced {
            let arguments = SchemaExample(root: tool.inputSchema).value(for: tool.inputSchema)
            let call = ToolCallRequest(id: "call_1", name: tool.name, arguments: arguments)
            return GenerateResult(stopReason: .toolUse, message: ChatMessage(role: .assistant, content: [.toolCall(call)]),
                                  usage: TokenUsage())
        }
        let lastUser = params.messages.last { $0.role == .user }?.text ?? ""
        let quoted = lastUser.count > 200 ? String(lastUser.prefix(200)) + "…" : lastUser
        return GenerateResult(stopReason: .endTurn, message: .assistant("This is the fake provider. You said: \(quoted)"),
                              usage: TokenUsage())
    }

    private func estimateUsage(_ params: GenerateParams, _ message: ChatMessage) -> TokenUsage {
        let prompt = params.messages.map { $0.json.serialized().utf8.count }.reduce(0, +)
        let output = message.json.serialized().utf8.count
        return TokenUsage(inputTokens: max(1, prompt / 4), outputTokens: max(1, output / 4))
    }

    /// Streams the result as deltas (words of text, then each tool call), spreading the latency over them.
    private func stream(_ result: GenerateResult, context: GenerationContext) async throws {
        var pieces: [ProviderDelta] = []
        for part in result.message.content {
            switch part {
            case .text(let text):
                var word = ""
                for character in text {
                    word.append(character)
                    if character == " " { pieces.append(.text(word)); word = "" }
                }
                if !word.isEmpty { pieces.append(.text(word)) }
            case .toolCall(let call):
                pieces += [.toolCallStart(id: call.id, name: call.name),
                           .toolCallDelta(id: call.id, arguments: call.arguments.serialized()), .toolCallEnd(id: call.id)]
            default:
                break
            }
        }
        pieces.append(.usage(result.usage))
        let perPiece = settings.latencyMs / max(pieces.count, 1)
        try await pause(settings.latencyMs - perPiece * pieces.count)
        for piece in pieces {
            try await pause(perPiece)
            context.emit(piece)
        }
    }

    private func pause(_ milliseconds: Int) async throws {
        if milliseconds > 0 { try await Task.sleep(for: .milliseconds(milliseconds)) }
    }
}
