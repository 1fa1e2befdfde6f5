public import AWPCore

/// LLM and tool calls: written `started` before the call goes out, `completed`/`failed` when it
/// returns. Each step key may have several attempts; at most one completes.
extension RunStore {
    // MARK: LLM calls

    /// Records an LLM call as `started`, before it is sent. Stores the canonical request as a blob.
    ///
    /// An attempt left `started` at the same step key (its process died) is marked `interrupted`.
    ///
    /// - Throws: `.invalidState` when the step already completed: the caller must replay it
    ///   (`completedLLMCall`) instead of paying for it again.
    public func beginLLMCall(_ call: NewLLMCall) throws(StoreError) -> LLMCallRecord {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            let (seq, attempt) = try prepareAttempt(table: .llm, runID: call.runID, stepKey: call.stepKey, in: database)
            let request = try insertBlob(call.request.canonicalBytes, in: database)
            let decision = call.cacheDecision
            try database.run(
                """
                INSERT INTO llm_calls (run_id, seq, step_key, attempt, agent, iteration, provider, model, request_hash,
                                       status, request_blob, cache_outcome, cache_reason, cache_namespace,
                                       cache_source_run, cache_source_seq, started_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'started', ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                """,
                [
                    .text(call.runID), .int(seq), .text(call.stepKey), .int(attempt), .optional(call.agent),
                    .optional(call.iteration), .text(call.request.provider), .text(call.request.model),
                    .text(call.request.hash), .text(request.sha256), .optional(decision?.outcome.rawValue),
                    .optional(decision?.reason.rawValue), .optional(decision?.namespace),
                    .optional(decision?.sourceRunID), .optional(decision?.sourceSeq), .integer(now()),
                ]
            )
            return try requireLLMCall(call.runID, seq: seq, in: database)
        }
    }

    /// Marks a started LLM call `completed` with its response and what it cost.
    ///
    /// - Parameter source: `.cache` when the response came from the response cache (then usage and
    ///   cost should be zero: nothing was paid).
    /// - Throws: `.invalidState` unless the call is `started`.
    @discardableResult
    public func completeLLMCall(
        runID: String,
        seq: Int,
        response: JSONValue,
        usage: TokenUsage,
        costUSD: Double,
        latencyMs: Int,
        source: ResponseSource = .provider
    ) throws(StoreError) -> LLMCallRecord {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            try requireStarted(table: .llm, runID: runID, seq: seq, in: database)
            let blob = try insertJSONBlob(response, in: database)
            try database.run(
                """
                UPDATE llm_calls SET status = 'completed', response_blob = ?3, input_tokens = ?4, output_tokens = ?5,
                       cached_input_tokens = ?6, cost_usd = ?7, latency_ms = ?8, source = ?9, ended_at = ?10
                WHERE run_id = ?1 AND seq = ?2
                """,
                [
                    .text(runID), .int(seq), .text(blob.sha256), .int(usage.inputTokens), .int(usage.outputTokens),
                    .int(usage.cachedInputTokens), .real(costUSD), .int(latencyMs), .text(source.rawValue), .integer(now()),
                ]
            )
            return try requireLLMCall(runID, seq: seq, in: database)
        }
    }

    /// Marks a started LLM call `failed`. Usage is whatever the provider billed before failing.
    @discardableResult
    public func failLLMCall(
        runID: String,
        seq: Int,
        error: String,
        latencyMs: Int,
        usage: TokenUsage = .zero,
        costUSD: Double = 0
    ) throws(StoreError) -> LLMCallRecord {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            try requireStarted(table: .llm, runID: runID, seq: seq, in: database)
            try database.run(
                """
                UPDATE llm_calls SET status = 'failed', error = ?3, latency_ms = ?4, input_tokens = ?5,
                       output_tokens = ?6, cached_input_tokens = ?7, cost_usd = ?8, ended_at = ?9
                WHERE run_id = ?1 AND seq = ?2
                """,
                [
                    .text(runID), .int(seq), .text(error), .int(latencyMs), .int(usage.inputTokens),
                    .int(usage.outputTokens), .int(usage.cachedInputTokens), .real(costUSD), .integer(now()),
                ]
            )
            return try requireLLMCall(runID, seq: seq, in: database)
        }
    }

    /// The completed LLM call at `stepKey` with its response, for replay; nil if the step never
    /// completed.
    public func completedLLMCall(runID: String, stepKey: String) throws(StoreError) -> ReplayableCall<LLMCallRecord>? {
        let database = try database()
        guard
            let row = try database.queryFirst(
                "SELECT * FROM llm_calls WHERE run_id = ?1 AND step_key = ?2 AND status = 'completed' ORDER BY attempt DESC",
                [.text(runID), .text(stepKey)]
            )
        else { return nil }
        let record = RowMapping.llmCall(row)
        guard let blob = record.responseBlob else { throw .corrupt("completed call \(runID)#\(record.seq) has no response") }
        return ReplayableCall(record: record, response: try jsonBlob(blob))
    }

    /// A run's LLM calls in the order they were started.
    public func llmCalls(_ runID: String) throws(StoreError) -> [LLMCallRecord] {
        try database().query("SELECT * FROM llm_calls WHERE run_id = ?1 ORDER BY seq", [.text(runID)])
            .map(RowMapping.llmCall)
    }

    // MARK: Tool calls

    /// Records a tool call as `started`, before it is made, with its arguments as a blob.
    ///
    /// - Throws: `.invalidState` when the step already completed (replay or skip it instead).
    public func beginToolCall(_ call: NewToolCall) throws(StoreError) -> ToolCallRecord {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            let (seq, attempt) = try prepareAttempt(table: .tool, runID: call.runID, stepKey: call.stepKey, in: database)
            let arguments = try insertJSONBlob(call.arguments, in: database)
            try database.run(
                """
                INSERT INTO tool_calls (run_id, seq, step_key, attempt, agent, iteration, plugin, tool, mutating,
                                        status, args_blob, started_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'started', ?10, ?11)
                """,
                [
                    .text(call.runID), .int(seq), .text(call.stepKey), .int(attempt), .optional(call.agent),
                    .optional(call.iteration), .text(call.plugin), .text(call.tool), .bool(call.isMutating),
                    .text(arguments.sha256), .integer(now()),
                ]
            )
            return try requireToolCall(call.runID, seq: seq, in: database)
        }
    }

    /// Marks a started tool call `completed` with its result (`isError` for MCP error results).
    @discardableResult
    public func completeToolCall(runID: String, seq: Int, result: JSONValue, isError: Bool = false, latencyMs: Int)
        throws(StoreError) -> ToolCallRecord
    {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            try requireStarted(table: .tool, runID: runID, seq: seq, in: database)
            let blob = try insertJSONBlob(result, in: database)
            try database.run(
                """
                UPDATE tool_calls SET status = 'completed', result_blob = ?3, is_error = ?4, latency_ms = ?5, ended_at = ?6
                WHERE run_id = ?1 AND seq = ?2
                """,
                [.text(runID), .int(seq), .text(blob.sha256), .bool(isError), .int(latencyMs), .integer(now())]
            )
            return try requireToolCall(runID, seq: seq, in: database)
        }
    }

    /// Marks a started tool call `failed` (the plugin crashed, timed out, the transport broke).
    @discardableResult
    public func failToolCall(runID: String, seq: Int, error: String, latencyMs: Int) throws(StoreError) -> ToolCallRecord {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            try requireStarted(table: .tool, runID: runID, seq: seq, in: database)
            try database.run(
                "UPDATE tool_calls SET status = 'failed', error = ?3, latency_ms = ?4, ended_at = ?5 WHERE run_id = ?1 AND seq = ?2",
                [.text(runID), .int(seq), .text(error), .int(latencyMs), .integer(now())]
            )
            return try requireToolCall(runID, seq: seq, in: database)
        }
    }

    /// The completed tool call at `stepKey` with its result; nil if the step never completed.
    public func completedToolCall(runID: String, stepKey: String) throws(StoreError) -> ReplayableCall<ToolCallRecord>? {
        let database = try database()
        guard
            let row = try database.queryFirst(
                "SELECT * FROM tool_calls WHERE run_id = ?1 AND step_key = ?2 AND status = 'completed' ORDER BY attempt DESC",
                [.text(runID), .text(stepKey)]
            )
        else { return nil }
        let record = RowMapping.toolCall(row)
        guard let blob = record.resultBlob else { throw .corrupt("completed tool call \(runID)#\(record.seq) has no result") }
        return ReplayableCall(record: record, response: try jsonBlob(blob))
    }

    /// A run's tool calls in the order they were started.
    public func toolCalls(_ runID: String) throws(StoreError) -> [ToolCallRecord] {
        try database().query("SELECT * FROM tool_calls WHERE run_id = ?1 ORDER BY seq", [.text(runID)])
            .map(RowMapping.toolCall)
    }
}

// MARK: - Shared by both call tables

extension RunStore {
    enum CallTable: String {
        case llm = "llm_calls"
        case tool = "tool_calls"
    }

    /// Checks the run and step, interrupts a dangling attempt, and returns the new call's seq and attempt.
    private func prepareAttempt(table: CallTable, runID: String, stepKey: String, in database: Database)
        throws(StoreError) -> (seq: Int, attempt: Int)
    {
        let run = try requireRun(runID, in: database)
        guard !run.status.isTerminal else {
            throw .invalidState("run \(runID) is \(run.status.rawValue); resume it before recording new calls")
        }
        let row = try database.queryFirst(
            """
            SELECT COALESCE(MAX(attempt), 0) AS attempts, SUM(status = 'completed') AS completed
            FROM \(table.rawValue) WHERE run_id = ?1 AND step_key = ?2
            """,
            [.text(runID), .text(stepKey)]
        )
        guard (row?.int("completed") ?? 0) == 0 else {
            throw .invalidState("step '\(stepKey)' of run \(runID) already completed; replay it instead of calling again")
        }
        try database.run(
            "UPDATE \(table.rawValue) SET status = 'interrupted' WHERE run_id = ?1 AND step_key = ?2 AND status = 'started'",
            [.text(runID), .text(stepKey)]
        )
        let seq = try nextSeq(table: table.rawValue, runID: runID, in: database)
        return (seq, (row?.int("attempts") ?? 0) + 1)
    }

    private func requireStarted(table: CallTable, runID: String, seq: Int, in database: Database) throws(StoreError) {
        let row = try database.queryFirst(
            "SELECT status FROM \(table.rawValue) WHERE run_id = ?1 AND seq = ?2",
            [.text(runID), .int(seq)]
        )
        guard let row else { throw .invalidState("no call #\(seq) in run \(runID)") }
        guard row.text("status") == CallStatus.started.rawValue else {
            throw .invalidState("call #\(seq) of run \(runID) is \(row.text("status")), not started")
        }
    }

    private func requireLLMCall(_ runID: String, seq: Int, in database: Database) throws(StoreError) -> LLMCallRecord {
        guard let row = try database.queryFirst("SELECT * FROM llm_calls WHERE run_id = ?1 AND seq = ?2", [.text(runID), .int(seq)])
        else { throw .invalidState("no LLM call #\(seq) in run \(runID)") }
        return RowMapping.llmCall(row)
    }

    private func requireToolCall(_ runID: String, seq: Int, in database: Database) throws(StoreError) -> ToolCallRecord {
        guard let row = try database.queryFirst("SELECT * FROM tool_calls WHERE run_id = ?1 AND seq = ?2", [.text(runID), .int(seq)])
        else { throw .invalidState("no tool call #\(seq) in run \(runID)") }
        return RowMapping.toolCall(row)
    }
}
