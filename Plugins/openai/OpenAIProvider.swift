import AWPCore
import AWPPluginKit
import AWPProviderSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An OpenAI-compatible chat completions provider: OpenAI, OpenRouter, Ollama, vLLM, Groq, LM Studio.
///
/// Configuration comes from the environment only: `OPENAI_BASE_URL` (default
/// `https://api.openai.com/v1`), `OPENAI_API_KEY` (sent as a bearer token, never logged; local servers
/// may need none), `AWP_OPENAI_MODELS` (comma-separated ids for `provider/describe`),
/// `AWP_OPENAI_DEADLINE_MS` (overall limit per call, default 600000) and `AWP_OPENAI_MAX_RETRIES`.
final class OpenAIProvider: ProviderHandler {
    static let environmentNames = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "AWP_OPENAI_MODELS", "AWP_OPENAI_DEADLINE_MS",
                                   "AWP_OPENAI_MAX_RETRIES"]

    /// Prices in USD per million tokens for well-known models; others are described without prices.
    static let knownModels: [ModelInfo] = [
        ModelInfo(id: "gpt-4.1", contextWindow: 1_047_576, maxOutputTokens: 32_768, supportsTools: true, supportsJSONSchema: true,
                  supportsStreaming: true, pricing: ModelPricing(inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5)),
        ModelInfo(id: "gpt-4.1-mini", contextWindow: 1_047_576, maxOutputTokens: 32_768, supportsTools: true, supportsJSONSchema: true,
                  supportsStreaming: true, pricing: ModelPricing(inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1)),
        ModelInfo(id: "gpt-4o-mini", contextWindow: 128_000, maxOutputTokens: 16_384, supportsTools: true, supportsJSONSchema: true,
                  supportsStreaming: true, pricing: ModelPricing(inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075)),
    ]

    let baseURL: String
    let apiKey: String?
    let modelIDs: [String]
    let deadline: Duration
    let maximumRetries: Int

    init(environment: [String: String]) {
        var base = environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.openai.com/v1"
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        apiKey = environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        modelIDs = (environment["AWP_OPENAI_MODELS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        deadline = .milliseconds(environment["AWP_OPENAI_DEADLINE_MS"].flatMap(Int.init) ?? 600_000)
        maximumRetries = environment["AWP_OPENAI_MAX_RETRIES"].flatMap(Int.init) ?? ProviderHTTP.defaultMaximumRetries
    }

    func describe() async throws -> ProviderDescription {
        let models = modelIDs.isEmpty ? Self.knownModels : modelIDs.map { id in
            Self.knownModels.first { $0.id == id }
                ?? ModelInfo(id: id, supportsTools: true, supportsJSONSchema: true, supportsStreaming: true)
        }
        return ProviderDescription(models: models, authEnvVars: ["OPENAI_API_KEY"])
    }

    func generate(_ params: GenerateParams, context: GenerationContext) async throws -> GenerateResult {
        let end = ContinuousClock.now + deadline
        let host = URL(string: baseURL)?.host ?? ""
        let body = ChatCompletionsRequest.body(params, stream: context.isStreaming,
                                               maxTokensField: host == "api.openai.com" ? "max_completion_tokens" : "max_tokens")
        guard let url = URL(string: baseURL + "/chat/completions") else {
            throw PluginFailure(.invalidRequest, "OPENAI_BASE_URL '\(baseURL)' is not a URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(context.isStreaming ? "text/event-stream" : "application/json", forHTTPHeaderField: "Accept")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(body.serializedUTF8())
        let retries = maximumRetries
        let prepared = request
        var result = try await ProviderHTTP.withDeadline(end) {
            let response = try await ProviderHTTP.send(prepared, deadline: end, maximumRetries: retries, describe: Self.describeError)
            return context.isStreaming ? try await Self.readStream(response, context: context) : try await Self.readWhole(response)
        }
        let pricing = (Self.knownModels.first { $0.id == params.model } ?? Self.knownModels.first { result.model?.hasPrefix($0.id + "-") == true })?.pricing
        result.costUSD = pricing?.cost(of: result.usage)
        return result
    }

    static func describeError(status: Int, headers: [String: String], body: Data) -> PluginFailure {
        if let value = try? JSONParser.parse(Array(body)), let error = value["error"] {
            return ChatCompletionsResponse.failure(fromErrorObject: error, status: status)
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        return PluginFailure(ProviderHTTP.kind(forStatus: status), "HTTP \(status): \(text)", httpStatus: status)
    }

    static func readWhole(_ response: HTTPStreamResponse) async throws -> GenerateResult {
        let data = try await response.collect(limit: 64 << 20)
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(data))
        } catch {
            throw PluginFailure(.unavailable, "the provider answered with malformed JSON: \(error)")
        }
        return try ChatCompletionsResponse.parse(value)
    }

    static func readStream(_ response: HTTPStreamResponse, context: GenerationContext) async throws -> GenerateResult {
        var parser = ServerSentEventParser()
        var assembler = ChatCompletionsStream()
        let emit: (ProviderDelta) -> Void = { context.emit($0) }
        do {
            for try await chunk in response.body {
                for event in parser.feed(chunk) { try assembler.handle(event.data, emit: emit) }
                if assembler.done { break }
            }
            for event in parser.finish() { try assembler.handle(event.data, emit: emit) }
        } catch let failure as PluginFailure {
            throw failure
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw PluginFailure(.unavailable, "the stream broke off: \(error.localizedDescription)")
        }
        return try assembler.finish(emit: emit)
    }
}
