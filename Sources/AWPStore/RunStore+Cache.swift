public import AWPCore

/// The response cache: LLM responses keyed by namespace and `CanonicalRequest.hash`.
///
/// The engine's sequence for one LLM call:
/// ```swift
/// let lookup = try await store.cacheLookup(namespace: ns, request: request, policy: policy, isMutating: false)
/// let call = try await store.beginLLMCall(NewLLMCall(runID: id, stepKey: key, request: request,
///                                                    cacheDecision: lookup.decision))
/// if let cached = lookup.response {
///     try await store.completeLLMCall(runID: id, seq: call.seq, response: cached, usage: .zero,
///                                     costUSD: 0, latencyMs: 0, source: .cache)
/// } else {
///     // … ask the provider, complete the call, then:
///     try await store.cacheStore(namespace: ns, request: request, policy: policy, isMutating: false,
///                                response: reply, usage: usage, costUSD: cost, sourceRunID: id, sourceSeq: call.seq)
/// }
/// ```
extension RunStore {
    /// Decides whether this request may be answered from the cache and, for a hit, returns the
    /// response. Every outcome carries its reason (see `CacheDecision.Reason`).
    ///
    /// Mutating calls always bypass, whatever the policy. A hit bumps the entry's hit counter.
    public func cacheLookup(namespace: String, request: CanonicalRequest, policy: CachePolicy, isMutating: Bool)
        throws(StoreError) -> CacheLookup
    {
        let key = request.hash
        func decision(_ outcome: CacheDecision.Outcome, _ reason: CacheDecision.Reason) -> CacheLookup {
            CacheLookup(decision: CacheDecision(outcome: outcome, reason: reason, namespace: namespace, key: key))
        }
        if isMutating { return decision(.bypass, .mutatingCall) }
        switch policy {
        case .disabled: return decision(.bypass, .policyDisabled)
        case .refresh: return decision(.bypass, .policyRefresh)
        case .auto, .readOnly: break
        }
        let database = try database()
        guard
            let row = try database.queryFirst(
                """
                SELECT cache.*, blobs.bytes AS bytes FROM cache LEFT JOIN blobs ON blobs.sha256 = cache.response_blob
                WHERE namespace = ?1 AND key = ?2
                """,
                [.text(namespace), .text(key)]
            )
        else { return decision(.miss, .notCached) }
        guard case .blob(let bytes) = row["bytes"], let response = try? JSONParser.parse(bytes) else {
            return decision(.miss, .entryIncomplete)
        }
        try database.run(
            "UPDATE cache SET hits = hits + 1, last_hit_at = ?3 WHERE namespace = ?1 AND key = ?2",
            [.text(namespace), .text(key), .integer(now())]
        )
        let found = CacheDecision(
            outcome: .hit,
            reason: .found,
            namespace: namespace,
            key: key,
            sourceRunID: row.textOrNil("source_run"),
            sourceSeq: row.intOrNil("source_seq"),
            savedUsage: TokenUsage(inputTokens: row.int("input_tokens"), outputTokens: row.int("output_tokens")),
            savedCostUSD: row.double("cost_usd")
        )
        return CacheLookup(decision: found, response: response)
    }

    /// Stores a fresh provider response when the policy allows it (`auto`, `refresh`) and the call
    /// is read-only; returns whether it was stored. Replaces an older entry for the same key.
    @discardableResult
    public func cacheStore(
        namespace: String,
        request: CanonicalRequest,
        policy: CachePolicy,
        isMutating: Bool,
        response: JSONValue,
        usage: TokenUsage,
        costUSD: Double,
        sourceRunID: String? = nil,
        sourceSeq: Int? = nil
    ) throws(StoreError) -> Bool {
        guard policy.writesCache, !isMutating else { return false }
        let database = try database()
        try database.transaction { () throws(StoreError) in
            let blob = try insertJSONBlob(response, in: database)
            try database.run(
                """
                INSERT INTO cache (namespace, key, provider, model, response_blob, input_tokens, output_tokens, cost_usd,
                                   source_run, source_seq, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                ON CONFLICT (namespace, key) DO UPDATE SET
                    provider = excluded.provider, model = excluded.model, response_blob = excluded.response_blob,
                    input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                    cost_usd = excluded.cost_usd, source_run = excluded.source_run, source_seq = excluded.source_seq,
                    created_at = excluded.created_at, last_hit_at = NULL, hits = 0
                """,
                [
                    .text(namespace), .text(request.hash), .text(request.provider), .text(request.model),
                    .text(blob.sha256), .int(usage.inputTokens), .int(usage.outputTokens), .real(costUSD),
                    .optional(sourceRunID), .optional(sourceSeq), .integer(now()),
                ]
            )
        }
        return true
    }

    /// For each LLM call of a run, in order: the call and the cache decision recorded for it
    /// (nil when the engine recorded none). Backs `awp explain-cache`.
    public func cacheExplanations(_ runID: String) throws(StoreError) -> [(call: LLMCallRecord, decision: CacheDecision?)] {
        let database = try database()
        _ = try requireRun(runID, in: database)
        let rows = try database.query(
            """
            SELECT llm_calls.*, cache.input_tokens AS saved_input, cache.output_tokens AS saved_output,
                   cache.cost_usd AS saved_cost
            FROM llm_calls LEFT JOIN cache ON cache.namespace = llm_calls.cache_namespace AND cache.key = llm_calls.request_hash
            WHERE run_id = ?1 ORDER BY seq
            """,
            [.text(runID)]
        )
        return rows.map { row in
            let call = RowMapping.llmCall(row)
            var decision = call.cacheDecision
            if decision?.outcome == .hit, row.intOrNil("saved_input") != nil {
                decision?.savedUsage = TokenUsage(inputTokens: row.int("saved_input"), outputTokens: row.int("saved_output"))
                decision?.savedCostUSD = row.double("saved_cost")
            }
            return (call, decision)
        }
    }
}
