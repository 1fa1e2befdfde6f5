/// A local stand-in for the Gemini API, speaking its wire format (PLUGINS.md §3.4): the model in the
/// URL picks the behaviour.
enum GeminiTestServer {
    static let key = "AIza-test-0123456789"

    static let script = ProviderTestServer.pythonPrelude + #"""

    import re
    KEY = "AIza-test-0123456789"
    TEXT = ["Héllo", " wörld,", " this is", " streamed."]
    USAGE = {"promptTokenCount": 11, "candidatesTokenCount": 5, "totalTokenCount": 16, "cachedContentTokenCount": 3}
    REJECTED = {"additionalProperties", "$schema", "$ref", "$defs", "oneOf", "const"}

    def error(code, status, message, details=()):
        return {"error": {"code": code, "message": message, "status": status, "details": list(details)}}

    def chunk(parts, finish=None, usage=None):
        candidate = {"content": {"role": "model", "parts": parts}, "index": 0}
        if finish:
            candidate["finishReason"] = finish
        result = {"candidates": [candidate], "modelVersion": "gemini-2.5-flash"}
        if usage:
            result["usageMetadata"] = usage
        return result

    def sse(data):
        return ("data: " + json.dumps(data, ensure_ascii=False) + "\r\n\r\n").encode()

    def clean(schema):
        """Whether no keyword Gemini rejects appears anywhere in the schema."""
        if isinstance(schema, dict):
            return not (REJECTED & set(schema)) and all(clean(v) for v in schema.values())
        if isinstance(schema, list):
            return all(clean(v) for v in schema)
        return True

    class Handler(Base):
        def do_POST(self):
            body = self.read_body()
            match = re.fullmatch(r"/v1beta/models/([^:/]+):(generateContent|streamGenerateContent\?alt=sse)", self.path)
            if not match:
                return self.reply(404, error(404, "NOT_FOUND", "no such route: " + self.path))
            if self.headers.get("x-goog-api-key") != KEY:
                return self.reply(400, error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                                             [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                                               "domain": "googleapis.com"}]))
            model, stream = match.group(1), match.group(2) != "generateContent"
            if body.get("systemInstruction") != {"parts": [{"text": "Be brief."}]} or "model" in body:
                return self.reply(400, error(400, "INVALID_ARGUMENT", "unexpected request: " + json.dumps(body)))
            attempt = self.attempt(model)
            retry = lambda delay: [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}]
            if model == "rate-limited-once" and attempt == 1:
                return self.reply(429, error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", retry("1s")))
            if model == "rate-limited-long":
                return self.reply(429, error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", retry("600s")))
            if model == "overloaded-once" and attempt == 1:
                return self.reply(503, error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."))
            if model == "error-then-ok" and attempt == 1:
                return self.reply(500, error(500, "INTERNAL", "An internal error has occurred."))
            if model == "malformed":
                return self.reply(200, b'{"candidates": [{"content": {"parts": [{"te')
            if model == "context":
                return self.reply(400, error(400, "INVALID_ARGUMENT",
                                             "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."))
            if model == "tools":
                declaration = body["tools"][0]["functionDeclarations"][0]
                if declaration["name"] != "lookup" or not clean(body["tools"]) or \
                   body["toolConfig"] != {"functionCallingConfig": {"mode": "ANY"}}:
                    return self.reply(400, error(400, "INVALID_ARGUMENT", "tools not translated: " + json.dumps(body)))
                call = {"functionCall": {"name": "lookup", "args": {"q": "x"}}, "thoughtSignature": "c2lnLTEyMw=="}
                return self.stream([sse(chunk([{"text": "Let me check."}])), sse(chunk([call])),
                                    sse(chunk([{"text": ""}], "STOP", USAGE))])
            if model == "json":
                config = body["generationConfig"]
                if config["responseMimeType"] != "application/json" or not clean(config["responseSchema"]):
                    return self.reply(400, error(400, "INVALID_ARGUMENT", "structured output not translated: " + json.dumps(body)))
                return self.reply(200, chunk([{"text": json.dumps({"answer": 42})}], "STOP", USAGE))
            text = TEXT
            if model == "tool-result":
                text = ["ok"]
            if model == "safety":
                return self.reply(200, chunk([], "SAFETY", USAGE))
            if stream:
                events = [sse(chunk([{"text": piece}], usage={"promptTokenCount": 11})) for piece in text]
                events.append(sse(chunk([{"text": ""}], "STOP", USAGE)))
                if model == "drop":
                    return self.stream(events[:2])
                if model == "truncated":
                    return self.stream(events[:2], tail=b'data: {"candidates": [{"content": {"par')
                if model == "midstream-error":
                    return self.stream(events[:2] + [sse(error(503, "UNAVAILABLE", "The model is overloaded."))])
                if model == "stall":
                    return self.stream(events[:2], stall=True)
                return self.stream(events)
            self.reply(200, chunk([{"text": "".join(text)}], "STOP", USAGE))

    serve(Handler)
    """#
}
