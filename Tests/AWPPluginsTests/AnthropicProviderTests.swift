import AWPCore
import AWPPlugins
import Foundation
import Testing

/// `awp-provider-anthropic` against a local server on 127.0.0.1 that speaks the Messages API wire
/// format (`AnthropicTestServer`): plain and streamed text, a streamed tool call and its result sent
/// back, structured output through a forced tool, usage and cost, retries on 429, 529 and 500, auth and
/// context-length errors, a malformed body, broken and stalled streams, and the key kept out of everything
/// but its header.
@Suite(.timeLimit(.minutes(1))) struct AnthropicProviderTests {
    func withProvider(_ body: (PluginClient, ProviderTestServer) async throws -> Void) async throws {
        try await ProviderTestServer.with(script: AnthropicTestServer.script) { server in
            var manifest = PluginFixtures.builtIn("awp-provider-anthropic", name: "anthropic", kinds: [.provider])
            manifest.environment = ["ANTHROPIC_BASE_URL": "http://127.0.0.1:\(server.port)", "ANTHROPIC_API_KEY": AnthropicTestServer.key,
                                    "AWP_ANTHROPIC_DEADLINE_MS": "5000", "no_proxy": "127.0.0.1"]
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
            let plain = try await client.generate(params("claude-sonnet-4-5"))
            #expect(plain.message.text == "Héllo wörld, this is streamed.")
            #expect(plain.stopReason == .endTurn)
            #expect(plain.usage == TokenUsage(inputTokens: 11, outputTokens: 5, cachedInputTokens: 3))
            #expect(plain.model == "claude-sonnet-4-5-20250929")
            // 8 uncached input at $3, 3 cached at $0.30 and 5 output at $15 per million tokens.
            let cost = try #require(plain.costUSD)
            #expect(abs(cost - (8 * 3 + 3 * 0.3 + 5 * 15) / 1_000_000) < 1e-12)

            let deltas = Recorded<ProviderDelta>()
            let streamed = try await client.generate(params("claude-sonnet-4-5", stream: true), onEvent: { deltas.append($0.delta) })
            #expect(streamed == plain)
            let texts = deltas.all.compactMap { if case .text(let text) = $0 { text } else { nil } }
            #expect(texts == ["Héllo", " wörld,", " this is", " streamed."])
            #expect(deltas.all.last == .usage(plain.usage))

            let sent = try #require(try server.bodies(forModel: "claude-sonnet-4-5").last)
            #expect(sent["max_tokens"] == 100 && sent["stream"] == true)
            #expect(sent["messages"] == [["role": "user", "content": [["type": "text", "text": "Say hello"]]]])

            let description = try await client.describeProvider()
            #expect(description.authEnvVars == ["ANTHROPIC_API_KEY"])
            let sonnet = try #require(description.models.first { $0.id == "claude-sonnet-4-5" })
            #expect(sonnet.contextWindow == 200_000 && sonnet.pricing?.inputPerMillion == 3)
        }
    }

    @Test func aStreamedToolCallAndItsResultRoundTrip() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            var request = params("tools", stream: true)
            request.tools = [ProviderTool(name: "lookup", description: "Looks things up",
                                          inputSchema: ["type": "object", "properties": ["q": ["type": "string"]]])]
            request.toolChoice = .required
            let deltas = Recorded<ProviderDelta>()
            let called = try await client.generate(request, onEvent: { deltas.append($0.delta) })
            #expect(called.stopReason == .toolUse)
            #expect(called.message.text == "Let me check.")
            #expect(called.message.toolCalls == [ToolCallRequest(id: "toolu_01", name: "lookup", arguments: ["q": "x"])])
            #expect(deltas.all.dropLast() == [
                .text("Let me check."), .toolCallStart(id: "toolu_01", name: "lookup"),
                .toolCallDelta(id: "toolu_01", arguments: "{\"q\": "), .toolCallDelta(id: "toolu_01", arguments: "\"x\"}"),
                .toolCallEnd(id: "toolu_01"),
            ])

            var followUp = params("tool-result")
            followUp.maxTokens = nil
            followUp.messages += [
                called.message,
                ChatMessage(role: .tool, content: [.toolResult(ToolResultContent(toolCallId: "toolu_01", content: "42"))]),
                .user("And now?"),
            ]
            #expect(try await client.generate(followUp).message.text == "ok")
            let sent = try #require(try server.bodies(forModel: "tool-result").last)
            #expect(sent["max_tokens"] == 4096)
            let messages = try #require(sent["messages"]?.arrayValue)
            #expect(messages.count == 3)
            #expect(messages[1] == ["role": "assistant", "content": [
                ["type": "text", "text": "Let me check."],
                ["type": "tool_use", "id": "toolu_01", "name": "lookup", "input": ["q": "x"]],
            ]])
            // The tool result and the next user message share one user turn, the result first.
            #expect(messages[2] == ["role": "user", "content": [
                ["type": "tool_result", "tool_use_id": "toolu_01", "content": "42"], ["type": "text", "text": "And now?"],
            ]])
        }
    }

    @Test func structuredOutputComesBackFromAForcedTool() async throws {
        try await withProvider { (client: PluginClient, _: ProviderTestServer) async throws in
            var structured = params("json")
            structured.responseFormat = .jsonSchema(name: "answer", schema: ["type": "object",
                                                                             "properties": ["answer": ["type": "integer"]]], strict: true)
            let whole = try await client.generate(structured)
            #expect(try JSONParser.parse(whole.message.text) == ["answer": 42])
            #expect(whole.stopReason == .endTurn)
            #expect(whole.message.toolCalls.isEmpty)

            structured.stream = true
            let deltas = Recorded<ProviderDelta>()
            let streamed = try await client.generate(structured, onEvent: { deltas.append($0.delta) })
            #expect(try JSONParser.parse(streamed.message.text) == ["answer": 42])
            #expect(streamed.stopReason == .endTurn)
            let texts = deltas.all.compactMap { if case .text(let text) = $0 { text } else { nil } }
            #expect(texts.joined() == streamed.message.text)
            #expect(!deltas.all.contains { if case .toolCallStart = $0 { true } else { false } })

            // A schema that is not an object travels wrapped as {"value": …}; the reply is the bare value.
            var list = params("json-list", stream: true)
            list.responseFormat = .jsonSchema(name: "list", schema: ["type": "array"], strict: true)
            let listDeltas = Recorded<ProviderDelta>()
            let listed = try await client.generate(list) { listDeltas.append($0.delta) }
            #expect(listed.message.text == "[1,2]")
            #expect(listDeltas.all.dropLast() == [.text("[1,2]")])
        }
    }

    @Test func rateLimitsAndOverloadAreRetriedHonouringRetryAfter() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            let started = ContinuousClock.now
            #expect(try await client.generate(params("rate-limited-once")).message.text.isEmpty == false)
            #expect(ContinuousClock.now - started >= .milliseconds(900), "retry-after: 1 was not waited for")
            #expect(try server.bodies(forModel: "rate-limited-once").count == 2)
            #expect(try await client.generate(params("overloaded-once")).message.text.isEmpty == false)
            let limited = await PluginFixtures.expectPluginError(.rateLimited) {
                _ = try await client.generate(params("rate-limited-long"))
            }
            #expect(limited?.retryAfterMs == 600_000)
            #expect(limited?.retryable == true)
        }
    }

    @Test func aWrongKeyIsAnAuthErrorAndIsNotRetried() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            var wrongKey = client.manifest
            wrongKey.environment["ANTHROPIC_API_KEY"] = "sk-ant-wrong-key"
            let other = PluginClient(manifest: wrongKey, options: server.options())
            let error = await PluginFixtures.expectPluginError(.auth) { _ = try await other.generate(params("claude-sonnet-4-5")) }
            #expect(error?.retryable == false)
            #expect(error?.message.contains("sk-ant-wrong-key") == false)
            #expect(try server.requests().filter { $0["headers"]?["x-api-key"] == "sk-ant-wrong-key" }.count == 1)
            await other.shutdown()
        }
    }

    @Test func brokenStreamsAndBadRequestsBecomeCleanErrors() async throws {
        try await withProvider { (client: PluginClient, _: ProviderTestServer) async throws in
            let context = await PluginFixtures.expectPluginError(.contextLength) { _ = try await client.generate(params("context")) }
            #expect(context?.message.contains("prompt is too long") == true)
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
            // The plugin survived all of it.
            #expect(try await client.generate(params("claude-sonnet-4-5")).stopReason == .endTurn)
        }
    }

    @Test func aServerErrorIsRetriedAndAMalformedBodyIsACleanError() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            try await server.expectServerErrorRetriedAndMalformedBodyRefused(client, params: { params($0) }, healthy: "claude-sonnet-4-5")
        }
    }

    @Test func aStalledStreamEndsAtThePluginsOwnDeadline() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            try await server.expectStalledStreamEndsAtTheDeadline(client, deadlineVariable: "AWP_ANTHROPIC_DEADLINE_MS",
                                                                  params: { params($0, stream: $1) }, healthy: "claude-sonnet-4-5")
        }
    }

    @Test func theKeyTravelsOnlyInItsHeader() async throws {
        try await withProvider { (client: PluginClient, server: ProviderTestServer) async throws in
            _ = try await client.generate(params("claude-sonnet-4-5", stream: true)) { _ in }
            _ = await PluginFixtures.expectPluginError(.contextLength) { _ = try await client.generate(params("context")) }
            let requests = try server.requests()
            #expect(requests.count == 2)
            for request in requests {
                #expect(request["headers"]?["x-api-key"] == .string(AnthropicTestServer.key))
                #expect(request["headers"]?["anthropic-version"] == "2023-06-01")
                #expect(request["path"] == "/v1/messages")
                #expect(request["body"]?.serialized().contains(AnthropicTestServer.key) == false)
            }
            await client.shutdown()
            #expect(!server.logs.all.contains { $0.message.contains(AnthropicTestServer.key) })
        }
    }
}
