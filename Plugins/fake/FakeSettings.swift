import AWPCore
import AWPPluginKit
import Foundation

/// How the fake provider behaves, from its arguments or environment (arguments win):
///
/// | argument | environment | meaning |
/// |---|---|---|
/// | `--script PATH` | `AWP_FAKE_SCRIPT` | replay responses from a JSONL file, one line per `provider/generate` |
/// | `--latency-ms N` | `AWP_FAKE_LATENCY_MS` | wait N ms before answering (spread over the streamed deltas) |
/// | `--fail-every N` | `AWP_FAKE_FAIL_EVERY` | every Nth generate call fails |
/// | `--fail-kind KIND` | `AWP_FAKE_FAIL_KIND` | the error kind of injected failures (default `unavailable`) |
/// | `--retry-after-ms N` | `AWP_FAKE_RETRY_AFTER_MS` | `retryAfterMs` of injected failures |
/// | `--mode greedy` | `AWP_FAKE_MODE` | an adversary for budget tests: the manager never completes, it delegates `--workers N` envelopes every iteration (sub-managers with `--submanagers`), and each worker makes `--tool-calls N` `file.list` calls before answering |
/// | `--workers N` | `AWP_FAKE_WORKERS` | envelopes per greedy delegation (default 1) |
/// | `--tool-calls N` | `AWP_FAKE_TOOL_CALLS` | tool calls per greedy worker (default 1) |
/// | `--submanagers` | `AWP_FAKE_SUBMANAGERS=1` | greedy envelopes ask to be sub-managers |
/// | `--price-in X` | `AWP_FAKE_PRICE_IN` | US dollars per million input tokens (default 0) |
/// | `--price-out X` | `AWP_FAKE_PRICE_OUT` | US dollars per million output tokens (default 0) |
struct FakeSettings {
    var scriptPath: String?
    var latencyMs = 0
    var failEvery = 0
    var failKind = PluginErrorKind.unavailable
    var retryAfterMs: Int?
    var priceInPerMillion = 0.0
    var priceOutPerMillion = 0.0
    var greedy = false
    var greedyWorkers = 1
    var greedyToolCalls = 1
    var greedySubmanagers = false

    static let environmentNames = [
        "AWP_FAKE_SCRIPT", "AWP_FAKE_LATENCY_MS", "AWP_FAKE_FAIL_EVERY", "AWP_FAKE_FAIL_KIND", "AWP_FAKE_RETRY_AFTER_MS",
        "AWP_FAKE_PRICE_IN", "AWP_FAKE_PRICE_OUT", "AWP_FAKE_MODE", "AWP_FAKE_WORKERS", "AWP_FAKE_TOOL_CALLS",
        "AWP_FAKE_SUBMANAGERS",
    ]

    init(arguments: [String], environment: [String: String]) {
        func setting(_ flag: String, _ variable: String) -> String? {
            if let index = arguments.firstIndex(of: flag), index + 1 < arguments.count { return arguments[index + 1] }
            return environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        scriptPath = setting("--script", "AWP_FAKE_SCRIPT")
        latencyMs = setting("--latency-ms", "AWP_FAKE_LATENCY_MS").flatMap(Int.init) ?? 0
        failEvery = setting("--fail-every", "AWP_FAKE_FAIL_EVERY").flatMap(Int.init) ?? 0
        failKind = setting("--fail-kind", "AWP_FAKE_FAIL_KIND").map(PluginErrorKind.init(rawValue:)) ?? .unavailable
        retryAfterMs = setting("--retry-after-ms", "AWP_FAKE_RETRY_AFTER_MS").flatMap(Int.init)
        priceInPerMillion = setting("--price-in", "AWP_FAKE_PRICE_IN").flatMap(Double.init) ?? 0
        priceOutPerMillion = setting("--price-out", "AWP_FAKE_PRICE_OUT").flatMap(Double.init) ?? 0
        greedy = setting("--mode", "AWP_FAKE_MODE") == "greedy"
        greedyWorkers = setting("--workers", "AWP_FAKE_WORKERS").flatMap(Int.init) ?? 1
        greedyToolCalls = setting("--tool-calls", "AWP_FAKE_TOOL_CALLS").flatMap(Int.init) ?? 1
        greedySubmanagers = arguments.contains("--submanagers") || environment["AWP_FAKE_SUBMANAGERS"] == "1"
    }
}

/// A scripted response: one JSONL line of the replay file.
///
/// Lines are either a full result (`{"stopReason", "message", "usage"}`), or shorthands:
/// `{"text": "…"}`, `{"json": {…}}` (structured output), `{"toolCalls": [{"name", "arguments", "id"?}]}`,
/// or `{"error": {"kind", "message", "retryAfterMs"?}}`. Blank lines and lines starting with `#` are skipped.
enum ScriptedResponse {
    case result(GenerateResult)
    case failure(PluginFailure)

    static func load(_ path: String) throws -> [ScriptedResponse] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var responses: [ScriptedResponse] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                responses.append(try parse(try JSONParser.parse(trimmed)))
            } catch {
                throw PluginFailure(.invalidRequest, "\(path):\(number + 1): \(error)")
            }
        }
        return responses
    }

    static func parse(_ value: JSONValue) throws -> ScriptedResponse {
        if let error = value["error"] {
            return .failure(PluginFailure(PluginErrorKind(rawValue: error["kind"]?.stringValue ?? "internal"),
                                          error["message"]?.stringValue ?? "scripted failure",
                                          retryAfterMs: error["retryAfterMs"]?.intValue))
        }
        if value["message"] != nil { return .result(try GenerateResult(json: value)) }
        var parts: [MessagePart] = []
        if let text = value["text"]?.stringValue { parts.append(.text(text)) }
        if let json = value["json"] { parts.append(.text(json.serialized())) }
        for (index, call) in (value["toolCalls"]?.arrayValue ?? []).enumerated() {
            parts.append(.toolCall(ToolCallRequest(id: call["id"]?.stringValue ?? "call_\(index + 1)",
                                                   name: call["name"]?.stringValue ?? "tool",
                                                   arguments: call["arguments"] ?? [:])))
        }
        let stop: StopReason = parts.contains { if case .toolCall = $0 { true } else { false } } ? .toolUse : .endTurn
        let usage = try value["usage"].map { try TokenUsage(json: $0) }
        return .result(GenerateResult(stopReason: stop, message: ChatMessage(role: .assistant, content: parts),
                                      usage: usage ?? TokenUsage()))
    }
}
