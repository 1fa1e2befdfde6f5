internal import AWPCore
internal import AWPStore
internal import Foundation

/// `awp runs`, `awp status <run|latest>` and `awp output <run|latest>`: what ran, how it stands,
/// what it produced.
enum RunInspectionCommands {
    /// `awp runs [--limit N] [--all] [--json] [--home DIR]`: newest first; `--all` adds sub-manager runs.
    static func runs(_ arguments: [String], console: Console) async throws -> Int32 {
        let parsed = try Arguments(arguments, command: "runs", options: ["--limit", "--home"], flags: ["--json", "--all"])
        guard parsed.positionals.isEmpty else { throw UsageError(command: "runs", message: "unexpected argument '\(parsed.positionals[0])'") }
        var limit = 20
        if let text = parsed.value("--limit") {
            guard let value = Int(text), value > 0 else { throw UsageError(command: "runs", message: "--limit needs a positive whole number") }
            limit = value
        }
        let access = try await StoreAccess.open(parsed)
        let runs = try await access.store.runs(limit: limit, includingSubRuns: parsed.has("--all"))
        let now = Timestamp.milliseconds()
        var entries: [(run: RunRecord, usage: RunUsage)] = []
        for run in runs { entries.append((run, try await access.store.usage(of: run.id))) }

        if parsed.has("--json") {
            let list = entries.map { entry in
                JSONValue.object(
                    [
                        ("runId", .string(entry.run.id)), ("workflow", .string(entry.run.workflow)),
                        ("task", entry.run.task.map(JSONValue.string) ?? .null),
                        ("status", .string(StoreAccess.displayStatus(entry.run))),
                        ("terminationReason", entry.run.terminationReason.map(JSONValue.string) ?? .null),
                        ("parentRunId", entry.run.parentRunID.map(JSONValue.string) ?? .null),
                        ("startedAt", .string(Timestamp.iso8601(entry.run.startedAt))),
                        ("endedAt", entry.run.endedAt.map { .string(Timestamp.iso8601($0)) } ?? .null),
                        ("wallMs", .integer(Int(entry.run.wallMilliseconds(now: now)))),
                        ("usage", entry.usage.json),
                    ]
                )
            }
            console.out(JSONValue.object([("runs", .array(list))]).serialized(pretty: true))
            return ExitStatus.success
        }
        guard !entries.isEmpty else {
            console.out("no runs yet in \(access.home.databasePath)")
            return ExitStatus.success
        }
        let rows = entries.map { entry in
            [
                entry.run.id, StoreAccess.displayStatus(entry.run), entry.run.workflow, Format.time(entry.run.startedAt),
                Format.duration(entry.run.wallMilliseconds(now: now)),
                Format.count(entry.usage.inputTokens + entry.usage.outputTokens), Format.cost(entry.usage.costUSD),
                entry.run.task.map { String($0.prefix(40)) } ?? "",
            ]
        }
        for line in Format.table(["RUN", "STATUS", "WORKFLOW", "STARTED (UTC)", "WALL", "TOKENS", "COST", "TASK"], rows) {
            console.out(line)
        }
        return ExitStatus.success
    }

    /// `awp status <run|latest> [--json] [--home DIR]`.
    static func status(_ arguments: [String], console: Console) async throws -> Int32 {
        let (parsed, reference) = try StoreAccess.parseRunCommand(arguments, command: "status")
        let access = try await StoreAccess.open(parsed)
        let run = try await access.store.resolveRun(reference)
        let usage = try await access.store.usage(of: run.id)
        let artifacts = try await access.store.artifacts(run.id)
        let children = try await access.store.childRuns(of: run.id)
        let now = Timestamp.milliseconds()
        let alive = StoreAccess.isProcessAlive(run)

        if parsed.has("--json") {
            var members = run.summaryJSON(usage: usage, artifacts: artifacts, now: now)
            members.append(("subRuns", .array(children.map { .string($0.id) })))
            members.append(("processAlive", alive.map(JSONValue.bool) ?? .null))
            members.append(("resumable", .bool(run.status != .complete && alive != true)))
            console.out(JSONValue.object(members).serialized(pretty: true))
            return ExitStatus.success
        }
        var status = StoreAccess.displayStatus(run)
        if let reason = run.terminationReason { status += " (\(reason))" }
        if alive == false { status += ": its process is gone; continue it with 'awp resume \(run.id)'" }
        var lines: [(String, String)] = [("run", run.id), ("workflow", run.workflow)]
        if let task = run.task { lines.append(("task", task)) }
        lines.append(("status", status))
        if let parent = run.parentRunID { lines.append(("parent", parent)) }
        if run.provider != nil || run.model != nil {
            lines.append(("provider", [run.provider, run.model].compactMap { $0 }.joined(separator: " / ")))
        }
        lines.append(("started", Format.time(run.startedAt) + " UTC, wall " + Format.duration(run.wallMilliseconds(now: now))))
        if run.resumeCount > 0 { lines.append(("resumed", "\(run.resumeCount) time\(run.resumeCount == 1 ? "" : "s")")) }
        lines.append(("usage", Format.usage(usage)))
        lines.append(("cache", run.cachePolicy.rawValue))
        if let output = run.outputDirectory { lines.append(("output", output)) }
        if !artifacts.isEmpty { lines.append(("artifacts", artifacts.map(\.path).joined(separator: ", "))) }
        if !children.isEmpty { lines.append(("sub-runs", children.map { "\($0.id) (\($0.status.rawValue))" }.joined(separator: ", "))) }
        for (label, value) in lines { console.out(label.padding(toLength: 10, withPad: " ", startingAt: 0) + value) }
        return ExitStatus.success
    }

    /// `awp output <run|latest> [--json] [--home DIR]`: the run's result; text results print as they are.
    static func output(_ arguments: [String], console: Console) async throws -> Int32 {
        let (parsed, reference) = try StoreAccess.parseRunCommand(arguments, command: "output")
        let access = try await StoreAccess.open(parsed)
        let run = try await access.store.resolveRun(reference)
        let artifacts = try await access.store.artifacts(run.id)
        if parsed.has("--json") {
            let json = JSONValue.object(
                [
                    ("runId", .string(run.id)), ("status", .string(run.status.rawValue)), ("result", run.result ?? .null),
                    ("artifacts", .array(artifacts.map(\.json))),
                    ("outputDir", run.outputDirectory.map(JSONValue.string) ?? .null),
                ]
            )
            console.out(json.serialized(pretty: true))
            return ExitStatus.success
        }
        guard let result = run.result else {
            console.error("awp output: run \(run.id) has no result yet (status \(StoreAccess.displayStatus(run)))")
            return ExitStatus.failure
        }
        if case .string(let text) = result {
            console.out(text)
        } else {
            console.out(result.serialized(pretty: true))
        }
        return ExitStatus.success
    }
}
