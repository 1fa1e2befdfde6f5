public import AWPCore
public import Foundation

/// Everything stored about one run, read in one go: what reports, traces and metrics are built from.
public struct RunSnapshot: Sendable, Equatable {
    public var run: RunRecord
    public var llmCalls: [LLMCallRecord]
    public var toolCalls: [ToolCallRecord]
    public var events: [EventRecord]
    public var artifacts: [ArtifactRecord]
    public var auditEntries: [AuditEntry]
    /// Totals including sub-runs.
    public var usage: RunUsage
    /// Sub-manager runs, each with its own sub-runs.
    public var subRuns: [RunSnapshot]

    /// The latest time anything happened in this run or its sub-runs (ms since the epoch).
    public var lastActivity: Int64 {
        var latest = run.endedAt ?? run.startedAt
        for event in events { latest = max(latest, event.at) }
        for call in llmCalls { latest = max(latest, call.endedAt ?? call.startedAt) }
        for call in toolCalls { latest = max(latest, call.endedAt ?? call.startedAt) }
        for sub in subRuns { latest = max(latest, sub.lastActivity) }
        return latest
    }

    /// This run and all its sub-runs, depth first.
    public var allRuns: [RunSnapshot] { [self] + subRuns.flatMap(\.allRuns) }
}

extension RunStore {
    /// Reads a run with its calls, events, artifacts, audit entries and, optionally, sub-runs.
    public func snapshot(_ runID: String, includingSubRuns: Bool = true) throws(StoreError) -> RunSnapshot {
        try database().readTransaction { () throws(StoreError) in
            try readSnapshot(runID, includingSubRuns: includingSubRuns)
        }
    }

    private func readSnapshot(_ runID: String, includingSubRuns: Bool) throws(StoreError) -> RunSnapshot {
        let run = try run(runID)
        var subRuns: [RunSnapshot] = []
        if includingSubRuns {
            for child in try childRuns(of: runID) { subRuns.append(try readSnapshot(child.id, includingSubRuns: true)) }
        }
        return RunSnapshot(
            run: run,
            llmCalls: try llmCalls(runID),
            toolCalls: try toolCalls(runID),
            events: try events(runID),
            artifacts: try artifacts(runID),
            auditEntries: try auditEntries(runID),
            usage: try usage(of: runID, includingSubRuns: true),
            subRuns: subRuns
        )
    }

    /// The run's OpenTelemetry trace in OTLP/JSON (see `TraceExporter`).
    public func traceOTLP(_ runID: String, serviceVersion: String = TraceExporter.defaultServiceVersion)
        throws(StoreError) -> JSONValue
    {
        TraceExporter.otlp(try snapshot(runID), serviceVersion: serviceVersion)
    }

    /// Writes the OTLP/JSON trace to `<home>/runs/<run-id>/trace.otlp.json` and returns the file.
    @discardableResult
    public func writeTrace(_ runID: String, home: StoreHome, serviceVersion: String = TraceExporter.defaultServiceVersion)
        throws(StoreError) -> URL
    {
        let trace = try traceOTLP(runID, serviceVersion: serviceVersion)
        let file = home.traceFile(runID)
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(trace.serializedUTF8(pretty: true)).write(to: file, options: .atomic)
        } catch {
            throw .invalidState("cannot write \(file.path): \(error)")
        }
        return file
    }

    /// The per-run metrics summary (see `RunMetrics`).
    public func metrics(_ runID: String) throws(StoreError) -> JSONValue {
        RunMetrics.summary(try snapshot(runID), now: now())
    }
}
