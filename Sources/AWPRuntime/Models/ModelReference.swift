public import AWPCore
import Foundation

/// A model named as `provider/model` (`fake/deterministic`, `openai/gpt-4o-mini`,
/// `openai/meta-llama/llama-3-70b`: the first segment is the provider plugin, the rest the model).
/// A bare model name uses the run's default provider.
public struct ModelReference: Sendable, Hashable, CustomStringConvertible {
    public var provider: String
    public var model: String

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    /// Parses `text`; `defaultProvider` applies to bare names. `override` (from `--provider`)
    /// replaces the provider whatever the text says, so a workflow written for one provider runs
    /// on another unchanged.
    public init(parsing text: String, defaultProvider: String, overrideProvider: String? = nil, overrideModel: String? = nil) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var provider = defaultProvider
        var model = trimmed
        if let slash = trimmed.firstIndex(of: "/") {
            provider = String(trimmed[..<slash])
            model = String(trimmed[trimmed.index(after: slash)...])
        }
        if let overrideProvider, !overrideProvider.isEmpty, overrideProvider != provider {
            provider = overrideProvider
        }
        if let overrideModel, !overrideModel.isEmpty { model = overrideModel }
        if model.isEmpty { model = "default" }
        self.init(provider: provider, model: model)
    }

    public var description: String { "\(provider)/\(model)" }
}

/// A conservative token estimate for budget reservations: one token per three UTF-8 bytes of the
/// serialized request, which over-estimates ordinary English (about four bytes a token) so the
/// reservation almost always covers the real prompt.
public enum TokenEstimate {
    public static func prompt(messages: [ChatMessage], tools: [ProviderTool], responseFormat: ResponseFormat?) -> Int {
        var bytes = 0
        for message in messages { bytes += message.json.serializedUTF8().count }
        for tool in tools { bytes += tool.json.serializedUTF8().count }
        if let responseFormat { bytes += responseFormat.json.serializedUTF8().count }
        return bytes / 3 + 8
    }
}
