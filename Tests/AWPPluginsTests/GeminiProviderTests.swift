import AWPCore
import AWPPlugins
import Foundation
import Testing

/// `awp-provider-gemini` against a local server on 127.0.0.1 that speaks the Gemini API wire format
/// (`GeminiTestServer`): plain and streamed text, a function call without an id and its response sent
/// back with its thought signature, structured output with a cleaned schema, usage and cost, retries
/// on 429 (`RetryInfo` in the body), 503 and 500, a bad key, a malformed body, broken and stalled
/// streams, and the key kept in its header.
@Suite(.timeLimit(.minutes(1))) struct GeminiProviderTests {
    func withProvider(_ body: (PluginClient, ProviderTestServer) async throws -> Void) async throws {
        try await ProviderTestServer.with(script: GeminiTestServer.script) { server in
            var manifest = PluginFixtures.builtIn("awp-provider-gemini", name: "gemini", kinds: [.provider])
            manifest.environment = ["GEMINI_BASE_URL": "http://127.0.0.1:\(server.port)", "GEMINI_API_KEY": GeminiTestServer.key,
                                    "AWP_GEMINI_DEADLINE_MS": "5000", "no_proxy": "127.0.0.1"]
            let client = PluginClient(manifest: manifest, options: server.options())
            try await body(client, server)
            await client.shutdown()
        }
    }

    func params(_ model: String, stream: Bool = false) -> GenerateParams {
        GenerateParams(model: model, messages: [.system("Be brief."), .user("Say hello")], maxTokens: 100, stream: stream)
    }

    @Test func plainAndStreamedTextWithUsageAndCost() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            let plain = try await client.generate(params("gemini-2.5-flash"))
            #expect(plain.message.text == "Héllo wörld, this is streamed.")
            #expect(plain.stopReason == .endTurn)
            #expect(plain.usage == TokenUsage(inputTokens: 11, outputTokens: 5, cachedInputTokens: 3))
            #expect(plain.model == "gemini-2.5-flash")
            // 8 uncached input at $0.30, 3 cached at $0.03 and 5 output at $2.50 per million tokens.
            let cost = try #require(plain.costUSD)
            #expect(abs(cost - (8 * 0.3 + 3 * 0.03 + 5 * 2.5) / 1_000_000) < 1e-12)

            let deltas = Recorded<ProviderDelta>()
            let streamed = try await client.generate(params("gemini-2.5-flash", stream: true)) { deltas.append($0.delta) }
            #expect(streamed == plain)
            let texts = deltas.all.compactMap { if case .text(let text) = $0 { text } else { nil } }
            #expect(texts == ["Héllo", " wörld,", " this is", " streamed."])
            #expect(deltas.all.last == .usage(plain.usage))

            let sent = try #require(try server.bodies(forModel: "gemini-2.5-flash").last)
            #expect(sent["contents"] == [["role": "user", "parts": [["text": "Say hello"]]]])
            #expect(sent["generationConfig"] == ["maxOutputTokens": 100])
            let description = try await client.describeProvider()
            #expect(description.models.contains { $0.id == "gemini-2.5-flash" && $0.contextWindow == 1_048_576 && $0.pricing != nil })
        }
    }

    @Test func aFunctionCallAndItsResponseRoundTrip() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            var request = params("tools", stream: true)
            request.tools = [ProviderTool(name: "lookup", description: "Looks things up", inputSchema: [
                "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "additionalProperties": false,
                "properties": ["q": ["type": "string", "format": "uri"], "mode": ["$ref": "#/$defs/mode"]], "required": ["q"],
                "$defs": ["mode": ["oneOf": [["const": "fast"], ["const": "slow"]]]],
            ])]
            request.toolChoice = .required
            let deltas = Recorded<ProviderDelta>()
            let called = try await client.generate(request) { deltas.append($0.delta) }
            #expect(called.stopReason == .toolUse)
            #expect(called.message.text == "Let me check.")
            let id = "gemini_call_0_lookup"
            #expect(called.message.toolCalls == [ToolCallRequest(id: id, name: "lookup", arguments: ["q": "x"])])
            #expect(deltas.all.dropLast() == [.text("Let me check."), .toolCallStart(id: id, name: "lookup"),
                                             .toolCallDelta(id: id, arguments: "{\"q\":\"x\"}"), .toolCallEnd(id: id)])
            let tools = try #require(try server.bodies(forModel: "tools").last?["tools"]?.arrayValue)
            let declared = try #require(tools.first?["functionDeclarations"]?.arrayValue?.first)
            #expect(declared["parameters"] == [
                "type": "object", "properties": ["q": ["type": "string"], "mode": ["anyOf": [
                    ["type": "string", "enum": ["fast"]], ["type": "string", "enum": ["slow"]],
                ]]], "required": ["q"],
            ])

            var followUp = params("tool-result")
            followUp.messages += [
                called.message,
                ChatMessage(role: .tool, content: [.toolResult(ToolResultContent(toolCallId: id, content: "42"))]),
                .user("And now?"),
            ]
            #expect(try await client.generate(followUp).message.text == "ok")
            let contents = try #require(try server.bodies(forModel: "tool-result").last?["contents"]?.arrayValue)
            #expect(contents.count == 3)
            // The synthesized id stays here; the signature Gemini gave the call goes back with it.
            #expect(contents[1] == ["role": "model", "parts": [
                ["text": "Let me check."],
                ["functionCall": ["name": "lookup", "args": ["q": "x"]], "thoughtSignature": "c2lnLTEyMw=="],
            ]])
            #expect(contents[2] == ["role": "user", "parts": [
                ["functionResponse": ["name": "lookup", "response": ["result": "42"]]], ["text": "And now?"],
            ]])
        }
    }

    @Test func structuredOutputUsesACleanedResponseSchema() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            var structured = params("json")
            structured.responseFormat = .jsonSchema(name: "answer", schema: [
                "type": "object", "additionalProperties": false, "properties": ["answer": ["type": ["integer", "null"]]],
            ], strict: true)
            let result = try await client.generate(structured)
            #expect(try JSONParser.parse(result.message.text) == ["answer": 42])
            let config = try #require(try server.bodies(forModel: "json").last?["generationConfig"])
            #expect(config["responseSchema"] == ["type": "object", "properties": ["answer": ["type": "integer", "nullable": true]]])
            #expect(try await client.generate(params("safety")).stopReason == .contentFilter)
        }
    }

    @Test func quotaAndOverloadAreRetriedHonouringRetryInfo() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            let started = ContinuousClock.now
            #expect(try await client.generate(params("rate-limited-once")).message.text.isEmpty == false)
            #expect(ContinuousClock.now - started >= .milliseconds(900), "RetryInfo retryDelay 1s was not waited for")
            #expect(try server.bodies(forModel: "rate-limited-once").count == 2)
            #expect(try await client.generate(params("overloaded-once")).message.text.isEmpty == false)
            let limited = await PluginFixtures.expectPluginError(.rateLimited) {
                _ = try await client.generate(params("rate-limited-long"))
            }
            #expect(limited?.retryAfterMs == 600_000)
            #expect(limited?.retryable == true)
        }
    }

    @Test func aBadKeyIsAnAuthErrorAndIsNotRetried() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            var wrongKey = client.manifest
            wrongKey.environment["GEMINI_API_KEY"] = nil
            wrongKey.environment["GOOGLE_API_KEY"] = "AIza-wrong-key"
            let other = PluginClient(manifest: wrongKey, options: server.options())
            let error = await PluginFixtures.expectPluginError(.auth) { _ = try await other.generate(params("gemini-2.5-flash")) }
            #expect(error?.retryable == false)
            #expect(error?.message.contains("AIza-wrong-key") == false)
            #expect(try server.requests().filter { $0["headers"]?["x-goog-api-key"] == "AIza-wrong-key" }.count == 1)
            await other.shutdown()
        }
    }

    @Test func brokenStreamsAndBadRequestsBecomeCleanErrors() async throws {
        try await withProvider { (client: PluginClient, _: ProviderTestServer) async throws in
            _ = await PluginFixtures.expectPluginError(.contextLength) { _ = try await client.generate(params("context")) }
            let dropped = await PluginFixtures.expectPluginError(.unavailable) {
                _ = try await client.generate(params("drop", stream: true)) { _ in }
            }
            #expect(dropped?.message.contains("middle of the stream") == true)
            let truncated = await PluginFixtures.expectPluginError(.unavailable) {
                _ = try await client.generate(params("truncated", stream: true)) { _ in }
            }
            #expect(truncated?.message.contains("malformed JSON") == true)
            _ = await PluginFixtures.expectPluginError(.overloaded) {
                _ = try await client.generate(params("midstream-error", stream: true)) { _ in }
            }
            #expect(try await client.generate(params("gemini-2.5-flash")).stopReason == .endTurn)
        }
    }

    @Test func aServerErrorIsRetriedAndAMalformedBodyIsACleanError() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            try await server.expectServerErrorRetriedAndMalformedBodyRefused(client, params: { params($0) }, healthy: "gemini-2.5-flash")
        }
    }

    @Test func aStalledStreamEndsAtThePluginsOwnDeadline() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            try await server.expectStalledStreamEndsAtTheDeadline(client, deadlineVariable: "AWP_GEMINI_DEADLINE_MS",
                                                                  params: { params($0, stream: $1) }, healthy: "gemini-2.5-flash")
        }
    }

    @Test func theKeyTravelsOnlyInItsHeader() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            _ = try await client.generate(params("gemini-2.5-flash", stream: true)) { _ in }
            _ = await PluginFixtures.expectPluginError(.contextLength) { _ = try await client.generate(params("context")) }
            let requests = try server.requests()
            #expect(requests.count == 2)
            for request in requests {
                #expect(request["headers"]?["x-goog-api-key"] == .string(GeminiTestServer.key))
                #expect(request["path"]?.stringValue?.contains(GeminiTestServer.key) == false)
                #expect(request["path"]?.stringValue?.contains("key=") == false)
                #expect(request["body"]?.serialized().contains(GeminiTestServer.key) == false)
            }
            await client.shutdown()
            #expect(!server.logs.all.contains { $0.message.contains(GeminiTestServer.key) })
        }
    }
}
