internal import AWPCore
internal import AWPRuntime
internal import Foundation
internal import Glibc
internal import Synchronization

/// Shows a run as it happens, on standard error: one line per notable event (the manager's
/// decisions, workers starting and finishing, tool calls, budget refusals), indented by sub-manager
/// depth. On a terminal a status line at the bottom keeps running totals (LLM calls, tokens, cost,
/// workers, tool calls) and is redrawn in place; elsewhere (pipes, CI logs) only plain lines appear.
final class ProgressRenderer: Sendable {
    private struct Totals {
        var llmCalls = 0
        var tokens = 0
        var cost = 0.0
        var workers = 0
        var toolCalls = 0
        var iteration = 0
        var statusShown = false
    }

    private let console: Console
    private let quiet: Bool
    private let isTerminal: Bool
    private let totals = Mutex(Totals())

    init(console: Console, quiet: Bool) {
        self.console = console
        self.quiet = quiet
        isTerminal = isatty(2) == 1
    }

    func show(_ event: RunEvent) {
        guard !quiet else { return }
        let indent = String(repeating: "  ", count: event.depth)
        var line: String?
        totals.withLock { totals in
            switch event.body {
            case .runStarted(let workflow, _, let engine):
                line = "▶ \(workflow) (\(engine)) run \(event.runID)"
            case .iterationStarted(let iteration):
                totals.iteration = iteration
            case .decision(_, let iteration, let decision, let workers, _):
                let who = workers.isEmpty ? "" : " → " + workers.joined(separator: ", ")
                line = "\(indent)iteration \(iteration): \(decision)\(who)"
            case .workerStarted(let worker, _, let role):
                totals.workers += 1
                line = "\(indent)  ◦ \(role) \(worker) started"
            case .workerFinished(let worker, let status, let confidence):
                let shown = confidence.map { String(format: " (confidence %.2f)", $0) } ?? ""
                line = "\(indent)  ✓ \(worker) \(status)\(shown)"
            case .toolCall(let agent, let tool, let ok, let latency, let detail):
                totals.toolCalls += 1
                line = "\(indent)    \(ok ? "·" : "✗") \(agent) \(tool) \(latency) ms" + (detail.map { ": " + $0.prefix(120) } ?? "")
            case .llmCall(_, _, let input, let output, let cost, _, _):
                totals.llmCalls += 1
                totals.tokens += input + output
                totals.cost += cost
            case .budget(let dimension, let action, let used, let limit):
                line = "\(indent)  budget \(dimension) \(action) (\(Self.number(used)) of \(Self.number(limit)))"
            case .policyDecision(let subject, let action, let allowed, let reason) where !allowed:
                line = "\(indent)  policy refused \(subject) \(action): \(reason)"
            case .nodeSkipped(let node, let reason):
                line = "\(indent)  skipped \(node): \(reason)"
            case .toolCreated(let name, let worker, let registered, let detail):
                line = "\(indent)    \(registered ? "+" : "✗") tool \(name) by \(worker)" + (detail.map { ": " + $0.prefix(160) } ?? "")
            case .subManager(let worker, let child, let depth, let status):
                line = "\(indent)  ⤷ sub-manager \(worker) \(child) at depth \(depth)" + (status.map { ": \($0)" } ?? "")
            case .runFinished(let status, let reason):
                line = "■ \(status)" + (reason.map { " (\($0))" } ?? "")
            case .log(let level, let message) where level != "debug":
                line = "\(indent)  \(level): \(message)"
            default:
                break
            }
            var text = ""
            if isTerminal && totals.statusShown { text += "\r\u{1B}[K" }
            if let line { text += line + "\n" }
            if isTerminal {
                text += String(format: "  [iteration %d · %d LLM calls · %@ tokens · $%.4f · %d workers · %d tool calls]",
                               totals.iteration, totals.llmCalls, Self.number(Double(totals.tokens)), totals.cost,
                               totals.workers, totals.toolCalls)
                totals.statusShown = true
            }
            if !text.isEmpty { console.writeError(text) }
        }
    }

    /// Clears the status line before the final output.
    func finish() {
        totals.withLock { totals in
            if isTerminal && totals.statusShown { console.writeError("\r\u{1B}[K") }
            totals.statusShown = false
        }
    }

    private static func number(_ value: Double) -> String {
        if value >= 10_000 { return String(format: "%.1fk", value / 1000) }
        return value == value.rounded() ? String(Int(value)) : String(format: "%.4f", value)
    }
}
