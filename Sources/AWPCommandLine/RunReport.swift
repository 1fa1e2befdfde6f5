internal import AWPCore
internal import AWPStore
internal import Foundation

/// `awp report <run|latest> [--html] [--out PATH] [--home DIR]`: a readable account of a run —
/// run tree, timeline, usage and cost, policy decisions, artifacts, audit status.
///
/// Text goes to standard output unless `--out` names a file; `--html` makes a self-contained page.
enum ReportCommand {
    static func run(_ arguments: [String], console: Console) async throws -> Int32 {
        let (parsed, reference) = try StoreAccess.parseRunCommand(arguments, command: "report", options: ["--out"], flags: ["--html"])
        let access = try await StoreAccess.open(parsed)
        let run = try await access.store.resolveRun(reference)
        let snapshot = try await access.store.snapshot(run.id)
        let audit = try await access.store.verifyAudit(run.id)
        let report = RunReport(snapshot: snapshot, audit: audit, generatedAt: Timestamp.milliseconds())
        let document = parsed.has("--html") ? HTMLReport.render(report) : report.text

        guard let out = parsed.value("--out") else {
            console.writeOut(document)
            return ExitStatus.success
        }
        let url = URL(fileURLWithPath: out)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(document.utf8).write(to: url, options: .atomic)
        } catch {
            console.error("awp report: error: cannot write \(url.path): \(error.localizedDescription)")
            return ExitStatus.failure
        }
        console.out("wrote \(url.path)")
        return ExitStatus.success
    }
}

/// What `awp report` shows, assembled once from a run snapshot and rendered as Markdown-style
/// text or as a self-contained HTML page (`HTMLReport`).
struct RunReport {
    /// One line of the run tree: a run or a worker, indented by depth.
    struct TreeNode {
        var depth: Int
        var label: String
        var detail: String
    }

    /// One timeline entry, with times relative to the root run's start.
    struct TimelineItem {
        var start: Int64
        var end: Int64?
        var category: String
        var label: String
        var detail: String
        var isFailure: Bool
    }

    /// Usage per provider and model.
    struct ModelUsage {
        var provider: String
        var model: String
        var calls: Int
        var cacheServed: Int
        var inputTokens: Int
        var outputTokens: Int
        var costUSD: Double
    }

    /// A policy decision, budget event, sandbox violation or resume, from the event log.
    struct Decision {
        var at: Int64
        var runID: String
        var kind: String
        var summary: String
    }

    let snapshot: RunSnapshot
    let audit: AuditChain.Verification
    let generatedAt: Int64
    var tree: [TreeNode] = []
    var timeline: [TimelineItem] = []
    var models: [ModelUsage] = []
    var decisions: [Decision] = []
    var artifacts: [ArtifactRecord] = []

    init(snapshot: RunSnapshot, audit: AuditChain.Verification, generatedAt: Int64) {
        self.snapshot = snapshot
        self.audit = audit
        self.generatedAt = generatedAt
        addTree(snapshot, depth: 0)
        for run in snapshot.allRuns { addActivity(run) }
        timeline.sort { ($0.start, $0.category) < ($1.start, $1.category) }
        decisions.sort { $0.at < $1.at }
    }

    var origin: Int64 { snapshot.run.startedAt }
    var end: Int64 { max(snapshot.lastActivity, origin + 1) }

    /// `+1.234s` from the root run's start.
    func offset(_ time: Int64) -> String {
        let milliseconds = time - origin
        return "+" + String(milliseconds / 1000) + "." + String(1000 + milliseconds % 1000).dropFirst() + "s"
    }

    private mutating func addTree(_ run: RunSnapshot, depth: Int) {
        let record = run.run
        var detail = "\(record.workflow), \(StoreAccess.displayStatus(record))"
        if let reason = record.terminationReason { detail += " (\(reason))" }
        detail += ", " + Format.usage(run.usage)
        tree.append(TreeNode(depth: depth, label: (depth == 0 ? "run " : "sub-run ") + record.id, detail: detail))
        for event in run.events where event.kind == .workerStarted {
            let worker = event.payload["worker"]?.stringValue ?? "?"
            var parts: [String] = []
            if let role = event.payload["role"]?.stringValue { parts.append(role) }
            if let iteration = event.payload["iteration"] { parts.append("iteration \(iteration.serialized())") }
            let calls = run.llmCalls.filter { $0.agent == worker }.count + run.toolCalls.filter { $0.agent == worker }.count
            parts.append("\(calls) call\(calls == 1 ? "" : "s")")
            tree.append(TreeNode(depth: depth + 1, label: "worker \(worker)", detail: parts.joined(separator: ", ")))
        }
        for sub in run.subRuns { addTree(sub, depth: depth + 1) }
    }

    private mutating func addActivity(_ run: RunSnapshot) {
        let prefix = run.run.id == snapshot.run.id ? "" : "[\(run.run.id)] "
        for call in run.llmCalls {
            let tokens = "\(Format.count(call.usage.inputTokens))/\(Format.count(call.usage.outputTokens)) tokens, \(Format.cost(call.costUSD))"
            let cache = call.source == .cache ? ", from cache" : ""
            timeline.append(
                TimelineItem(
                    start: call.startedAt, end: call.endedAt, category: "llm",
                    label: prefix + "LLM #\(call.seq) \(call.stepKey)",
                    detail: "\(call.provider)/\(call.model), \(call.status.rawValue), \(tokens)\(cache)" + (call.error.map { ": \($0)" } ?? ""),
                    isFailure: call.status == .failed || call.status == .interrupted
                )
            )
            let key = call.provider + "/" + call.model
            if let index = models.firstIndex(where: { $0.provider + "/" + $0.model == key }) {
                models[index].calls += 1
                models[index].cacheServed += call.source == .cache ? 1 : 0
                models[index].inputTokens += call.usage.inputTokens
                models[index].outputTokens += call.usage.outputTokens
                models[index].costUSD += call.costUSD
            } else {
                models.append(
                    ModelUsage(
                        provider: call.provider, model: call.model, calls: 1, cacheServed: call.source == .cache ? 1 : 0,
                        inputTokens: call.usage.inputTokens, outputTokens: call.usage.outputTokens, costUSD: call.costUSD
                    )
                )
            }
        }
        for call in run.toolCalls {
            timeline.append(
                TimelineItem(
                    start: call.startedAt, end: call.endedAt, category: "tool",
                    label: prefix + "tool #\(call.seq) \(call.plugin)/\(call.tool)",
                    detail: "\(call.status.rawValue)\(call.isMutating ? ", mutating" : "")\(call.isError ? ", error result" : "")"
                        + (call.error.map { ": \($0)" } ?? ""),
                    isFailure: call.status == .failed || call.status == .interrupted || call.isError
                )
            )
        }
        let decisionKinds: Set<EventKind> = [.policyDecision, .budget, .sandboxViolation, .runResumed]
        for event in run.events {
            let payload = event.payload == .object([]) ? "" : event.payload.serialized()
            timeline.append(
                TimelineItem(
                    start: event.at, end: nil, category: "event", label: prefix + event.kind.rawValue, detail: payload,
                    isFailure: event.kind == .sandboxViolation || (event.kind == .policyDecision && event.payload["allowed"] == false)
                )
            )
            if decisionKinds.contains(event.kind) {
                decisions.append(Decision(at: event.at, runID: run.run.id, kind: event.kind.rawValue, summary: payload))
            }
        }
        artifacts += run.artifacts
    }

    /// The report as Markdown-style text.
    var text: String {
        let run = snapshot.run
        var lines = ["# Run \(run.id): \(run.workflow)", ""]
        if let task = run.task { lines.append("- task: \(task)") }
        lines.append("- status: \(StoreAccess.displayStatus(run))" + (run.terminationReason.map { " (\($0))" } ?? ""))
        if let provider = run.provider { lines.append("- provider: \(provider)" + (run.model.map { " / \($0)" } ?? "")) }
        lines.append("- started: \(Timestamp.iso8601(run.startedAt)), wall \(Format.duration(run.wallMilliseconds(now: generatedAt)))")
        lines.append("- usage: \(Format.usage(snapshot.usage))")
        lines += ["", "## Run tree", ""]
        lines += tree.map { String(repeating: "  ", count: $0.depth) + "- \($0.label): \($0.detail)" }
        lines += ["", "## Usage and cost", ""]
        if models.isEmpty { lines.append("no LLM calls") }
        lines += Format.table(
            ["PROVIDER/MODEL", "CALLS", "FROM CACHE", "INPUT", "OUTPUT", "COST"],
            models.map {
                ["\($0.provider)/\($0.model)", "\($0.calls)", "\($0.cacheServed)", Format.count($0.inputTokens), Format.count($0.outputTokens), Format.cost($0.costUSD)]
            }
        ).map { "    " + $0 }
        lines += ["", "## Timeline", ""]
        lines += timeline.map { "    \(offset($0.start))  \($0.label)" + ($0.detail.isEmpty ? "" : ": \($0.detail)") }
        lines += ["", "## Policy decisions", ""]
        lines += decisions.isEmpty ? ["none recorded"] : decisions.map { "- \(offset($0.at)) \($0.kind) \($0.summary)" }
        lines += ["", "## Artifacts", ""]
        lines += artifacts.isEmpty ? ["none"] : artifacts.map { "- \($0.path) (\(Format.count($0.size)) bytes, sha256 \($0.sha256.prefix(16))…)" }
        lines += ["", "## Audit chain", "", auditSummary]
        return lines.joined(separator: "\n") + "\n"
    }

    var auditSummary: String {
        switch audit {
        case .ok(let entries): "ok: \(entries) entries verified"
        case .broken(let seq, let reason): "BROKEN at entry \(seq): \(reason)"
        }
    }
}
