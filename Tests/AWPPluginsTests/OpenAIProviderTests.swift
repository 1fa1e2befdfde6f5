import AWPCore
import AWPPlugins
import AWPTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// `awp-provider-openai` against a local server on 127.0.0.1 that speaks the chat completions wire
/// format: plain and streamed replies (split at awkward offsets), tool calls, structured output,
/// usage, 429 with Retry-After, 500 then success, malformed JSON, a dropped stream, a stalled stream.
@Suite(.timeLimit(.minutes(1))) struct OpenAIProviderTests {
    /// Runs `body` with a client of the OpenAI plugin pointed at a fresh fake server.
    func withProvider(_ body: (PluginClient) async throws -> Void) async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            try await LocalPythonServer.with(script: Self.server, in: directory) { port in
                var manifest = PluginFixtures.builtIn("awp-provider-openai", name: "openai", kinds: [.provider])
                manifest.environment = ["OPENAI_BASE_URL": "http://127.0.0.1:\(port)/v1", "OPENAI_API_KEY": "test-key",
                                        "AWP_OPENAI_DEADLINE_MS": "2000", "no_proxy": "127.0.0.1"]
                let client = PluginClient(manifest: manifest, options: PluginFixtures.options())
                try await body(client)
                await client.shutdown()
            }
        }
    }

    func params(_ model: String, stream: Bool = false) -> GenerateParams {
        GenerateParams(model: model, messages: [.system("Be brief."), .user("Say hello")], maxTokens: 100, stream: stream)
    }

    func expectFailure(_ kind: PluginErrorKind, _ body: () async throws -> Void,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> PluginError? {
        await PluginFixtures.expectPluginError(kind, body, sourceLocation: sourceLocation)
    }

    @Test func plainAndStreamedRepliesWithUsage() async throws {
        try await withProvider { (client: PluginClient) async throws in
            let plain = try await client.generate(params("gpt-4.1"))
            #expect(plain.message.text == "Héllo wörld, this is streamed.")
            #expect(plain.stopReason == .endTurn)
            #expect(plain.usage == TokenUsage(inputTokens: 11, outputTokens: 5, cachedInputTokens: 3))
            #expect(plain.model == "gpt-4.1-2025-04-14")
            #expect(plain.costUSD != nil)

            let deltas = Mutex<[ProviderDelta]>([])
            let streamed = try await client.generate(params("gpt-4.1", stream: true)) { event in deltas.withLock { $0.append(event.delta) } }
            #expect(streamed.message.text == plain.message.text)
            #expect(streamed.usage == plain.usage)
            let texts = deltas.withLock { $0 }.compactMap { if case .text(let text) = $0 { text } else { nil } }
            #expect(texts == ["Héllo", " wörld,", " this is", " streamed."])
            #expect(deltas.withLock { $0 }.last == .usage(plain.usage))

            let description = try await client.describeProvider()
            #expect(description.models.contains { $0.id == "gpt-4.1" && $0.pricing != nil })
        }
    }

    @Test func toolCallsAndStructuredOutput() async throws {
        try await withProvider { (client: PluginClient) async throws in
            var request = params("tools", stream: true)
            request.tools = [ProviderTool(name: "lookup", inputSchema: ["type": "object", "properties": ["q": ["type": "string"]]])]
            request.toolChoice = .required
            let deltas = Mutex<[ProviderDelta]>([])
            let called = try await client.generate(request) { event in deltas.withLock { $0.append(event.delta) } }
            #expect(called.stopReason == .toolUse)
            #expect(called.message.toolCalls == [ToolCallRequest(id: "call_abc", name: "lookup", arguments: ["q": "x"])])
            #expect(deltas.withLock { $0 }.prefix(3) == [.toolCallStart(id: "call_abc", name: "lookup"),
                                                         .toolCallDelta(id: "call_abc", arguments: "{\"q\": "),
                                                         .toolCallDelta(id: "call_abc", arguments: "\"x\"}")])

            var followUp = params("tool-result")
            followUp.messages += [
                ChatMessage(role: .assistant, content: [.toolCall(ToolCallRequest(id: "call_abc", name: "lookup", arguments: ["q": "x"]))]),
                ChatMessage(role: .tool, content: [.toolResult(ToolResultContent(toolCallId: "call_abc", content: "42"))]),
            ]
            #expect(try await client.generate(followUp).message.text == "ok")

            var structured = params("json")
            structured.responseFormat = .jsonSchema(name: "answer", schema: ["type": "object"], strict: true)
            #expect(try JSONParser.parse(try await client.generate(structured).message.text) == ["answer": 42])
        }
    }

    @Test func retriesHonourRetryAfterAndServerErrors() async throws {
        try await withProvider { (client: PluginClient) async throws in
            #expect(try await client.generate(params("rate-limited-once")).message.text.isEmpty == false)
            #expect(try await client.generate(params("error-then-ok")).message.text.isEmpty == false)
            let limited = await expectFailure(.rateLimited) { _ = try await client.generate(params("rate-limited-long")) }
            #expect(limited?.retryAfterMs == 600_000)
            #expect(limited?.retryable == true)
        }
    }

    @Test func badAnswersBecomeTypedErrors() async throws {
        try await withProvider { (client: PluginClient) async throws in
            _ = await expectFailure(.unavailable) { _ = try await client.generate(params("malformed")) }
            let context = await expectFailure(.contextLength) { _ = try await client.generate(params("context")) }
            #expect(context?.message == "too long")
            let dropped = await expectFailure(.unavailable) { _ = try await client.generate(params("drop", stream: true)) { _ in } }
            #expect(dropped?.message.contains("middle of the stream") == true)
            _ = await expectFailure(.timeout) { _ = try await client.generate(params("stall", stream: true)) { _ in } }
            // The plugin survived all of it.
            #expect(try await client.generate(params("gpt-4.1")).stopReason == .endTurn)
        }
    }

    @Test func aWrongKeyIsAnAuthError() async throws {
        try await withProvider { (client: PluginClient) async throws in
            var wrongKey = client.manifest
            wrongKey.environment["OPENAI_API_KEY"] = "sk-wrong"
            let other = PluginClient(manifest: wrongKey, options: PluginFixtures.options())
            let error = await expectFailure(.auth) { _ = try await other.generate(params("gpt-4.1")) }
            #expect(error?.retryable == false)
            #expect(error?.message.contains("sk-wrong") == false)
            await other.shutdown()
        }
    }

    static let server = #"""
    # A local stand-in for the OpenAI chat completions API, speaking its wire format.
    import http.server, json, threading, time

    counts, lock = {}, threading.Lock()
    USAGE = {"prompt_tokens": 11, "completion_tokens": 5, "prompt_tokens_details": {"cached_tokens": 3}}
    TEXT = ["Héllo", " wörld,", " this is", " streamed."]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body, headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def stream(self, events, stall=False, done=True):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for event in events:
                raw = ("data: " + json.dumps(event, ensure_ascii=False) + "\n\n").encode()
                # Split every event mid-line (and so sometimes mid-character) across two writes.
                middle = len(raw) // 2
                self.wfile.write(raw[:middle]); self.wfile.flush(); time.sleep(0.002)
                self.wfile.write(raw[middle:]); self.wfile.flush()
                if stall:
                    time.sleep(30)
                    return
            if done:
                self.wfile.write(b": keep-alive\n\ndata: [DONE]\n\n"); self.wfile.flush()
            self.close_connection = True

        def do_POST(self):
            if self.path != "/v1/chat/completions":
                return self.reply(404, {"error": {"message": "no such route"}})
            if self.headers.get("Authorization") != "Bearer test-key":
                return self.reply(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                                  "code": "invalid_api_key"}})
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            model, stream = body["model"], body.get("stream", False)
            if body.get("max_tokens") != 100 or body["messages"][0] != {"role": "system", "content": "Be brief."}:
                return self.reply(400, {"error": {"message": "unexpected request: " + json.dumps(body)}})
            with lock:
                counts[model] = counts.get(model, 0) + 1
                attempt = counts[model]
            if model == "rate-limited-once" and attempt == 1:
                return self.reply(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                                  [("retry-after-ms", "200")])
            if model == "rate-limited-long":
                return self.reply(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                                  [("retry-after", "600")])
            if model == "error-then-ok" and attempt == 1:
                return self.reply(500, b"upstream exploded")
            if model == "malformed":
                return self.reply(200, b"{not json")
            if model == "context":
                return self.reply(400, {"error": {"message": "too long", "type": "invalid_request_error",
                                                  "code": "context_length_exceeded"}})
            if model == "tools":
                if body["tools"][0]["function"]["name"] != "lookup" or body["tool_choice"] != "required":
                    return self.reply(400, {"error": {"message": "tools not translated"}})
                call = {"index": 0, "id": "call_abc", "type": "function", "function": {"name": "lookup", "arguments": ""}}
                return self.stream([
                    {"choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [call]}}]},
                    {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{\"q\": "}}]}}]},
                    {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "\"x\"}"}}]}}]},
                    {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
                    {"choices": [], "usage": USAGE}])
            content = "".join(TEXT)
            if model == "tool-result":
                last, previous = body["messages"][-1], body["messages"][-2]
                if last != {"role": "tool", "tool_call_id": "call_abc", "content": "42"} or \
                   previous["tool_calls"][0]["function"] != {"name": "lookup", "arguments": "{\"q\":\"x\"}"}:
                    return self.reply(400, {"error": {"message": "tool messages not translated: " + json.dumps(body)}})
                content = "ok"
            if model == "json":
                if body["response_format"]["type"] != "json_schema":
                    return self.reply(400, {"error": {"message": "no response_format"}})
                content = json.dumps({"answer": 42})
            if stream:
                events = [{"model": "gpt-4.1-2025-04-14", "choices": [{"index": 0, "delta": {"content": piece}}]} for piece in TEXT]
                events += [{"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}, {"choices": [], "usage": USAGE}]
                if model == "drop":
                    return self.stream(events[:2], done=False)
                return self.stream(events, stall=(model == "stall"))
            self.reply(200, {"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4.1-2025-04-14",
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                             "usage": USAGE})

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_port, flush=True)
    server.serve_forever()
    """#
}
