internal import AWPCore
internal import Synchronization

extension ServerSession {
    /// The result for one request, or a thrown `PluginFailure`/`JSONRPCErrorObject`.
    func handle(_ method: String, _ params: JSONValue, id: JSONRPCID) async throws -> JSONValue {
        switch method {
        case PluginMethod.initialize: return initialize(params)
        case PluginMethod.ping: return [:]
        case PluginMethod.toolsList: return try listTools(params)
        case PluginMethod.toolsCall: return try await callTool(params, id: id)
        case PluginMethod.providerDescribe:
            guard let provider = server.provider else { throw JSONRPCErrorObject.methodNotFound(method) }
            return try await provider.describe().json
        case PluginMethod.providerGenerate:
            guard let provider = server.provider else { throw JSONRPCErrorObject.methodNotFound(method) }
            let request: GenerateParams
            do {
                request = try GenerateParams(json: params)
            } catch {
                throw JSONRPCErrorObject.invalidParams(error.message)
            }
            let context = GenerationContext(requestID: id, isStreaming: request.stream, output: output, sequence: SequenceCounter())
            return try await provider.generate(request, context: context).json
        default:
            throw JSONRPCErrorObject.methodNotFound(method)
        }
    }

    /// Answers with the client's MCP version when it is one we know, else our newest (the client decides).
    private func initialize(_ params: JSONValue) -> JSONValue {
        let requested = params["protocolVersion"]?.stringValue ?? MCPProtocolVersion.offered
        let version = MCPProtocolVersion.legacy.contains(requested) ? requested : MCPProtocolVersion.offered
        var capabilities: JSONValue = [:]
        if !server.tools.isEmpty { capabilities = capabilities.setting("tools", to: ["listChanged": false]) }
        return InitializeResult(protocolVersion: version, capabilities: server.declaration.capabilities(merging: capabilities),
                                serverInfo: server.info, instructions: server.instructions).json
    }

    /// One page of tools; the cursor is the index of the page's first tool.
    private func listTools(_ params: JSONValue) throws -> JSONValue {
        let start: Int
        if let cursor = params["cursor"]?.stringValue {
            guard let index = Int(cursor), index >= 0, index <= server.tools.count else {
                throw JSONRPCErrorObject.invalidParams("invalid cursor '\(cursor)'")
            }
            start = index
        } else {
            start = 0
        }
        let end = min(start + max(server.toolsPageSize, 1), server.tools.count)
        let page = ToolListPage(tools: server.tools[start..<end].map(\.definition),
                                nextCursor: end < server.tools.count ? String(end) : nil)
        return page.json
    }

    private func callTool(_ params: JSONValue, id: JSONRPCID) async throws -> JSONValue {
        let call: ToolCallParams
        do {
            call = try ToolCallParams(json: params)
        } catch {
            throw JSONRPCErrorObject.invalidParams(error.message)
        }
        guard let tool = server.tools.first(where: { $0.definition.name == call.name }) else {
            throw JSONRPCErrorObject.invalidParams("Unknown tool: \(call.name)")
        }
        let context = ToolContext(requestID: id, progressToken: call.progressToken, output: output)
        do {
            return try await tool.handler(call.arguments, context).json
        } catch let failure as PluginFailure {
            throw failure
        } catch {
            // A tool's own failure is something the model can read and work around.
            return ToolCallResult.text("\(call.name) failed: \(error)", isError: true).json
        }
    }
}
