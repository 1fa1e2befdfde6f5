public import AWPCore

/// An error a plugin handler throws to answer with a typed JSON-RPC error
/// (`code`, `message`, `data{kind, retryable, retryAfterMs, …}`).
///
/// Tool handlers that fail in a way the model should read and correct return
/// `ToolCallResult.text(…, isError: true)` instead; any other error a tool handler throws also
/// becomes such a result. Provider handlers' other errors become `internal`.
public struct PluginFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: PluginErrorKind
    public var message: String
    public var retryAfterMs: Int?
    public var httpStatus: Int?
    public var providerCode: String?

    public init(_ kind: PluginErrorKind, _ message: String, retryAfterMs: Int? = nil, httpStatus: Int? = nil,
                providerCode: String? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfterMs = retryAfterMs
        self.httpStatus = httpStatus
        self.providerCode = providerCode
    }

    /// `-32602` style: the request itself is wrong (unknown tool, bad parameters).
    public static func invalidRequest(_ message: String) -> PluginFailure { PluginFailure(.invalidRequest, message) }

    public var description: String { "\(kind): \(message)" }

    var errorObject: JSONRPCErrorObject {
        .plugin(kind, message, retryAfterMs: retryAfterMs, httpStatus: httpStatus, providerCode: providerCode)
    }
}
