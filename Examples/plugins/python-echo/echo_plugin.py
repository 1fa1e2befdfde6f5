#!/usr/bin/env python3
"""A complete awp tool plugin in plain Python (standard library only).

It speaks the awp plugin protocol, which is MCP over stdio: one JSON-RPC 2.0 message per line on
stdin and stdout, logs on stderr. Run it by hand to see the framing:

    printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"me","version":"1"}}}' \
                  '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}' | python3 echo_plugin.py

`awp bench rpc` uses it as the Python echo plugin.
"""
import json
import sys

SUPPORTED_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

TOOLS = [
    {
        "name": "echo",
        "description": "Returns `text` unchanged",
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
        "annotations": {"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False},
    },
    {
        "name": "word_count",
        "description": "Counts the words in `text`",
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        "annotations": {"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False},
    },
]


def log(message):
    # stdout belongs to the protocol; anything for humans goes to stderr.
    print(message, file=sys.stderr, flush=True)


def send(message):
    # Compact JSON has no raw newlines, so one message is exactly one line. Flush every time:
    # on a pipe Python buffers stdout, and an unflushed reply looks like a hang to the host.
    sys.stdout.write(json.dumps(message, separators=(",", ":"), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def result(ident, value):
    send({"jsonrpc": "2.0", "id": ident, "result": value})


def error(ident, code, message, data=None):
    body = {"code": code, "message": message}
    if data is not None:
        body["data"] = data
    send({"jsonrpc": "2.0", "id": ident, "error": body})


def call_tool(name, arguments):
    if name == "echo":
        return {"content": [{"type": "text", "text": arguments.get("text", "")}]}
    if name == "word_count":
        text = arguments.get("text")
        if not isinstance(text, str):
            # A tool failure the model can read and correct: a result with isError, not a protocol error.
            return {"content": [{"type": "text", "text": "'text' must be a string"}], "isError": True}
        count = len(text.split())
        return {"content": [{"type": "text", "text": str(count)}], "structuredContent": {"words": count}}
    return None


def handle(message):
    method = message.get("method")
    if "id" not in message:
        return  # notifications: initialized, cancelled (calls here finish instantly anyway)
    ident, params = message["id"], message.get("params") or {}
    if method == "initialize":
        requested = params.get("protocolVersion")
        version = requested if requested in SUPPORTED_VERSIONS else SUPPORTED_VERSIONS[0]
        result(ident, {
            "protocolVersion": version,
            "capabilities": {
                "tools": {"listChanged": False},
                # The awp declaration: a native plugin of kind "tool", plugin protocol 1.
                "experimental": {"awp/plugin": {"kinds": ["tool"], "protocolVersion": 1, "features": []}},
            },
            "serverInfo": {"name": "python-echo", "version": "1.0.0"},
        })
    elif method == "ping":
        result(ident, {})
    elif method == "tools/list":
        result(ident, {"tools": TOOLS})
    elif method == "tools/call":
        outcome = call_tool(params.get("name"), params.get("arguments") or {})
        if outcome is None:
            error(ident, -32602, "Unknown tool: %s" % params.get("name"))
        else:
            result(ident, outcome)
    else:
        error(ident, -32601, "Method not found: %s" % method)


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError as problem:
            error(None, -32700, "Parse error: %s" % problem)
            continue
        handle(message)
    # stdin closed: the host wants us to exit.


if __name__ == "__main__":
    main()
