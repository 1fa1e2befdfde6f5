import AWPCore
import AWPPlugins
import AWPTestSupport
import Foundation
import Synchronization
import Testing

/// The fake provider and the files tool, driven through the host as the runtime drives them.
@Suite(.timeLimit(.minutes(1))) struct BuiltInPluginTests {
    func fake(_ environment: [String: String] = [:]) -> PluginClient {
        var manifest = PluginFixtures.fake
        manifest.environment = environment
        return PluginClient(manifest: manifest, options: PluginFixtures.options())
    }

    @Test func fakeDescribesItsModelAndStreamsADeterministicAnswer() async throws {
        let client = fake()
        let session = try await client.start()
        #expect(session.kinds == [.provider])
        let description = try await client.describeProvider()
        let model = try #require(description.models.first)
        #expect(model.id == "fake-1" && model.supportsTools && model.supportsJSONSchema && model.supportsStreaming)

        let params = GenerateParams(model: "fake-1", messages: [.system("Be brief."), .user("Summarise the readings")])
        let deltas = Mutex<[ProviderDelta]>([])
        let result = try await client.generate(params) { event in deltas.withLock { $0.append(event.delta) } }
        #expect(result.stopReason == .endTurn)
        #expect(result.message.text.contains("Summarise the readings"))
        #expect(result.usage.inputTokens > 0 && result.usage.outputTokens > 0)
        #expect(result.costUSD == 0)
        let streamed = deltas.withLock { $0 }.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
        #expect(streamed == result.message.text)
        #expect(try await client.generate(params) == result)
        await client.shutdown()
    }

    @Test func fakeAnswersSchemasAndForcedToolCalls() async throws {
        let client = fake()
        let schema: JSONValue = [
            "type": "object", "required": ["summary", "count"],
            "properties": ["summary": ["type": "string"], "count": ["type": "integer", "minimum": 3],
                           "tags": ["type": "array", "items": ["enum": ["a", "b"]]]],
        ]
        let structured = try await client.generate(GenerateParams(
            model: "fake-1", messages: [.user("go")], responseFormat: .jsonSchema(name: "report", schema: schema, strict: true)))
        let value = try JSONParser.parse(structured.message.text)
        #expect(value == ["summary": "example", "count": 3, "tags": ["a"]])

        let tool = ProviderTool(name: "code.execute", inputSchema: ["type": "object", "properties": ["code": ["type": "string"]]])
        let events = Mutex<[ProviderDelta]>([])
        let called = try await client.generate(GenerateParams(model: "fake-1", messages: [.user("go")], tools: [tool],
                                                              toolChoice: .required)) { event in
            events.withLock { $0.append(event.delta) }
        }
        #expect(called.stopReason == .toolUse)
        #expect(called.message.toolCalls.first?.name == "code.execute")
        #expect(events.withLock { $0 }.contains(.toolCallStart(id: "call_1", name: "code.execute")))
        await client.shutdown()
    }

    @Test func fakeReplaysAScriptAndInjectsFailures() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let script = directory.appendingPathComponent("replies.jsonl")
            try """
            # replies for one test
            {"text": "first"}
            {"toolCalls": [{"name": "lookup", "arguments": {"q": "x"}}], "usage": {"inputTokens": 10, "outputTokens": 2}}
            {"error": {"kind": "rate_limited", "message": "slow down", "retryAfterMs": 1500}}
            """.write(to: script, atomically: true, encoding: .utf8)
            let client = fake(["AWP_FAKE_SCRIPT": script.path])
            let params = GenerateParams(model: "fake-1", messages: [.user("hi")])
            #expect(try await client.generate(params).message.text == "first")
            let second = try await client.generate(params)
            #expect(second.message.toolCalls == [ToolCallRequest(id: "call_1", name: "lookup", arguments: ["q": "x"])])
            #expect(second.usage == TokenUsage(inputTokens: 10, outputTokens: 2))
            do {
                _ = try await client.generate(params)
                Issue.record("the scripted error was not raised")
            } catch let error as PluginError {
                #expect(error.kind == .rateLimited && error.retryable && error.retryAfterMs == 1500)
            }
            do {
                _ = try await client.generate(params)
                Issue.record("an exhausted script answered")
            } catch let error as PluginError {
                #expect(error.kind == .invalidRequest && error.message.contains("3 responses"))
            }
            await client.shutdown()

            let flaky = fake(["AWP_FAKE_FAIL_EVERY": "2", "AWP_FAKE_FAIL_KIND": "overloaded"])
            #expect(try await flaky.generate(params).stopReason == .endTurn)
            await #expect(throws: PluginError.self) { try await flaky.generate(params) }
            #expect(try await flaky.generate(params).stopReason == .endTurn)
            await flaky.shutdown()
        }
    }

    @Test func generateStreamYieldsTheDeltasInOrderThenTheResult() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let script = directory.appendingPathComponent("replies.jsonl")
            let line = #"{"text": "one two three", "toolCalls": [{"id": "call_9", "name": "lookup", "arguments": {"q": "x"}}], "#
                + #""usage": {"inputTokens": 7, "outputTokens": 4}}"#
            try line.write(to: script, atomically: true, encoding: .utf8)
            // Latency spreads the deltas out, so they cross the pipe one by one rather than in one read.
            let client = fake(["AWP_FAKE_SCRIPT": script.path, "AWP_FAKE_LATENCY_MS": "70"])
            let params = GenerateParams(model: "fake-1", messages: [.user("go")])
            var deltas: [ProviderDelta] = []
            var results: [GenerateResult] = []
            for try await element in client.generateStream(params) {
                switch element {
                case .delta(let delta):
                    #expect(results.isEmpty, "a delta arrived after the result")
                    deltas.append(delta)
                case .result(let result):
                    results.append(result)
                }
            }
            let usage = TokenUsage(inputTokens: 7, outputTokens: 4)
            #expect(deltas == [
                .text("one "), .text("two "), .text("three"), .toolCallStart(id: "call_9", name: "lookup"),
                .toolCallDelta(id: "call_9", arguments: #"{"q":"x"}"#), .toolCallEnd(id: "call_9"), .usage(usage),
            ])
            let result = try #require(results.first)
            #expect(results.count == 1)
            #expect(result.stopReason == .toolUse && result.usage == usage)
            #expect(result.message.text == "one two three")
            #expect(result.message.toolCalls == [ToolCallRequest(id: "call_9", name: "lookup", arguments: ["q": "x"])])
            await client.shutdown()
        }
    }

    @Test func filesToolStaysInsideItsRoot() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let root = directory.appendingPathComponent("root")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try "secret".write(to: directory.appendingPathComponent("outside.txt"), atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("escape").path,
                                                       withDestinationPath: directory.path)
            var manifest = PluginFixtures.builtIn("awp-tool-files", name: "files", kinds: [.tool])
            manifest.arguments = ["--root", root.path]
            let client = PluginClient(manifest: manifest, options: PluginFixtures.options())

            let tools = try await client.listTools()
            #expect(Set(tools.map(\.name)) == ["read", "write", "list", "stat"])
            #expect(tools.first { $0.name == "write" }?.annotations?.destructiveHint == true)
            #expect(tools.first { $0.name == "read" }?.annotations?.readOnlyHint == true)

            let written = try await client.callTool("write", arguments: ["path": "out/notes.txt", "content": "héllo"])
            #expect(written.isError == false && written.structuredContent?["bytes"] == 6)
            #expect(try await client.callTool("read", arguments: ["path": "out/notes.txt"]).text == "héllo")
            let listing = try await client.callTool("list", arguments: ["recursive": true])
            #expect(listing.text.contains("out/notes.txt"))

            for path in ["../outside.txt", "/etc/passwd", "escape/outside.txt"] {
                let refused = try await client.callTool("read", arguments: ["path": .string(path)])
                #expect(refused.isError, "\(path) was readable")
                #expect(!refused.text.contains("secret"))
            }
            #expect(try await client.callTool("write", arguments: ["path": "escape/planted.txt", "content": "x"]).isError)
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("planted.txt").path))
            await client.shutdown()
        }
    }
}
