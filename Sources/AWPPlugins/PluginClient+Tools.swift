public import AWPCore

extension PluginClient {
    /// The most pages `listTools` follows; a server whose cursors never end is a broken server.
    static let maximumToolPages = 1000

    /// All tools the plugin offers, following `nextCursor` until the last page.
    ///
    /// - Throws: `PluginError`; a malformed page is `protocol_violation`.
    public nonisolated func listTools(timeout: Duration? = nil) async throws -> [ToolDefinition] {
        _ = toolListChanged.consume()
        var tools: [ToolDefinition] = []
        var cursor: String?
        for _ in 0..<Self.maximumToolPages {
            let params: JSONValue? = cursor.map { ["cursor": .string($0)] }
            let result = try await request(PluginMethod.toolsList, params: params, timeout: timeout)
            let page: ToolListPage
            do {
                page = try ToolListPage(json: result)
            } catch {
                throw PluginError(.protocolViolation, plugin: manifest.name, "malformed tools/list result: \(error)",
                                  method: PluginMethod.toolsList)
            }
            tools += page.tools
            guard let next = page.nextCursor, !next.isEmpty, next != cursor else { return tools }
            cursor = next
        }
        throw PluginError(.protocolViolation, plugin: manifest.name,
                          "tools/list returned more than \(Self.maximumToolPages) pages", method: PluginMethod.toolsList)
    }

    /// Whether the plugin said its tool list changed since the last `listTools`.
    public nonisolated var toolsChangedSinceListing: Bool {
        let changed = toolListChanged.consume()
        if changed { toolListChanged.set() }
        return changed
    }

    /// Calls one tool.
    ///
    /// A tool that fails in a way the model can act on returns a result with `isError` set; that is
    /// not thrown. Thrown errors are protocol-level: unknown tool (`invalid_request`), timeout (the
    /// plugin also gets `notifications/cancelled`), crash (`plugin_crashed`), cancellation.
    ///
    /// - Parameter onProgress: receives `notifications/progress` for this call, on a reader thread.
    public nonisolated func callTool(_ name: String, arguments: JSONValue = [:], timeout: Duration? = nil,
                                     onProgress: (@Sendable (ProgressParams) -> Void)? = nil) async throws -> ToolCallResult {
        let params = ToolCallParams(name: name, arguments: arguments)
        var handler: (@Sendable (String, JSONValue) -> Void)?
        if let onProgress {
            handler = { method, params in
                if method == PluginMethod.progress, let progress = try? ProgressParams(json: params) { onProgress(progress) }
            }
        }
        let result = try await request(PluginMethod.toolsCall, params: params.json, timeout: timeout,
                                       withProgressToken: onProgress != nil, onNotification: handler)
        do {
            return try ToolCallResult(json: result)
        } catch {
            throw PluginError(.protocolViolation, plugin: manifest.name, "malformed tools/call result: \(error)",
                              method: PluginMethod.toolsCall)
        }
    }
}
