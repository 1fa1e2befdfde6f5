internal import AWPCore

/// A run's last durable point: what a resumed run may replay, must skip, and must do again.
///
/// The engine re-executes the run from the start with the same step keys. For each step:
/// - an LLM call in `completedLLMCalls` is answered from the store (no tokens, no cost);
/// - a read-only tool call in `completedReadOnlyToolCalls` is answered from the store;
/// - a mutating tool call in `completedMutatingToolCalls` is **not repeated**: its recorded result
///   is used, because its effect already happened;
/// - anything else, including every call in `inFlightLLMCalls`/`inFlightToolCalls` (started but
///   never finished when the process died), runs again — for a mutating call that is the only
///   safe choice, as the store cannot know whether its effect happened.
public struct ResumePoint: Sendable, Equatable {
    public var run: RunRecord
    /// Completed LLM calls by step key (the last completed attempt of each).
    public var completedLLMCalls: [String: LLMCallRecord]
    public var completedReadOnlyToolCalls: [String: ToolCallRecord]
    public var completedMutatingToolCalls: [String: ToolCallRecord]
    /// LLM calls that were in flight (status `started`, or `interrupted` by a previous resume and
    /// never completed since).
    public var inFlightLLMCalls: [LLMCallRecord]
    public var inFlightToolCalls: [ToolCallRecord]
    /// The last event written before the interruption.
    public var lastEventSeq: Int
    /// Sub-manager runs already created under this run. Give sub-runs ids the re-execution can
    /// compute again (`<parent-id>-sub-<n>`), then resume the existing one instead of creating it.
    public var subRuns: [RunRecord]

    /// Whether `awp resume` may continue the run: everything except a completed run.
    public var isResumable: Bool { run.status != .complete }

    /// Steps that will run again on resume, by step key.
    public var stepsToRerun: Set<String> {
        Set(inFlightLLMCalls.map(\.stepKey)).union(inFlightToolCalls.map(\.stepKey))
    }
}

extension RunStore {
    /// The durable point of `runID`, read without changing anything.
    public func resumePoint(_ runID: String) throws(StoreError) -> ResumePoint {
        let database = try database()
        let run = try requireRun(runID, in: database)
        let llm = try database.query("SELECT * FROM llm_calls WHERE run_id = ?1 ORDER BY seq", [.text(runID)])
            .map(RowMapping.llmCall)
        let tools = try database.query("SELECT * FROM tool_calls WHERE run_id = ?1 ORDER BY seq", [.text(runID)])
            .map(RowMapping.toolCall)
        let lastEvent = try nextSeq(table: "events", runID: runID, in: database) - 1

        var point = ResumePoint(
            run: run,
            completedLLMCalls: [:],
            completedReadOnlyToolCalls: [:],
            completedMutatingToolCalls: [:],
            inFlightLLMCalls: [],
            inFlightToolCalls: [],
            lastEventSeq: lastEvent,
            subRuns: try childRuns(of: runID)
        )
        for call in llm where call.status == .completed { point.completedLLMCalls[call.stepKey] = call }
        for call in tools where call.status == .completed {
            if call.isMutating {
                point.completedMutatingToolCalls[call.stepKey] = call
            } else {
                point.completedReadOnlyToolCalls[call.stepKey] = call
            }
        }
        // The newest attempt per step decides: in flight if it never finished.
        point.inFlightLLMCalls = Self.unfinishedLatestAttempts(llm, key: \.stepKey, status: \.status)
            .filter { point.completedLLMCalls[$0.stepKey] == nil }
        point.inFlightToolCalls = Self.unfinishedLatestAttempts(tools, key: \.stepKey, status: \.status)
            .filter { point.completedReadOnlyToolCalls[$0.stepKey] == nil && point.completedMutatingToolCalls[$0.stepKey] == nil }
        return point
    }

    /// Prepares a run to continue: status back to `running`, in-flight calls marked `interrupted`,
    /// the provider and model optionally changed, a `run.resumed` event and audit entry. Returns the
    /// durable point as it was before the marking (so its in-flight lists name what was cut off).
    ///
    /// - Parameter allowingComplete: for a sub-run whose parent is resuming. The parent executes again and
    ///   reaches the sub-run again, which then runs again too (replaying its calls), even when it had
    ///   completed: that is how the parent's ledger is charged what the sub-run consumed. Each such life
    ///   starts with a `run.resumed` event like any other.
    /// - Throws: `.invalidState` for a completed run, unless `allowingComplete`.
    public func markResumed(_ runID: String, provider: String? = nil, model: String? = nil, processID: Int32? = nil,
                            allowingComplete: Bool = false) throws(StoreError) -> ResumePoint
    {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            let point = try resumePoint(runID)
            guard point.isResumable || allowingComplete else {
                throw .invalidState("run \(runID) is complete; there is nothing to resume")
            }
            try database.run(
                """
                UPDATE runs SET status = 'running', ended_at = NULL, termination_reason = NULL,
                       resume_count = resume_count + 1, provider = COALESCE(?2, provider),
                       model = COALESCE(?3, model), pid = ?4
                WHERE id = ?1
                """,
                [.text(runID), .optional(provider), .optional(model), .optional(processID.map(Int.init))]
            )
            for table in ["llm_calls", "tool_calls"] {
                try database.run("UPDATE \(table) SET status = 'interrupted' WHERE run_id = ?1 AND status = 'started'", [.text(runID)])
            }
            var payload: [(key: String, value: JSONValue)] = [
                ("resumeCount", .integer(point.run.resumeCount + 1)),
                ("previousStatus", .string(point.run.status.rawValue)),
                ("interruptedCalls", .integer(point.inFlightLLMCalls.count + point.inFlightToolCalls.count)),
                ("replayableCalls", .integer(point.completedLLMCalls.count + point.completedReadOnlyToolCalls.count
                                             + point.completedMutatingToolCalls.count)),
            ]
            if let provider { payload.append(("provider", .string(provider))) }
            if let model { payload.append(("model", .string(model))) }
            try insertEvent(runID: runID, kind: .runResumed, payload: .object(payload), audited: true, in: database)
            return point
        }
    }

    private static func unfinishedLatestAttempts<Call>(
        _ calls: [Call],
        key: KeyPath<Call, String>,
        status: KeyPath<Call, CallStatus>
    ) -> [Call] {
        var latest: [String: Call] = [:]
        var order: [String] = []
        for call in calls {
            if latest[call[keyPath: key]] == nil { order.append(call[keyPath: key]) }
            latest[call[keyPath: key]] = call
        }
        return order.compactMap { latest[$0] }.filter {
            $0[keyPath: status] == .started || $0[keyPath: status] == .interrupted
        }
    }
}
