internal import AWPCore

/// Turns rows of the store's tables into records.
enum RowMapping {
    static func run(_ row: Row) throws(StoreError) -> RunRecord {
        guard let status = RunStatus(rawValue: row.text("status")) else {
            throw .corrupt("run \(row.text("id")) has the unknown status '\(row.text("status"))'")
        }
        return RunRecord(
            id: row.text("id"),
            parentRunID: row.textOrNil("parent_run_id"),
            workflow: row.text("workflow"),
            task: row.textOrNil("task"),
            status: status,
            terminationReason: row.textOrNil("termination_reason"),
            provider: row.textOrNil("provider"),
            model: row.textOrNil("model"),
            cachePolicy: CachePolicy(rawValue: row.text("cache_policy")) ?? .auto,
            startedAt: row.int64("started_at"),
            endedAt: row.int64OrNil("ended_at"),
            budget: try json(row.textOrNil("budget"), what: "budget"),
            result: try json(row.textOrNil("result"), what: "result"),
            outputDirectory: row.textOrNil("output_dir"),
            processID: row.intOrNil("pid").map { Int32(truncatingIfNeeded: $0) },
            resumeCount: row.int("resume_count")
        )
    }

    static func llmCall(_ row: Row) -> LLMCallRecord {
        LLMCallRecord(
            runID: row.text("run_id"),
            seq: row.int("seq"),
            stepKey: row.text("step_key"),
            attempt: row.int("attempt"),
            agent: row.textOrNil("agent"),
            iteration: row.intOrNil("iteration"),
            provider: row.text("provider"),
            model: row.text("model"),
            requestHash: row.text("request_hash"),
            status: CallStatus(rawValue: row.text("status")) ?? .failed,
            usage: TokenUsage(
                inputTokens: row.int("input_tokens"),
                outputTokens: row.int("output_tokens"),
                cachedInputTokens: row.int("cached_input_tokens")
            ),
            costUSD: row.double("cost_usd"),
            latencyMs: row.intOrNil("latency_ms"),
            requestBlob: row.textOrNil("request_blob"),
            responseBlob: row.textOrNil("response_blob"),
            source: ResponseSource(rawValue: row.text("source")) ?? .provider,
            cacheDecision: cacheDecision(row),
            error: row.textOrNil("error"),
            startedAt: row.int64("started_at"),
            endedAt: row.int64OrNil("ended_at")
        )
    }

    static func toolCall(_ row: Row) -> ToolCallRecord {
        ToolCallRecord(
            runID: row.text("run_id"),
            seq: row.int("seq"),
            stepKey: row.text("step_key"),
            attempt: row.int("attempt"),
            agent: row.textOrNil("agent"),
            iteration: row.intOrNil("iteration"),
            plugin: row.text("plugin"),
            tool: row.text("tool"),
            isMutating: row.bool("mutating"),
            status: CallStatus(rawValue: row.text("status")) ?? .failed,
            isError: row.bool("is_error"),
            argumentsBlob: row.textOrNil("args_blob"),
            resultBlob: row.textOrNil("result_blob"),
            latencyMs: row.intOrNil("latency_ms"),
            error: row.textOrNil("error"),
            startedAt: row.int64("started_at"),
            endedAt: row.int64OrNil("ended_at")
        )
    }

    static func event(_ row: Row) -> EventRecord {
        EventRecord(
            runID: row.text("run_id"),
            seq: row.int("seq"),
            at: row.int64("at"),
            kind: EventKind(rawValue: row.text("kind")),
            payload: (try? JSONParser.parse(row.text("payload"))) ?? .string(row.text("payload"))
        )
    }

    static func artifact(_ row: Row) -> ArtifactRecord {
        ArtifactRecord(
            runID: row.text("run_id"),
            path: row.text("path"),
            size: row.int("size"),
            sha256: row.text("sha256"),
            recordedAt: row.int64("recorded_at")
        )
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(
            runID: row.text("run_id"),
            seq: row.int("seq"),
            at: row.int64("at"),
            kind: row.text("kind"),
            payloadText: row.text("payload"),
            previousHash: row.text("prev_hash"),
            hash: row.text("hash")
        )
    }

    private static func cacheDecision(_ row: Row) -> CacheDecision? {
        guard let outcome = row.textOrNil("cache_outcome").flatMap(CacheDecision.Outcome.init(rawValue:)),
            let reason = row.textOrNil("cache_reason").flatMap(CacheDecision.Reason.init(rawValue:))
        else { return nil }
        return CacheDecision(
            outcome: outcome,
            reason: reason,
            namespace: row.text("cache_namespace"),
            key: row.text("request_hash"),
            sourceRunID: row.textOrNil("cache_source_run"),
            sourceSeq: row.intOrNil("cache_source_seq")
        )
    }

    private static func json(_ text: String?, what: String) throws(StoreError) -> JSONValue? {
        guard let text else { return nil }
        do {
            return try JSONParser.parse(text)
        } catch {
            throw .corrupt("the stored \(what) is not valid JSON: \(error)")
        }
    }
}
