public import AWPCore

/// A per-run metrics summary: counts, tokens, cost, latency percentiles, cache outcomes, per model
/// and per tool. Computed from a snapshot (the run and its sub-runs), so it never disagrees with
/// the stored calls.
public enum RunMetrics {
    public static func summary(_ snapshot: RunSnapshot, now: Int64) -> JSONValue {
        let runs = snapshot.allRuns
        let llm = runs.flatMap(\.llmCalls)
        let tools = runs.flatMap(\.toolCalls)
        let finished = llm.filter { $0.status == .completed || $0.status == .failed }

        var byModel: [String: (provider: String, model: String, calls: Int, input: Int, output: Int, cost: Double)] = [:]
        var modelOrder: [String] = []
        for call in finished {
            let key = call.provider + "\u{0}" + call.model
            if byModel[key] == nil {
                modelOrder.append(key)
                byModel[key] = (call.provider, call.model, 0, 0, 0, 0)
            }
            byModel[key]!.calls += 1
            byModel[key]!.input += call.usage.inputTokens
            byModel[key]!.output += call.usage.outputTokens
            byModel[key]!.cost += call.costUSD
        }
        var byTool: [String: (calls: Int, errors: Int)] = [:]
        var toolOrder: [String] = []
        for call in tools {
            if byTool[call.tool] == nil {
                toolOrder.append(call.tool)
                byTool[call.tool] = (0, 0)
            }
            byTool[call.tool]!.calls += 1
            if call.isError || call.status == .failed { byTool[call.tool]!.errors += 1 }
        }
        var cache: [CacheDecision.Outcome: Int] = [:]
        for call in llm { if let outcome = call.cacheDecision?.outcome { cache[outcome, default: 0] += 1 } }
        var eventCounts: [(key: String, value: JSONValue)] = []
        for run in runs {
            for event in run.events {
                if let index = eventCounts.firstIndex(where: { $0.key == event.kind.rawValue }) {
                    eventCounts[index].value = .integer((eventCounts[index].value.doubleValue.map(Int.init) ?? 0) + 1)
                } else {
                    eventCounts.append((event.kind.rawValue, 1))
                }
            }
        }

        return [
            "runId": .string(snapshot.run.id),
            "status": .string(snapshot.run.status.rawValue),
            "wallMs": .integer(Int(snapshot.run.wallMilliseconds(now: now))),
            "runs": .integer(runs.count),
            "llm": [
                "calls": .integer(finished.count),
                "failed": .integer(llm.filter { $0.status == .failed }.count),
                "interrupted": .integer(llm.filter { $0.status == .interrupted }.count),
                "cacheServed": .integer(llm.filter { $0.source == .cache && $0.status == .completed }.count),
                "inputTokens": .integer(snapshot.usage.inputTokens),
                "outputTokens": .integer(snapshot.usage.outputTokens),
                "cachedInputTokens": .integer(snapshot.usage.cachedInputTokens),
                "costUSD": .number(snapshot.usage.costUSD),
                "latencyMs": percentiles(finished.compactMap(\.latencyMs)),
                "byModel": .array(
                    modelOrder.compactMap { byModel[$0] }.map { entry in
                        [
                            "provider": .string(entry.provider), "model": .string(entry.model), "calls": .integer(entry.calls),
                            "inputTokens": .integer(entry.input), "outputTokens": .integer(entry.output),
                            "costUSD": .number(entry.cost),
                        ]
                    }
                ),
            ],
            "tools": [
                "calls": .integer(tools.count),
                "mutating": .integer(tools.filter(\.isMutating).count),
                "errors": .integer(tools.filter { $0.isError || $0.status == .failed }.count),
                "latencyMs": percentiles(tools.compactMap(\.latencyMs)),
                "byTool": .array(
                    toolOrder.compactMap { name in
                        byTool[name].map { ["tool": .string(name), "calls": .integer($0.calls), "errors": .integer($0.errors)] }
                    }
                ),
            ],
            "cache": [
                "hit": .integer(cache[.hit] ?? 0),
                "miss": .integer(cache[.miss] ?? 0),
                "bypass": .integer(cache[.bypass] ?? 0),
            ],
            "workers": .integer(snapshot.usage.workers),
            "loops": .integer(snapshot.usage.loops),
            "artifacts": .integer(runs.reduce(0) { $0 + $1.artifacts.count }),
            "events": .object(eventCounts),
        ]
    }

    /// `{count, p50, p95, max}` by nearest rank; zeros when empty.
    static func percentiles(_ values: [Int]) -> JSONValue {
        let sorted = values.sorted()
        func rank(_ fraction: Double) -> Int {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        return [
            "count": .integer(sorted.count), "p50": .integer(rank(0.5)), "p95": .integer(rank(0.95)),
            "max": .integer(sorted.last ?? 0),
        ]
    }
}
