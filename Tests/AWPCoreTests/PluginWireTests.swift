import AWPCore
import Testing

/// Round trips and shape checks for the plugin protocol's wire types.
@Suite struct PluginWireTests {
    func roundTrip<T: JSONConvertible & Equatable>(_ value: T) throws -> T {
        let text = value.json.serialized()
        let decoded = try T(json: try JSONParser.parse(text))
        #expect(decoded == value, "\(text)")
        return decoded
    }

    @Test func jsonRPCMessagesRoundTripThroughOneLine() throws {
        let messages: [JSONRPCMessage] = [
            .request(id: .number(7), method: "tools/call", params: ["name": "echo"]),
            .request(id: .string("a-1"), method: "ping", params: nil),
            .notification(method: "notifications/initialized", params: nil),
            .response(id: .number(7), result: ["content": []]),
            .response(id: .number(8), result: .null),
            .errorResponse(id: .number(9), error: .methodNotFound("nope")),
            .errorResponse(id: nil, error: JSONRPCErrorObject(code: -32700, message: "Parse error")),
        ]
        for message in messages {
            let line = message.serializedLine()
            #expect(line.last == UInt8(ascii: "\n"))
            #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
            #expect(try JSONRPCMessage(line: line.dropLast()) == message)
        }
    }

    @Test func malformedMessagesAreFormatErrorsNamingTheProblem() {
        #expect(throws: WireFormatError.self) { try JSONRPCMessage(line: Array("hello".utf8)) }
        #expect(throws: WireFormatError.self) { try JSONRPCMessage(line: Array("[1,2]".utf8)) }
        #expect(throws: WireFormatError.self) { try JSONRPCMessage(line: Array(#"{"jsonrpc":"1.0","id":1,"result":{}}"#.utf8)) }
        do {
            _ = try JSONRPCMessage(line: Array(#"{"jsonrpc":"2.0","id":true,"result":{}}"#.utf8))
            Issue.record("a boolean id was accepted")
        } catch {
            #expect(error.message.contains("id"))
        }
    }

    @Test func newlinesInsideStringsAreEscapedOnTheWire() {
        let line = JSONRPCMessage.notification(method: "x", params: ["text": "a\nb\r\u{2028}"]).serializedLine()
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
    }

    @Test func pluginErrorKindsHaveStableCodesAndDecodeFromResponses() throws {
        #expect(PluginErrorKind.wireKinds.map(\.rawValue) == [
            "rate_limited", "overloaded", "auth", "invalid_request", "context_length", "content_filter", "timeout",
            "unavailable", "internal", "plugin_crashed",
        ])
        let error = JSONRPCErrorObject.plugin(.rateLimited, "slow down", retryAfterMs: 2000, httpStatus: 429)
        #expect(error.code == 1001)
        let data = error.pluginErrorData
        #expect(data.kind == .rateLimited && data.retryable && data.retryAfterMs == 2000 && data.httpStatus == 429)
        #expect(JSONRPCErrorObject.methodNotFound("x").pluginErrorData.kind == .invalidRequest)
        #expect(JSONRPCErrorObject(code: -32000, message: "boom").pluginErrorData.kind == .internal)
        #expect(PluginErrorData(kind: .auth).retryable == false)
        _ = try roundTrip(PluginErrorData(kind: PluginErrorKind(rawValue: "future_kind"), retryable: true))
    }

    @Test func handshakeTypesKeepThePluginDeclaration() throws {
        let declaration = PluginDeclaration(kinds: [.provider, .tool], features: ["streaming"])
        let result = InitializeResult(protocolVersion: "2025-06-18",
                                      capabilities: declaration.capabilities(merging: ["tools": [:]]),
                                      serverInfo: PeerInfo(name: "fake", version: "1"))
        let decoded = try roundTrip(result)
        #expect(decoded.pluginDeclaration == declaration)
        #expect(decoded.capabilities["tools"] != nil)
        _ = try roundTrip(InitializeParams(clientInfo: PeerInfo(name: "awp", version: "0.1.0")))
        _ = try roundTrip(CancelledParams(requestId: .number(3), reason: "timeout"))
        _ = try roundTrip(ProgressParams(progressToken: .string("t"), progress: 0.5, total: 1, message: "half"))
        // An MCP server without the awp declaration is a plain tool server.
        let plain = try InitializeResult(json: try JSONParser.parse(
            #"{"protocolVersion":"2025-03-26","capabilities":{"tools":{}},"serverInfo":{"name":"mcp-time","version":"1.0"}}"#))
        #expect(plain.pluginDeclaration == nil)
    }

    @Test func toolTypesKeepAnnotationsAndErrorResults() throws {
        let tool = ToolDefinition(
            name: "files.read", description: "Read a file", inputSchema: ["type": "object", "properties": ["path": ["type": "string"]]],
            annotations: ToolAnnotations(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false))
        let page = try roundTrip(ToolListPage(tools: [tool], nextCursor: "2"))
        #expect(page.tools[0].annotations?.readOnlyHint == true)
        let call = try roundTrip(ToolCallParams(name: "echo", arguments: ["text": "hi"], progressToken: .number(4)))
        #expect(call.json["_meta"]?["progressToken"] == 4)
        let failed = try roundTrip(ToolCallResult.text("no such file", isError: true))
        #expect(failed.isError && failed.text == "no such file")
        let other = try roundTrip(ToolCallResult(content: [.other(["type": "audio", "data": "AA==", "mimeType": "audio/wav"]),
                                                           .image(data: "AA==", mimeType: "image/png")]))
        #expect(other.content.count == 2)
        #expect(try ToolCallResult(json: ["content": [["type": "text", "text": "x"]]]).isError == false)
    }

    @Test func providerTypesRoundTrip() throws {
        let messages: [ChatMessage] = [
            .system("Be brief."), .user("What is 2+2?"),
            ChatMessage(role: .assistant, content: [.text("Let me check."), .toolCall(ToolCallRequest(id: "c1", name: "calc", arguments: ["x": 2]))]),
            ChatMessage(role: .tool, content: [.toolResult(ToolResultContent(toolCallId: "c1", content: "4"))]),
            ChatMessage(role: .user, content: [.image(data: "iVBO", mimeType: "image/png")]),
        ]
        let params = try roundTrip(GenerateParams(
            model: "fake-1", messages: messages, tools: [ProviderTool(name: "calc", inputSchema: ["type": "object"])],
            toolChoice: .tool("calc"), responseFormat: .jsonSchema(name: "answer", schema: ["type": "object"], strict: true),
            sampling: Sampling(temperature: 0.2, seed: 7, stop: ["END"]), maxTokens: 256))
        #expect(params.messages[2].toolCalls.first?.name == "calc")
        for choice in [ToolChoice.auto, .none, .required] { _ = try roundTrip(choice) }
        _ = try roundTrip(ResponseFormat.text)
        #expect(try ChatMessage(json: ["role": "user", "content": "plain"]).text == "plain")

        let usage = TokenUsage(inputTokens: 1000, outputTokens: 500, cachedInputTokens: 400)
        let result = try roundTrip(GenerateResult(stopReason: .toolUse, message: .assistant("4"), usage: usage, costUSD: 0.01))
        #expect(result.json["usage"]?["cachedInputTokens"] == 400)
        let pricing = ModelPricing(inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5)
        #expect(abs(pricing.cost(of: usage) - (600 * 2 + 400 * 0.5 + 500 * 8) / 1_000_000) < 1e-12)

        let description = try roundTrip(ProviderDescription(models: [
            ModelInfo(id: "m", contextWindow: 128_000, supportsTools: true, supportsJSONSchema: true, supportsStreaming: true, pricing: pricing),
        ], authEnvVars: ["OPENAI_API_KEY"]))
        #expect(description.json["models"]?.arrayValue?.first?["supportsJsonSchema"] == true)

        let deltas: [ProviderDelta] = [
            .text("he"), .reasoning("hm"), .toolCallStart(id: "c", name: "calc"), .toolCallDelta(id: "c", arguments: "{\"x\""),
            .toolCallEnd(id: "c"), .usage(usage),
        ]
        for (seq, delta) in deltas.enumerated() { _ = try roundTrip(ProviderEvent(requestId: .number(1), seq: seq, delta: delta)) }
    }

    @Test func wireReaderErrorsNameThePath() {
        do {
            _ = try ToolListPage(json: ["tools": [["name": "ok"], ["name": 3]]])
            Issue.record("accepted a numeric tool name")
        } catch {
            #expect(error.message == "result.tools[1]: tool.name: expected a string, got an integer")
        }
    }
}
