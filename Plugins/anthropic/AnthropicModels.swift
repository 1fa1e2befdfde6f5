import AWPCore
import AWPProviderSupport

/// The Claude models `provider/describe` lists, with their limits and prices.
///
/// Figures are Anthropic's published list prices in US dollars per million tokens (standard tier, prompts
/// up to 200K tokens) and documented limits, as of November 2025
/// (https://docs.anthropic.com/en/docs/about-claude/pricing and …/models/overview). `cachedInputPerMillion`
/// is the cache-hit price. Ids are the aliases; a dated snapshot id (`claude-sonnet-4-5-20250929`)
/// finds its alias through `matching(_:)`. Sonnet 4 and 4.5 can take a 1M-token context behind a beta
/// header at higher prices; the table describes the default 200K.
enum AnthropicModels {
    static let known: [ModelInfo] = [
        model("claude-opus-4-5", maxOutput: 64_000, input: 5, output: 25, cached: 0.5),
        model("claude-opus-4-1", maxOutput: 32_000, input: 15, output: 75, cached: 1.5),
        model("claude-opus-4", maxOutput: 32_000, input: 15, output: 75, cached: 1.5),
        model("claude-sonnet-4-5", maxOutput: 64_000, input: 3, output: 15, cached: 0.3),
        model("claude-sonnet-4", maxOutput: 64_000, input: 3, output: 15, cached: 0.3),
        model("claude-3-7-sonnet", maxOutput: 64_000, input: 3, output: 15, cached: 0.3),
        model("claude-haiku-4-5", maxOutput: 64_000, input: 1, output: 5, cached: 0.1),
        model("claude-3-5-haiku", maxOutput: 8192, input: 0.8, output: 4, cached: 0.08),
        model("claude-3-haiku", maxOutput: 4096, input: 0.25, output: 1.25, cached: 0.03),
    ]

    /// Writing a prompt to the 5-minute cache costs 1.25 times the input price.
    static let cacheWriteMultiplier = 1.25

    private static func model(_ id: String, maxOutput: Int, input: Double, output: Double, cached: Double) -> ModelInfo {
        ModelInfo(id: id, contextWindow: 200_000, maxOutputTokens: maxOutput, supportsTools: true, supportsJSONSchema: true,
                  supportsStreaming: true,
                  pricing: ModelPricing(inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: cached))
    }

    /// The price of `usage` for `model`, or nil for a model without known prices.
    ///
    /// `ModelPricing.cost` charges cache writes at the plain input price; Anthropic adds a quarter on top.
    static func cost(of usage: TokenUsage, model: String?) -> Double? {
        guard let pricing = known.matching(model)?.pricing else { return nil }
        let surcharge = Double(usage.cacheWriteTokens ?? 0) * pricing.inputPerMillion * (cacheWriteMultiplier - 1) / 1_000_000
        return pricing.cost(of: usage) + surcharge
    }
}
