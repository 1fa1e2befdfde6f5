internal import AWPCore
internal import AWPStore
internal import Foundation

/// `awp calls <run|latest>` and `awp events <run|latest>`: the run's calls and event log. The call-by-call
/// cache explanation (`awp explain-cache`) follows below.
enum CallsCommand {
    /// One row of `awp calls`: an LLM or a tool call attempt.
    struct Entry {
        var startedAt: Int64
        var type: String
        var seq: Int
        var json: JSONValue
        var cells: [String]
    }

    /// `awp calls <run|latest> [--json] [--home DIR]`: LLM and tool calls in start order.
    static func calls(_ arguments: [String], console: Console) async throws -> Int32 {
        let (parsed, reference) = try StoreAccess.parseRunCommand(arguments, command: "calls")
        let access = try await StoreAccess.open(parsed)
        let run = try await access.store.resolveRun(reference)
        let llm = try await access.store.llmCalls(run.id).map(entry)
        let tools = try await access.store.toolCalls(run.id).map(entry)
        let entries = (llm + tools).sorted { ($0.startedAt, $0.type, $0.seq) < ($1.startedAt, $1.type, $1.seq) }

        if parsed.has("--json") {
            console.out(JSONValue.object([("runId", .string(run.id)), ("calls", .array(entries.map(\.json)))]).serialized(pretty: true))
            return ExitStatus.success
        }
        guard !entries.isEmpty else {
            console.out("run \(run.id) made no calls")
            return ExitStatus.success
        }
        let header = ["#", "TYPE", "STEP", "STATUS", "TARGET", "TOKENS IN/OUT", "COST", "LATENCY", "NOTE"]
        for line in Format.table(header, entries.map(\.cells)) { console.out(line) }
        return ExitStatus.success
    }

    /// `awp events <run|latest> [--kind K]... [--json] [--home DIR]`.
    static func events(_ arguments: [String], console: Console) async throws -> Int32 {
        let (parsed, reference) = try StoreAccess.parseRunCommand(arguments, command: "events", options: ["--kind"])
        let access = try await StoreAccess.open(parsed)
        let run = try await access.store.resolveRun(reference)
        let kinds = parsed.options["--kind"].map { Set($0.map(EventKind.init(rawValue:))) }
        let events = try await access.store.events(run.id, kinds: kinds)
        if parsed.has("--json") {
            console.out(JSONValue.object([("runId", .string(run.id)), ("events", .array(events.map(\.json)))]).serialized(pretty: true))
            return ExitStatus.success
        }
        let rows = events.map { event in
            ["\(event.seq)", Format.time(event.at), event.kind.rawValue, event.payload == .object([]) ? "" : event.payload.serialized()]
        }
        for line in Format.table(["SEQ", "TIME (UTC)", "KIND", "PAYLOAD"], rows) { console.out(line) }
        return ExitStatus.success
    }

    static func entry(_ call: LLMCallRecord) -> Entry {
        var json: [(key: String, value: JSONValue)] = [
            ("type", "llm"), ("seq", .integer(call.seq)), ("stepKey", .string(call.stepKey)),
            ("attempt", .integer(call.attempt)), ("status", .string(call.status.rawValue)),
            ("agent", call.agent.map(JSONValue.string) ?? .null), ("iteration", call.iteration.map(JSONValue.integer) ?? .null),
            ("provider", .string(call.provider)), ("model", .string(call.model)), ("requestHash", .string(call.requestHash)),
            ("inputTokens", .integer(call.usage.inputTokens)), ("outputTokens", .integer(call.usage.outputTokens)),
            ("cachedInputTokens", .integer(call.usage.cachedInputTokens)), ("costUSD", .number(call.costUSD)),
            ("latencyMs", call.latencyMs.map(JSONValue.integer) ?? .null), ("source", .string(call.source.rawValue)),
            ("cache", call.cacheDecision?.json ?? .null), ("error", call.error.map(JSONValue.string) ?? .null),
            ("startedAt", .string(Timestamp.iso8601(call.startedAt))),
            ("endedAt", call.endedAt.map { .string(Timestamp.iso8601($0)) } ?? .null),
        ]
        json.append(("requestBlob", call.requestBlob.map(JSONValue.string) ?? .null))
        json.append(("responseBlob", call.responseBlob.map(JSONValue.string) ?? .null))
        let note = call.error ?? (call.source == .cache ? "from cache" : call.cacheDecision.map { "cache \($0.outcome.rawValue)" } ?? "")
        return Entry(
            startedAt: call.startedAt, type: "llm", seq: call.seq, json: .object(json),
            cells: [
                "\(call.seq)", "llm", call.stepKey + (call.attempt > 1 ? " (attempt \(call.attempt))" : ""), call.status.rawValue,
                "\(call.provider)/\(call.model)", "\(Format.count(call.usage.inputTokens))/\(Format.count(call.usage.outputTokens))",
                Format.cost(call.costUSD), call.latencyMs.map { Format.duration(Int64($0)) } ?? "-", note,
            ]
        )
    }

    static func entry(_ call: ToolCallRecord) -> Entry {
        let json: JSONValue = .object([
            ("type", "tool"), ("seq", .integer(call.seq)), ("stepKey", .string(call.stepKey)),
            ("attempt", .integer(call.attempt)), ("status", .string(call.status.rawValue)),
            ("agent", call.agent.map(JSONValue.string) ?? .null), ("iteration", call.iteration.map(JSONValue.integer) ?? .null),
            ("plugin", .string(call.plugin)), ("tool", .string(call.tool)), ("mutating", .bool(call.isMutating)),
            ("isError", .bool(call.isError)), ("latencyMs", call.latencyMs.map(JSONValue.integer) ?? .null),
            ("error", call.error.map(JSONValue.string) ?? .null), ("startedAt", .string(Timestamp.iso8601(call.startedAt))),
            ("endedAt", call.endedAt.map { .string(Timestamp.iso8601($0)) } ?? .null),
            ("argumentsBlob", call.argumentsBlob.map(JSONValue.string) ?? .null),
            ("resultBlob", call.resultBlob.map(JSONValue.string) ?? .null),
        ])
        let note = call.error ?? (call.isError ? "error result" : call.isMutating ? "mutating" : "")
        return Entry(
            startedAt: call.startedAt, type: "tool", seq: call.seq, json: json,
            cells: [
                "\(call.seq)", "tool", call.stepKey + (call.attempt > 1 ? " (attempt \(call.attempt))" : ""), call.status.rawValue,
                "\(call.plugin)/\(call.tool)", "-", "-", call.latencyMs.map { Format.duration(Int64($0)) } ?? "-", note,
            ]
        )
    }
}

/// `awp explain-cache <run|latest> [--json] [--home DIR]`: for each LLM call, why the response
/// cache hit, missed or was bypassed.
enum ExplainCacheCommand {
    static func run(_ arguments: [String], console: Console) async throws -> Int32 {
        let (parsed, reference) = try StoreAccess.parseRunCommand(arguments, command: "explain-cache")
        let access = try await StoreAccess.open(parsed)
        let run = try await access.store.resolveRun(reference)
        let explained = try await access.store.cacheExplanations(run.id)
        var tally: [String: Int] = [:]
        for entry in explained { tally[entry.decision?.outcome.rawValue ?? "unrecorded", default: 0] += 1 }

        if parsed.has("--json") {
            let calls = explained.map { entry in
                JSONValue.object(
                    [
                        ("seq", .integer(entry.call.seq)), ("stepKey", .string(entry.call.stepKey)),
                        ("provider", .string(entry.call.provider)), ("model", .string(entry.call.model)),
                        ("status", .string(entry.call.status.rawValue)), ("source", .string(entry.call.source.rawValue)),
                        ("decision", entry.decision?.json ?? .null),
                    ]
                )
            }
            let summary = JSONValue.object(
                ["hit", "miss", "bypass", "unrecorded"].map { (key: $0, value: .integer(tally[$0] ?? 0)) }
            )
            console.out(
                JSONValue.object([("runId", .string(run.id)), ("cachePolicy", .string(run.cachePolicy.rawValue)), ("summary", summary), ("calls", .array(calls))])
                    .serialized(pretty: true)
            )
            return ExitStatus.success
        }
        console.out("run \(run.id), cache policy '\(run.cachePolicy.rawValue)': \(explained.count) LLM call\(explained.count == 1 ? "" : "s")")
        for entry in explained {
            let why = entry.decision?.explanation ?? "no cache decision was recorded for this call"
            console.out("  #\(entry.call.seq) \(entry.call.stepKey) (\(entry.call.model)): \(why)")
        }
        let counts = ["hit", "miss", "bypass"].map { "\(tally[$0] ?? 0) \($0)" }.joined(separator: ", ")
        console.out("summary: \(counts)" + (tally["unrecorded"].map { ", \($0) unrecorded" } ?? ""))
        return ExitStatus.success
    }
}
