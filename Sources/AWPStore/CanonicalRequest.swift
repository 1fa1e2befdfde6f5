public import AWPCore

/// The parts of an LLM request that decide its answer, in one canonical encoding.
///
/// The cache key and `LLMCallRecord.requestHash` are the SHA-256 of `canonicalBytes`: the JSON
/// object `{"messages", "model", "provider", "responseFormat", "sampling", "tools"}` with keys sorted
/// by code point at every level and no whitespace. Whole-valued numbers are written as integers
/// (`1.0` and `1` give one key), so a request that only differs in how a number was spelt still
/// hits. Anything not listed here (timeouts, request ids, streaming flags) must not affect the
/// answer and is left out by the caller.
public struct CanonicalRequest: Sendable, Equatable {
    public var provider: String
    public var model: String
    public var messages: JSONValue
    public var tools: JSONValue
    public var responseFormat: JSONValue
    /// Temperature, top-p, max tokens, seed, stop sequences… as the provider plugin receives them.
    public var sampling: JSONValue

    public init(
        provider: String,
        model: String,
        messages: JSONValue,
        tools: JSONValue = .array([]),
        responseFormat: JSONValue = .null,
        sampling: JSONValue = .object([])
    ) {
        self.provider = provider
        self.model = model
        self.messages = messages
        self.tools = tools
        self.responseFormat = responseFormat
        self.sampling = sampling
    }

    /// The request as one JSON object, numbers normalised (see the type's discussion).
    public var json: JSONValue {
        [
            "messages": Self.normalised(messages),
            "model": .string(model),
            "provider": .string(provider),
            "responseFormat": Self.normalised(responseFormat),
            "sampling": Self.normalised(sampling),
            "tools": Self.normalised(tools),
        ]
    }

    /// Compact JSON with sorted keys: the bytes that are hashed.
    public var canonicalBytes: [UInt8] { json.serializedUTF8(pretty: false, sortKeys: true) }

    /// SHA-256 of `canonicalBytes`, 64 hex digits.
    public var hash: String { SHA256.hexDigest(of: canonicalBytes) }

    private static func normalised(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let number) where number.rounded() == number && abs(number) < 9_007_199_254_740_992:
            return .integer(Int(number))
        case .array(let elements):
            return .array(elements.map(normalised))
        case .object(let members):
            return .object(members.map { (key: $0.key, value: normalised($0.value)) })
        default:
            return value
        }
    }
}
