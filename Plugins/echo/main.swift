// awp-tool-echo: a tool plugin that answers immediately, for tests, benchmarks and as the smallest
// example of AWPPluginKit. Besides `echo` it has tools that misbehave on request (sleep, fail, exit),
// which the fault-containment tests use.
import AWPCore
import AWPPluginKit
import Foundation

var server = PluginServer(name: "echo", version: "1.0.0", kinds: [.tool],
                          description: "Echoes its arguments back; also sleeps, fails or exits on request (tests, bench)")

server.tool(ToolDefinition(
    name: "echo", description: "Returns `text` as the result text, and any other arguments as structured content",
    inputSchema: ["type": "object", "properties": ["text": ["type": "string"]]],
    annotations: ToolAnnotations(readOnlyHint: true, idempotentHint: true, openWorldHint: false))
) { arguments, _ in
    // The text is not repeated in the structured content, so an echo is no bigger than its request.
    let others = (arguments.objectValue ?? []).filter { $0.key != "text" }
    return ToolCallResult(content: [.text(arguments["text"]?.stringValue ?? "")],
                          structuredContent: others.isEmpty ? nil : .object(others))
}

server.tool(ToolDefinition(
    name: "sleep", description: "Waits `ms` milliseconds, reporting progress every 10 ms, then returns",
    inputSchema: ["type": "object", "properties": ["ms": ["type": "integer"]], "required": ["ms"]],
    annotations: ToolAnnotations(readOnlyHint: true))
) { arguments, context in
    let total = max(arguments["ms"]?.intValue ?? 0, 0)
    var elapsed = 0
    while elapsed < total {
        let step = min(10, total - elapsed)
        try await Task.sleep(for: .milliseconds(step))
        elapsed += step
        context.progress(Double(elapsed), total: Double(total))
    }
    return .text("slept \(total) ms")
}

server.tool(ToolDefinition(
    name: "fail", description: "Returns an error result with `message` (a tool failure the model can read)",
    inputSchema: ["type": "object", "properties": ["message": ["type": "string"]]])
) { arguments, _ in
    .text(arguments["message"]?.stringValue ?? "failed on request", isError: true)
}

server.tool(ToolDefinition(
    name: "exit", description: "Ends the plugin process with `status` after writing `stderr` to stderr",
    inputSchema: ["type": "object", "properties": ["status": ["type": "integer"], "stderr": ["type": "string"]]],
    annotations: ToolAnnotations(destructiveHint: true))
) { arguments, _ in
    if let text = arguments["stderr"]?.stringValue { PluginLog.write(text) }
    exit(Int32(arguments["status"]?.intValue ?? 3))
}

await server.run()
