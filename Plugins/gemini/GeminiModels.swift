import AWPCore
import AWPProviderSupport

/// The Gemini models `provider/describe` lists, with their limits and prices.
///
/// Figures are Google's published paid-tier prices in US dollars per million tokens for text, as of
/// November 2025 (https://ai.google.dev/gemini-api/docs/pricing and …/docs/models). Pro models charge
/// more for prompts over 200K tokens; the table gives the lower tier and `cost` does not model the
/// higher one. `cachedInputPerMillion` is the context-cache read price (storage is billed separately).
/// Thinking tokens are billed as output, which `TokenUsage.outputTokens` already includes.
enum GeminiModels {
    static let known: [ModelInfo] = [
        model("gemini-3-pro-preview", context: 1_048_576, maxOutput: 65_536, input: 2, output: 12, cached: 0.2),
        model("gemini-2.5-pro", context: 1_048_576, maxOutput: 65_536, input: 1.25, output: 10, cached: 0.125),
        model("gemini-2.5-flash", context: 1_048_576, maxOutput: 65_536, input: 0.3, output: 2.5, cached: 0.03),
        model("gemini-2.5-flash-lite", context: 1_048_576, maxOutput: 65_536, input: 0.1, output: 0.4, cached: 0.01),
        model("gemini-2.0-flash", context: 1_048_576, maxOutput: 8192, input: 0.1, output: 0.4, cached: 0.025),
        model("gemini-2.0-flash-lite", context: 1_048_576, maxOutput: 8192, input: 0.075, output: 0.3, cached: nil),
    ]

    private static func model(_ id: String, context: Int, maxOutput: Int, input: Double, output: Double, cached: Double?) -> ModelInfo {
        ModelInfo(id: id, contextWindow: context, maxOutputTokens: maxOutput, supportsTools: true, supportsJSONSchema: true,
                  supportsStreaming: true,
                  pricing: ModelPricing(inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: cached))
    }

    /// The price of `usage` for `model`, or nil for a model without known prices.
    static func cost(of usage: TokenUsage, model: String?) -> Double? {
        known.matching(model)?.pricing?.cost(of: usage)
    }
}
