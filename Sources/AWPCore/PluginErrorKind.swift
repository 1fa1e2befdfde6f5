/// What went wrong with a plugin call, in the words the runtime acts on (retry, fail the run, tell the model).
///
/// A struct with static members rather than an enum, so a plugin that sends a kind this build does
/// not know still decodes, and new kinds can be added without breaking exhaustive `switch`es.
public struct PluginErrorKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    // The kinds a plugin may put on the wire (ARCHITECTURE §3).
    public static let rateLimited = PluginErrorKind(rawValue: "rate_limited")
    public static let overloaded = PluginErrorKind(rawValue: "overloaded")
    public static let auth = PluginErrorKind(rawValue: "auth")
    public static let invalidRequest = PluginErrorKind(rawValue: "invalid_request")
    public static let contextLength = PluginErrorKind(rawValue: "context_length")
    public static let contentFilter = PluginErrorKind(rawValue: "content_filter")
    public static let timeout = PluginErrorKind(rawValue: "timeout")
    public static let unavailable = PluginErrorKind(rawValue: "unavailable")
    public static let `internal` = PluginErrorKind(rawValue: "internal")
    /// Synthesised by the host when the plugin process died with the call in flight; never sent by a plugin.
    public static let pluginCrashed = PluginErrorKind(rawValue: "plugin_crashed")

    // Kinds only the host produces.
    /// The plugin could not be started (missing executable, exec failure, sandbox refusal).
    public static let spawnFailed = PluginErrorKind(rawValue: "spawn_failed")
    /// The handshake failed: no common protocol version, or the plugin is not what its manifest says.
    public static let protocolMismatch = PluginErrorKind(rawValue: "protocol_mismatch")
    /// The plugin broke the framing or JSON-RPC rules (oversized line, malformed response).
    public static let protocolViolation = PluginErrorKind(rawValue: "protocol_violation")
    /// The caller cancelled the call.
    public static let cancelled = PluginErrorKind(rawValue: "cancelled")

    /// The kinds ARCHITECTURE §3 lists for the wire, in order.
    public static let wireKinds: [PluginErrorKind] = [
        .rateLimited, .overloaded, .auth, .invalidRequest, .contextLength, .contentFilter, .timeout, .unavailable,
        .internal, .pluginCrashed,
    ]

    /// The JSON-RPC error code a plugin uses for this kind: host-defined codes 1001–1010, outside the
    /// range JSON-RPC and MCP reserve (-32768…-32000), so they can never be mistaken for transport errors.
    public var code: Int {
        if let index = Self.wireKinds.firstIndex(of: self) { return 1001 + index }
        return 1099
    }

    /// Whether a call failing this way may succeed if simply tried again later.
    public var isRetryableByDefault: Bool {
        [.rateLimited, .overloaded, .timeout, .unavailable, .pluginCrashed].contains(self)
    }

    /// The kind for an error response without `data.kind`: an MCP server or a plain JSON-RPC error.
    public static func forJSONRPCCode(_ code: Int) -> PluginErrorKind {
        switch code {
        case JSONRPCErrorObject.invalidRequest, JSONRPCErrorObject.methodNotFound, JSONRPCErrorObject.invalidParams:
            .invalidRequest
        case 1001...1010:
            wireKinds[code - 1001]
        default:
            .internal
        }
    }
}

/// The `data` member of a plugin's JSON-RPC error: `{kind, retryable, retryAfterMs?, httpStatus?, providerCode?}`.
public struct PluginErrorData: JSONConvertible, Hashable {
    public var kind: PluginErrorKind
    public var retryable: Bool
    /// How long the caller should wait before retrying, when the upstream said (e.g. `Retry-After`).
    public var retryAfterMs: Int?
    /// The upstream HTTP status, for provider plugins.
    public var httpStatus: Int?
    /// The upstream's own error code or type (`rate_limit_error`, `RESOURCE_EXHAUSTED`).
    public var providerCode: String?

    public init(kind: PluginErrorKind, retryable: Bool? = nil, retryAfterMs: Int? = nil, httpStatus: Int? = nil,
                providerCode: String? = nil) {
        self.kind = kind
        self.retryable = retryable ?? kind.isRetryableByDefault
        self.retryAfterMs = retryAfterMs
        self.httpStatus = httpStatus
        self.providerCode = providerCode
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "error.data")
        let kind = PluginErrorKind(rawValue: try reader.requiredString("kind"))
        self.init(kind: kind, retryable: try reader.bool("retryable"), retryAfterMs: try reader.int("retryAfterMs"),
                  httpStatus: try reader.int("httpStatus"), providerCode: try reader.string("providerCode"))
    }

    public var json: JSONValue {
        .object(compacting: [
            "kind": .string(kind.rawValue), "retryable": .bool(retryable), "retryAfterMs": retryAfterMs.map(JSONValue.integer),
            "httpStatus": httpStatus.map(JSONValue.integer), "providerCode": providerCode.map(JSONValue.string),
        ])
    }
}

extension JSONRPCErrorObject {
    /// A plugin error response: the kind's code, `message`, and `data{kind, retryable, …}`.
    public static func plugin(_ kind: PluginErrorKind, _ message: String, retryAfterMs: Int? = nil,
                              httpStatus: Int? = nil, providerCode: String? = nil) -> JSONRPCErrorObject {
        let data = PluginErrorData(kind: kind, retryAfterMs: retryAfterMs, httpStatus: httpStatus, providerCode: providerCode)
        return JSONRPCErrorObject(code: kind.code, message: message, data: data.json)
    }

    /// The typed `data`, or one derived from the code when the plugin sent none (MCP servers never do).
    public var pluginErrorData: PluginErrorData {
        if let data, let typed = try? PluginErrorData(json: data) { return typed }
        return PluginErrorData(kind: .forJSONRPCCode(code))
    }
}
