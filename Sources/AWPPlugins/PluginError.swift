public import AWPCore

/// A failed plugin call or start, typed so the runtime can decide to retry, fail or tell the model.
///
/// The message always names the plugin and says what happened ("plugin 'echo' exited with status 3
/// while 'tools/call' was in flight; last stderr: …"), because it is shown to people as it is.
public struct PluginError: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: PluginErrorKind
    /// The plugin's name as discovered (manifest name or `.mcp.json` key).
    public var plugin: String
    public var message: String
    /// The method of the failed request, when there was one.
    public var method: String?
    /// The JSON-RPC error code, when the plugin answered with an error.
    public var code: Int?
    public var retryable: Bool
    public var retryAfterMs: Int?
    /// The error's `data` as the plugin sent it.
    public var data: JSONValue?

    public init(_ kind: PluginErrorKind, plugin: String, _ message: String, method: String? = nil, code: Int? = nil,
                retryable: Bool? = nil, retryAfterMs: Int? = nil, data: JSONValue? = nil) {
        self.kind = kind
        self.plugin = plugin
        self.message = message
        self.method = method
        self.code = code
        self.retryable = retryable ?? kind.isRetryableByDefault
        self.retryAfterMs = retryAfterMs
        self.data = data
    }

    /// The error for a JSON-RPC error response from `plugin` to `method`.
    public init(response error: JSONRPCErrorObject, plugin: String, method: String) {
        let data = error.pluginErrorData
        self.init(data.kind, plugin: plugin, error.message, method: method, code: error.code, retryable: data.retryable,
                  retryAfterMs: data.retryAfterMs, data: error.data)
    }

    public var description: String {
        let call = method.map { " (\($0))" } ?? ""
        return "plugin '\(plugin)'\(call): \(kind): \(message)"
    }

    /// The error as JSON, for `--json` output.
    public var json: JSONValue {
        .object(compacting: [
            "plugin": .string(plugin), "kind": .string(kind.rawValue), "message": .string(message),
            "method": method.map(JSONValue.string), "code": code.map(JSONValue.integer), "retryable": .bool(retryable),
            "retryAfterMs": retryAfterMs.map(JSONValue.integer),
        ])
    }

    /// `self` with the method filled in when it was not known where the error was made.
    func forMethod(_ method: String) -> PluginError {
        var copy = self
        if copy.method == nil { copy.method = method }
        return copy
    }
}
