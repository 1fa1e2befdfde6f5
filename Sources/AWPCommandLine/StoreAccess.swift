internal import AWPCore
internal import AWPStore
internal import Foundation
internal import Glibc

/// What the run-inspection commands share: `--home`/`$AWP_HOME`, opening the store without
/// creating it, resolving `<run|latest>`, and formatting numbers, times and tables.
struct StoreAccess {
    let home: StoreHome
    let store: RunStore

    /// Opens the store of the home named by `--home`, `$AWP_HOME` or `./.awp`.
    ///
    /// Inspection never creates a store: a mistyped home is an error, not an empty listing.
    static func open(_ arguments: Arguments) async throws -> StoreAccess {
        let home = StoreHome.resolve(explicit: arguments.value("--home"))
        let store = try await RunStore.open(home: home, options: StoreOptions(createIfMissing: false))
        return StoreAccess(home: home, store: store)
    }

    /// Parses the options of a command that takes one `<run|latest>` argument.
    static func parseRunCommand(
        _ arguments: [String],
        command: String,
        options: Set<String> = [],
        flags: Set<String> = ["--json"]
    ) throws(UsageError) -> (arguments: Arguments, run: String) {
        let parsed = try Arguments(arguments, command: command, options: options.union(["--home"]), flags: flags)
        guard parsed.positionals.count == 1, let run = parsed.positionals.first else {
            throw UsageError(
                command: command,
                message: parsed.positionals.isEmpty ? "name a run id (or a unique prefix, or 'latest')" : "one run at a time"
            )
        }
        return (parsed, run)
    }

    /// Whether a `running` run's process still exists (nil when no process was recorded).
    ///
    /// A run left `running` by a dead process is interrupted and can be resumed.
    static func isProcessAlive(_ run: RunRecord) -> Bool? {
        guard run.status == .running, let pid = run.processID else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// `running`, or `interrupted` for a running run whose process is gone; terminal statuses as stored.
    static func displayStatus(_ run: RunRecord) -> String {
        isProcessAlive(run) == false ? "interrupted" : run.status.rawValue
    }
}

/// Text formatting for the inspection commands.
enum Format {
    /// `850ms`, `12.3s`, `4m05s`, `2h03m`.
    static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let seconds = Double(milliseconds) / 1000
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, whole / 60 % 60)
    }

    /// `$0.0123` (four decimals: single calls often cost fractions of a cent).
    static func cost(_ usd: Double) -> String { String(format: "$%.4f", usd) }

    /// `1234567` → `1,234,567`.
    static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var grouped = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// `2026-01-01 00:00:00` in UTC, for tables (the JSON outputs use full ISO 8601).
    static func time(_ milliseconds: Int64) -> String {
        let text = Timestamp.iso8601(milliseconds)
        return String(text.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    /// Left-aligned columns separated by two spaces; the last column is not padded.
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    /// A one-line usage summary: `3 LLM calls (1 cached), 300 in / 60 out tokens, $0.0012, 2 tool calls`.
    static func usage(_ usage: RunUsage) -> String {
        var parts = ["\(usage.llmCalls) LLM call\(usage.llmCalls == 1 ? "" : "s")" + (usage.cacheHits > 0 ? " (\(usage.cacheHits) from cache)" : "")]
        parts.append("\(count(usage.inputTokens)) in / \(count(usage.outputTokens)) out tokens")
        parts.append(cost(usage.costUSD))
        parts.append("\(usage.toolCalls) tool call\(usage.toolCalls == 1 ? "" : "s")")
        if usage.workers > 0 { parts.append("\(usage.workers) worker\(usage.workers == 1 ? "" : "s")") }
        if usage.loops > 0 { parts.append("\(usage.loops) loop\(usage.loops == 1 ? "" : "s")") }
        return parts.joined(separator: ", ")
    }
}

extension RunRecord {
    /// The fields every run-describing JSON output shares, in the order of `awp run --json`.
    func summaryJSON(usage: RunUsage, artifacts: [ArtifactRecord]?, now: Int64) -> [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = [
            ("runId", .string(id)),
            ("status", .string(status.rawValue)),
            ("terminationReason", terminationReason.map(JSONValue.string) ?? .null),
            ("result", result ?? .null),
        ]
        if let artifacts { members.append(("artifacts", .array(artifacts.map { .string($0.path) }))) }
        members += [
            ("outputDir", outputDirectory.map(JSONValue.string) ?? .null),
            ("usage", usage.json),
            ("workflow", .string(workflow)),
            ("task", task.map(JSONValue.string) ?? .null),
            ("provider", provider.map(JSONValue.string) ?? .null),
            ("model", model.map(JSONValue.string) ?? .null),
            ("cachePolicy", .string(cachePolicy.rawValue)),
            ("parentRunId", parentRunID.map(JSONValue.string) ?? .null),
            ("startedAt", .string(Timestamp.iso8601(startedAt))),
            ("endedAt", endedAt.map { .string(Timestamp.iso8601($0)) } ?? .null),
            ("wallMs", .integer(Int(wallMilliseconds(now: now)))),
            ("resumeCount", .integer(resumeCount)),
        ]
        return members
    }
}
