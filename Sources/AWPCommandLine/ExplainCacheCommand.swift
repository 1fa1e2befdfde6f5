internal import AWPCore
internal import AWPStore

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
