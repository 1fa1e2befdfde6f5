public import AWPCore
public import Foundation

// MARK: - Events

extension RunStore {
    /// Appends one event to a run's log; with `audited`, also to its audit chain, atomically.
    ///
    /// Audit policy decisions, budget events and sandbox violations (ARCHITECTURE §5).
    @discardableResult
    public func appendEvent(_ runID: String, kind: EventKind, payload: JSONValue = .object([]), audited: Bool = false)
        throws(StoreError) -> EventRecord
    {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            _ = try requireRun(runID, in: database)
            return try insertEvent(runID: runID, kind: kind, payload: payload, audited: audited, in: database)
        }
    }

    /// Appends several events in one transaction (all or none).
    @discardableResult
    public func appendEvents(_ runID: String, _ events: [(kind: EventKind, payload: JSONValue)])
        throws(StoreError) -> [EventRecord]
    {
        let database = try database()
        return try database.transaction { () throws(StoreError) in
            _ = try requireRun(runID, in: database)
            var records: [EventRecord] = []
            records.reserveCapacity(events.count)
            for event in events {
                records.append(
                    try insertEvent(runID: runID, kind: event.kind, payload: event.payload, audited: false, in: database)
                )
            }
            return records
        }
    }

    /// A run's events in order, after `afterSeq`, optionally only some kinds, at most `limit`.
    public func events(_ runID: String, afterSeq: Int = 0, kinds: Set<EventKind>? = nil, limit: Int? = nil)
        throws(StoreError) -> [EventRecord]
    {
        let database = try database()
        _ = try requireRun(runID, in: database)
        let rows = try database.query(
            "SELECT * FROM events WHERE run_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            [.text(runID), .int(afterSeq), .int(kinds == nil ? (limit ?? -1) : -1)]
        )
        var events = rows.map(RowMapping.event)
        if let kinds { events = events.filter { kinds.contains($0.kind) } }
        if let limit, events.count > limit { events = Array(events.prefix(limit)) }
        return events
    }

    /// Inserts an event (and audit entry) inside the caller's transaction.
    @discardableResult
    func insertEvent(runID: String, kind: EventKind, payload: JSONValue, audited: Bool, in database: Database)
        throws(StoreError) -> EventRecord
    {
        let at = now()
        let seq = try nextSeq(table: "events", runID: runID, in: database)
        try database.run(
            "INSERT INTO events (run_id, seq, at, kind, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
            [.text(runID), .int(seq), .integer(at), .text(kind.rawValue), .text(payload.serialized())]
        )
        if audited { _ = try insertAuditEntry(runID: runID, kind: kind.rawValue, payload: payload, at: at, in: database) }
        return EventRecord(runID: runID, seq: seq, at: at, kind: kind, payload: payload)
    }

    /// The next per-run sequence number of `table`. Safe under concurrency because every writer
    /// holds the database write lock (`BEGIN IMMEDIATE`) while it reads and inserts.
    ///
    /// Written as `ORDER BY seq DESC LIMIT 1`, one index seek: `COALESCE(MAX(seq), 0)` looks
    /// equivalent but defeats SQLite's min/max optimisation and scans all of the run's rows.
    func nextSeq(table: String, runID: String, in database: Database) throws(StoreError) -> Int {
        let last = try database.queryFirst(
            "SELECT seq FROM \(table) WHERE run_id = ?1 ORDER BY seq DESC LIMIT 1",
            [.text(runID)]
        )
        return (last?.int("seq") ?? 0) + 1
    }
}

// MARK: - Artifacts

extension RunStore {
    /// Records (or re-records) a file a run produced, with an `artifact.recorded` event.
    @discardableResult
    public func recordArtifact(_ runID: String, path: String, size: Int, sha256: String) throws(StoreError)
        -> ArtifactRecord
    {
        let database = try database()
        let record = ArtifactRecord(runID: runID, path: path, size: size, sha256: sha256, recordedAt: now())
        try database.transaction { () throws(StoreError) in
            _ = try requireRun(runID, in: database)
            try database.run(
                """
                INSERT INTO artifacts (run_id, path, size, sha256, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT (run_id, path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
                                                         recorded_at = excluded.recorded_at
                """,
                [.text(runID), .text(path), .int(size), .text(sha256), .integer(record.recordedAt)]
            )
            try insertEvent(runID: runID, kind: .artifactRecorded, payload: record.json, audited: false, in: database)
        }
        return record
    }

    /// Hashes the file at `url` (streaming, on the store thread) and records it under `path`.
    @discardableResult
    public func recordArtifact(_ runID: String, file url: URL, as path: String) throws(StoreError) -> ArtifactRecord {
        let (size, digest) = try Self.digestFile(url)
        return try recordArtifact(runID, path: path, size: size, sha256: digest)
    }

    /// A run's artifacts, by path.
    public func artifacts(_ runID: String) throws(StoreError) -> [ArtifactRecord] {
        try database().query("SELECT * FROM artifacts WHERE run_id = ?1 ORDER BY path", [.text(runID)])
            .map(RowMapping.artifact)
    }

    private static func digestFile(_ url: URL) throws(StoreError) -> (size: Int, sha256: String) {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            var hasher = SHA256()
            var size = 0
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(chunk)
                size += chunk.count
            }
            return (size, SHA256.hex(hasher.finalize()))
        } catch {
            throw .invalidState("cannot read artifact \(url.path): \(error)")
        }
    }
}

// MARK: - Blobs

extension RunStore {
    /// Stores `bytes` once, addressed by their SHA-256; storing the same bytes again is free.
    ///
    /// - Throws: `.blobTooLarge` beyond `options.maximumBlobBytes`.
    @discardableResult
    public func putBlob(_ bytes: [UInt8]) throws(StoreError) -> BlobReference {
        try insertBlob(bytes, in: database())
    }

    /// The bytes stored under `sha256`.
    ///
    /// - Throws: `.blobMissing`.
    public func blob(_ sha256: String) throws(StoreError) -> [UInt8] {
        guard let row = try database().queryFirst("SELECT bytes FROM blobs WHERE sha256 = ?1", [.text(sha256)]) else {
            throw .blobMissing(sha256: sha256)
        }
        return row.bytes("bytes")
    }

    /// A blob holding JSON text, parsed.
    public func jsonBlob(_ sha256: String) throws(StoreError) -> JSONValue {
        let bytes = try blob(sha256)
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .corrupt("blob \(sha256) is not JSON: \(error)")
        }
    }

    func insertBlob(_ bytes: [UInt8], in database: Database) throws(StoreError) -> BlobReference {
        guard bytes.count <= options.maximumBlobBytes else {
            throw .blobTooLarge(size: bytes.count, limit: options.maximumBlobBytes)
        }
        let digest = SHA256.hexDigest(of: bytes)
        try database.run(
            "INSERT INTO blobs (sha256, size, bytes, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sha256) DO NOTHING",
            [.text(digest), .int(bytes.count), .blob(bytes), .integer(now())]
        )
        return BlobReference(sha256: digest, size: bytes.count)
    }

    func insertJSONBlob(_ value: JSONValue, in database: Database) throws(StoreError) -> BlobReference {
        try insertBlob(value.serializedUTF8(), in: database)
    }
}
