/// A local stand-in for the Anthropic Messages API, speaking its wire format (PLUGINS.md §3.3): the
/// model name in the request picks the behaviour.
enum AnthropicTestServer {
    static let key = "sk-ant-test-0123456789"

    static let script = ProviderTestServer.pythonPrelude + #"""

    KEY = "sk-ant-test-0123456789"
    TEXT = ["Héllo", " wörld,", " this is", " streamed."]
    USAGE_START = {"input_tokens": 8, "cache_read_input_tokens": 3, "cache_creation_input_tokens": 0, "output_tokens": 1}

    def sse(event, data):
        return ("event: " + event + "\ndata: " + json.dumps(data, ensure_ascii=False) + "\n\n").encode()

    def error(kind, message):
        return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_1"}

    def message_events(model, blocks, stop_reason):
        """The events of one streamed message; each block is ("text", [pieces]) or ("tool_use", id, name, [pieces])."""
        events = [sse("message_start", {"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": USAGE_START}})]
        for index, block in enumerate(blocks):
            if block[0] == "text":
                start = {"type": "text", "text": ""}
                deltas = [{"type": "text_delta", "text": piece} for piece in block[1]]
            else:
                start = {"type": "tool_use", "id": block[1], "name": block[2], "input": {}}
                deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in [""] + block[3]]
            events.append(sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}))
            events.append(sse("ping", {"type": "ping"}))
            for delta in deltas:
                events.append(sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
            events.append(sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        events.append(sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                                            "usage": {"output_tokens": 5}}))
        events.append(sse("message_stop", {"type": "message_stop"}))
        return events

    class Handler(Base):
        def do_POST(self):
            body = self.read_body()
            if self.path != "/v1/messages":
                return self.reply(404, error("not_found_error", "no such route"))
            if self.headers.get("x-api-key") != KEY:
                return self.reply(401, error("authentication_error", "invalid x-api-key"))
            if self.headers.get("anthropic-version") != "2023-06-01":
                return self.reply(400, error("invalid_request_error", "anthropic-version header is required"))
            model, stream = body["model"], body.get("stream", False)
            if "max_tokens" not in body or body.get("system") != "Be brief.":
                return self.reply(400, error("invalid_request_error", "unexpected request: " + json.dumps(body)))
            attempt = self.attempt(model)
            if model == "rate-limited-once" and attempt == 1:
                return self.reply(429, error("rate_limit_error", "Number of request tokens has exceeded your rate limit"),
                                  [("retry-after", "1")])
            if model == "overloaded-once" and attempt == 1:
                return self.reply(529, error("overloaded_error", "Overloaded"))
            if model == "error-then-ok" and attempt == 1:
                return self.reply(500, error("api_error", "Internal server error"))
            if model == "malformed":
                return self.reply(200, b'{"id": "msg_1", "type": "message", "content": [{"type": "te')
            if model == "rate-limited-long":
                return self.reply(429, error("rate_limit_error", "Rate limited"), [("retry-after", "600")])
            if model == "context":
                return self.reply(400, error("invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"))
            if model == "tools":
                tool = body["tools"][0]
                if tool["name"] != "lookup" or "q" not in tool["input_schema"]["properties"] or body["tool_choice"] != {"type": "any"}:
                    return self.reply(400, error("invalid_request_error", "tools not translated: " + json.dumps(body)))
                return self.stream(message_events(model, [("text", ["Let me check."]),
                                                          ("tool_use", "toolu_01", "lookup", ["{\"q\": ", "\"x\"}"])], "tool_use"))
            if model == "json":
                choice = body["tool_choice"]
                if choice != {"type": "tool", "name": "answer"} or body["tools"][0]["name"] != "answer":
                    return self.reply(400, error("invalid_request_error", "structured output not translated: " + json.dumps(body)))
                if stream:
                    return self.stream(message_events(model, [("tool_use", "toolu_02", "answer", ["{\"answer\"", ": 42}"])], "tool_use"))
                return self.reply(200, {"id": "msg_2", "type": "message", "role": "assistant", "model": model,
                                        "content": [{"type": "tool_use", "id": "toolu_02", "name": "answer", "input": {"answer": 42}}],
                                        "stop_reason": "tool_use", "stop_sequence": None,
                                        "usage": {"input_tokens": 20, "output_tokens": 9}})
            if model == "json-list":
                schema = body["tools"][0]["input_schema"]
                if schema != {"type": "object", "properties": {"value": {"type": "array"}}, "required": ["value"]}:
                    return self.reply(400, error("invalid_request_error", "schema not wrapped: " + json.dumps(body)))
                return self.stream(message_events(model, [("tool_use", "toolu_03", "list", ["{\"value\": [1, ", "2]}"])], "tool_use"))
            text = TEXT
            if model == "tool-result":
                text = ["ok"]
            if stream:
                events = message_events("claude-sonnet-4-5-20250929", [("text", text)], "end_turn")
                if model == "drop":
                    return self.stream(events[:5])
                if model == "truncated":
                    return self.stream(events[:4], tail=b'event: content_block_delta\ndata: {"type": "content_block_delta", "ind')
                if model == "midstream-error":
                    return self.stream(events[:4] + [sse("error", error("overloaded_error", "Overloaded"))])
                if model == "stall":
                    return self.stream(events[:4], stall=True)
                return self.stream(events)
            self.reply(200, {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
                             "content": [{"type": "text", "text": "".join(text)}], "stop_reason": "end_turn", "stop_sequence": None,
                             "usage": {"input_tokens": 8, "cache_read_input_tokens": 3, "cache_creation_input_tokens": 0,
                                       "output_tokens": 5}})

    serve(Handler)
    """#
}
