public import AWPCore

/// The audit trail: a per-run SHA-256 hash chain (see `AuditChain`).
extension RunStore {
    /// Appends an audit entry without an event. Most callers use `appendEvent(…, audited: true)`.
    @discardableResult
    public func appendAudit(_ runID: String, kind: String, payload: JSONValue) throws(StoreError) -> AuditEntry {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            _ = try requireRun(runID, in: database)
            return try insertAuditEntry(runID: runID, kind: kind, payload: payload, at: now(), in: database)
        }
    }

    /// A run's audit entries in chain order.
    public func auditEntries(_ runID: String) throws(StoreError) -> [AuditEntry] {
        let database = try database()
        _ = try requireRun(runID, in: database)
        return try database.query("SELECT * FROM audit WHERE run_id = ?1 ORDER BY seq", [.text(runID)])
            .map(RowMapping.auditEntry)
    }

    /// Re-hashes a run's chain and checks every link and the recorded head.
    public func verifyAudit(_ runID: String) throws(StoreError) -> AuditChain.Verification {
        let database = try database()
        guard
            let head = try database.queryFirst(
                "SELECT audit_count, audit_head FROM runs WHERE id = ?1",
                [.text(runID)]
            )
        else { throw .runNotFound(reference: runID, database: path) }
        let entries = try database.query("SELECT * FROM audit WHERE run_id = ?1 ORDER BY seq", [.text(runID)])
            .map(RowMapping.auditEntry)
        return AuditChain.verify(entries, headCount: head.int("audit_count"), headHash: head.text("audit_head"))
    }

    /// Inserts an entry linked to the run's current head, and moves the head, inside the caller's
    /// transaction. The payload is stored canonically (sorted keys, compact).
    func insertAuditEntry(runID: String, kind: String, payload: JSONValue, at: Int64, in database: Database)
        throws(StoreError) -> AuditEntry
    {
        guard
            let head = try database.queryFirst("SELECT audit_count, audit_head FROM runs WHERE id = ?1", [.text(runID)])
        else { throw .runNotFound(reference: runID, database: path) }
        let seq = head.int("audit_count") + 1
        let previous = head.text("audit_head")
        let payloadText = payload.serialized(pretty: false, sortKeys: true)
        let hash = AuditChain.hash(previousHash: previous, runID: runID, seq: seq, at: at, kind: kind, payloadText: payloadText)
        try database.run(
            "INSERT INTO audit (run_id, seq, at, kind, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            [.text(runID), .int(seq), .integer(at), .text(kind), .text(payloadText), .text(previous), .text(hash)]
        )
        try database.run(
            "UPDATE runs SET audit_count = ?2, audit_head = ?3 WHERE id = ?1",
            [.text(runID), .int(seq), .text(hash)]
        )
        return AuditEntry(
            runID: runID,
            seq: seq,
            at: at,
            kind: kind,
            payloadText: payloadText,
            previousHash: previous,
            hash: hash
        )
    }
}
