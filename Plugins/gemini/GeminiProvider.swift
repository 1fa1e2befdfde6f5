import AWPCore
import AWPPluginKit
import AWPProviderSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Gemini API: `POST {base}/v1beta/models/{model}:generateContent`, or
/// `:streamGenerateContent?alt=sse` when streaming.
///
/// Configuration comes from the environment only: `GEMINI_API_KEY` (or `GOOGLE_API_KEY`; required,
/// sent in the `x-goog-api-key` header and never in the URL, where proxies and logs would keep it),
/// `GEMINI_BASE_URL` (default `https://generativelanguage.googleapis.com`), `AWP_GEMINI_MODELS`
/// (comma-separated ids for `provider/describe`), `AWP_GEMINI_DEADLINE_MS` (overall limit per call,
/// default 600000) and `AWP_GEMINI_MAX_RETRIES`. A 429 waits for the `RetryInfo` delay in its body.
final class GeminiProvider: ProviderHandler {
    static let environmentNames = ["GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_BASE_URL", "AWP_GEMINI_MODELS",
                                   "AWP_GEMINI_DEADLINE_MS", "AWP_GEMINI_MAX_RETRIES"]

    let baseURL: String
    let apiKey: String?
    let modelIDs: [String]
    let deadline: Duration
    let maximumRetries: Int
    let signatures = ThoughtSignatures()

    init(environment: [String: String]) {
        var base = environment["GEMINI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://generativelanguage.googleapis.com"
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1beta") { base.removeLast(7) }
        baseURL = base
        apiKey = [environment["GEMINI_API_KEY"], environment["GOOGLE_API_KEY"]].compactMap { $0 }.first { !$0.isEmpty }
        modelIDs = (environment["AWP_GEMINI_MODELS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        deadline = .milliseconds(environment["AWP_GEMINI_DEADLINE_MS"].flatMap(Int.init) ?? 600_000)
        maximumRetries = environment["AWP_GEMINI_MAX_RETRIES"].flatMap(Int.init) ?? ProviderHTTP.defaultMaximumRetries
    }

    func describe() async throws -> ProviderDescription {
        let models = modelIDs.isEmpty ? GeminiModels.known : modelIDs.map { id in
            var info = GeminiModels.known.matching(id)
                ?? ModelInfo(id: id, supportsTools: true, supportsJSONSchema: true, supportsStreaming: true)
            info.id = id
            return info
        }
        return ProviderDescription(models: models, authEnvVars: ["GEMINI_API_KEY", "GOOGLE_API_KEY"])
    }

    func generate(_ params: GenerateParams, context: GenerationContext) async throws -> GenerateResult {
        guard let apiKey else {
            throw PluginFailure(.auth, "neither GEMINI_API_KEY nor GOOGLE_API_KEY is set in the plugin's environment")
        }
        var model = params.model
        if model.hasPrefix("models/") { model.removeFirst(7) }
        let method = context.isStreaming ? "streamGenerateContent?alt=sse" : "generateContent"
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/:?#"))
        guard let escaped = model.addingPercentEncoding(withAllowedCharacters: allowed), !escaped.isEmpty,
              let url = URL(string: "\(baseURL)/v1beta/models/\(escaped):\(method)") else {
            throw PluginFailure(.invalidRequest, "cannot make a request URL from GEMINI_BASE_URL '\(baseURL)' and model '\(model)'")
        }
        let end = ContinuousClock.now + deadline
        var request = URLRequest.postJSON(url, body: GenerateContentRequest.body(params, signatures: signatures),
                                          streaming: context.isStreaming)
        request.setValue(apiKey, forHTTPHeaderField: "x-goog-api-key")
        let retries = maximumRetries
        let prepared = request
        let (assembled, signed) = try await ProviderHTTP.withDeadline(end) {
            let response = try await ProviderHTTP.send(prepared, deadline: end, maximumRetries: retries, describe: Self.describeError)
            var assembler = GenerateContentAssembler()
            if context.isStreaming {
                try await response.forEachEvent { event in
                    try assembler.handle(try event.json(), emit: context.emit)
                    return true
                }
            } else {
                try assembler.handle(try await response.json(), emit: context.emit)
            }
            return (try assembler.finish(emit: context.emit), assembler.signatures)
        }
        for (call, signature) in signed { signatures.remember(signature, for: call) }
        var result = assembled
        result.costUSD = GeminiModels.cost(of: result.usage, model: model) ?? GeminiModels.cost(of: result.usage, model: result.model)
        return result
    }

    /// An error response as a typed failure; a gateway in between may answer with anything, so other
    /// bodies fall back to the status.
    static func describeError(status: Int, headers: [String: String], body: Data) -> PluginFailure {
        let value = try? JSONParser.parse(Array(body))
        // The REST API wraps the error in an object; some front ends send a one-element array of them.
        if let error = value?["error"] ?? value?.arrayValue?.first?["error"], error["message"] != nil {
            return GenerateContentResponse.failure(fromErrorObject: error, status: status)
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        return PluginFailure(ProviderHTTP.kind(forStatus: status), "HTTP \(status): \(text)", httpStatus: status)
    }
}
