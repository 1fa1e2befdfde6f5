import AWPCore
import AWPPluginKit
import AWPProviderSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Anthropic Messages API: `POST {base}/v1/messages` with `x-api-key` and `anthropic-version`.
///
/// Configuration comes from the environment only: `ANTHROPIC_API_KEY` (required; sent in the
/// `x-api-key` header, never logged), `ANTHROPIC_BASE_URL` (default `https://api.anthropic.com`),
/// `AWP_ANTHROPIC_MODELS` (comma-separated ids for `provider/describe`), `AWP_ANTHROPIC_DEADLINE_MS`
/// (overall limit per call, default 600000) and `AWP_ANTHROPIC_MAX_RETRIES`. Retries follow the
/// official SDK: 408, 409, 429, 5xx and 529 (overloaded), honouring `retry-after` and `x-should-retry`.
final class AnthropicProvider: ProviderHandler {
    static let environmentNames = ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "AWP_ANTHROPIC_MODELS", "AWP_ANTHROPIC_DEADLINE_MS",
                                   "AWP_ANTHROPIC_MAX_RETRIES"]
    /// Still the current value: later API changes arrive as `anthropic-beta` features, not new versions.
    static let apiVersion = "2023-06-01"

    let baseURL: String
    let apiKey: String?
    let modelIDs: [String]
    let deadline: Duration
    let maximumRetries: Int

    init(environment: [String: String]) {
        var base = environment["ANTHROPIC_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.anthropic.com"
        while base.hasSuffix("/") { base.removeLast() }
        // The SDKs take the base without `/v1`; accept it with one too rather than sending `/v1/v1`.
        if base.hasSuffix("/v1") { base.removeLast(3) }
        baseURL = base
        apiKey = environment["ANTHROPIC_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        modelIDs = (environment["AWP_ANTHROPIC_MODELS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        deadline = .milliseconds(environment["AWP_ANTHROPIC_DEADLINE_MS"].flatMap(Int.init) ?? 600_000)
        maximumRetries = environment["AWP_ANTHROPIC_MAX_RETRIES"].flatMap(Int.init) ?? ProviderHTTP.defaultMaximumRetries
    }

    func describe() async throws -> ProviderDescription {
        let models = modelIDs.isEmpty ? AnthropicModels.known : modelIDs.map { id in
            var info = AnthropicModels.known.matching(id)
                ?? ModelInfo(id: id, supportsTools: true, supportsJSONSchema: true, supportsStreaming: true)
            info.id = id
            return info
        }
        return ProviderDescription(models: models, authEnvVars: ["ANTHROPIC_API_KEY"])
    }

    func generate(_ params: GenerateParams, context: GenerationContext) async throws -> GenerateResult {
        guard let apiKey else {
            throw PluginFailure(.auth, "ANTHROPIC_API_KEY is not set in the plugin's environment")
        }
        guard let url = URL(string: baseURL + "/v1/messages") else {
            throw PluginFailure(.invalidRequest, "ANTHROPIC_BASE_URL '\(baseURL)' is not a URL")
        }
        let end = ContinuousClock.now + deadline
        let translated = MessagesRequest(params, stream: context.isStreaming)
        var request = URLRequest.postJSON(url, body: translated.body, streaming: context.isStreaming)
        request.setValue(apiKey, forHTTPHeaderField: "x-api-key")
        request.setValue(Self.apiVersion, forHTTPHeaderField: "anthropic-version")
        let retries = maximumRetries
        let prepared = request
        let answer = translated.answer
        var result = try await ProviderHTTP.withDeadline(end) {
            let response = try await ProviderHTTP.send(prepared, deadline: end, maximumRetries: retries, describe: Self.describeError)
            guard context.isStreaming else { return try MessagesResponse.parse(try await response.json(), answer: answer) }
            var assembler = MessagesStream(answer: answer)
            try await response.forEachEvent { event in
                try assembler.handle(event, emit: context.emit)
                return !assembler.done
            }
            return try assembler.finish(emit: context.emit)
        }
        result.costUSD = AnthropicModels.cost(of: result.usage, model: params.model)
            ?? AnthropicModels.cost(of: result.usage, model: result.model)
        return result
    }

    /// An error response as a typed failure. The body is `{"type": "error", "error": {"type", "message"}}`;
    /// a gateway in between may answer with anything, so other bodies fall back to the status.
    static func describeError(status: Int, headers: [String: String], body: Data) -> PluginFailure {
        if let value = try? JSONParser.parse(Array(body)), let error = value["error"], error["message"] != nil {
            var failure = MessagesResponse.failure(fromErrorObject: error, status: status)
            // 529 is Anthropic's "overloaded", whatever the body calls it.
            if status == 529 { failure.kind = .overloaded }
            return failure
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        return PluginFailure(ProviderHTTP.kind(forStatus: status), "HTTP \(status): \(text)", httpStatus: status)
    }
}
