public import AWPCore

/// What `awp gc` should remove.
public struct GarbageCollection: Sendable, Equatable {
    /// Delete finished root runs (and their sub-runs, calls, events, artifacts, audit) that ended
    /// more than this many days ago. Running runs are never deleted: they may be resumed.
    public var keepDays: Int?
    /// After that, evict cache entries, least recently used first, until all blobs together take at
    /// most this many bytes. Blobs still referenced by a kept run are never removed, so the total
    /// may stay above the target; the report says so.
    public var maximumBlobBytes: Int?

    public init(keepDays: Int? = nil, maximumBlobBytes: Int? = nil) {
        self.keepDays = keepDays
        self.maximumBlobBytes = maximumBlobBytes
    }
}

/// What `awp gc` removed.
public struct GarbageReport: Sendable, Equatable {
    public var runsDeleted = 0
    public var cacheEntriesEvicted = 0
    public var blobsDeleted = 0
    public var blobBytesFreed = 0
    /// Bytes of blobs left after collection.
    public var blobBytesKept = 0
    /// The ids of the deleted runs and their sub-runs, so the caller can remove their run directories.
    public var deletedRunIDs: [String] = []

    public init() {}

    public var json: JSONValue {
        [
            "runsDeleted": .integer(runsDeleted),
            "cacheEntriesEvicted": .integer(cacheEntriesEvicted),
            "blobsDeleted": .integer(blobsDeleted),
            "blobBytesFreed": .integer(blobBytesFreed),
            "blobBytesKept": .integer(blobBytesKept),
            "deletedRunIds": .array(deletedRunIDs.map(JSONValue.string)),
        ]
    }
}

/// Sizes of what the store holds.
public struct StoreStatistics: Sendable, Equatable {
    public var runs = 0
    public var llmCalls = 0
    public var toolCalls = 0
    public var events = 0
    public var cacheEntries = 0
    public var blobs = 0
    public var blobBytes = 0
}

extension RunStore {
    /// `PRAGMA integrity_check` plus a foreign-key check: `["ok"]` or the problems found.
    public func integrityCheck() throws(StoreError) -> [String] {
        try database().integrityCheck()
    }

    /// Counts of rows and blob bytes.
    public func statistics() throws(StoreError) -> StoreStatistics {
        let database = try database()
        func count(_ table: String) throws(StoreError) -> Int {
            try database.queryFirst("SELECT COUNT(*) AS n FROM \(table)")?.int("n") ?? 0
        }
        var statistics = StoreStatistics()
        statistics.runs = try count("runs")
        statistics.llmCalls = try count("llm_calls")
        statistics.toolCalls = try count("tool_calls")
        statistics.events = try count("events")
        statistics.cacheEntries = try count("cache")
        statistics.blobs = try count("blobs")
        statistics.blobBytes = try database.queryFirst("SELECT COALESCE(SUM(size), 0) AS n FROM blobs")?.int("n") ?? 0
        return statistics
    }

    /// Deletes old runs, evicts cache entries to fit a byte budget, removes blobs nothing refers
    /// to, and returns freed pages to the file system.
    public func collectGarbage(_ policy: GarbageCollection) throws(StoreError) -> GarbageReport {
        let database = try database()
        var report = GarbageReport()
        try database.transaction { () throws(StoreError) in
            if let keepDays = policy.keepDays {
                let cutoff = now() - Int64(max(0, keepDays)) * 86_400_000
                let old = try database.query(
                    "SELECT id FROM runs WHERE parent_run_id IS NULL AND status != 'running' AND ended_at < ?1",
                    [.integer(cutoff)]
                ).map { $0.text("id") }
                for id in old {
                    let tree = try database.query("\(Self.runTreeCTE) SELECT id FROM tree", [.text(id)]).map { $0.text("id") }
                    try database.run("DELETE FROM runs WHERE id = ?1", [.text(id)])
                    report.deletedRunIDs += tree
                }
                report.runsDeleted = report.deletedRunIDs.count
            }
            try deleteUnreferencedBlobs(into: &report, in: database)
            if let limit = policy.maximumBlobBytes {
                try evictCache(toFit: limit, into: &report, in: database)
            }
            report.blobBytesKept = try database.queryFirst("SELECT COALESCE(SUM(size), 0) AS n FROM blobs")?.int("n") ?? 0
        }
        try database.execute("PRAGMA incremental_vacuum")
        _ = try database.query("PRAGMA wal_checkpoint(TRUNCATE)")
        return report
    }

    /// Blobs referenced by no call and no cache entry.
    private static let unreferencedBlobs = """
        SELECT sha256, size FROM blobs WHERE sha256 NOT IN (
            SELECT request_blob FROM llm_calls WHERE request_blob IS NOT NULL
            UNION SELECT response_blob FROM llm_calls WHERE response_blob IS NOT NULL
            UNION SELECT args_blob FROM tool_calls WHERE args_blob IS NOT NULL
            UNION SELECT result_blob FROM tool_calls WHERE result_blob IS NOT NULL
            UNION SELECT response_blob FROM cache WHERE response_blob IS NOT NULL)
        """

    private func deleteUnreferencedBlobs(into report: inout GarbageReport, in database: Database) throws(StoreError) {
        for row in try database.query(Self.unreferencedBlobs) {
            try database.run("DELETE FROM blobs WHERE sha256 = ?1", [.text(row.text("sha256"))])
            report.blobsDeleted += 1
            report.blobBytesFreed += row.int("size")
        }
    }

    /// Evicts cache entries, least recently used first, deleting each one's response blob when
    /// nothing else refers to it, until the blob total fits `limit` or no cache entry is left.
    private func evictCache(toFit limit: Int, into report: inout GarbageReport, in database: Database) throws(StoreError) {
        var current = try database.queryFirst("SELECT COALESCE(SUM(size), 0) AS n FROM blobs")?.int("n") ?? 0
        guard current > limit else { return }
        let entries = try database.query(
            "SELECT namespace, key, response_blob FROM cache ORDER BY COALESCE(last_hit_at, created_at), created_at"
        )
        for entry in entries where current > limit {
            try database.run(
                "DELETE FROM cache WHERE namespace = ?1 AND key = ?2",
                [.text(entry.text("namespace")), .text(entry.text("key"))]
            )
            report.cacheEntriesEvicted += 1
            guard let blob = entry.textOrNil("response_blob") else { continue }
            let size = try database.queryFirst(
                """
                SELECT size FROM blobs WHERE sha256 = ?1
                AND NOT EXISTS (SELECT 1 FROM cache WHERE response_blob = ?1)
                AND NOT EXISTS (SELECT 1 FROM llm_calls WHERE request_blob = ?1 OR response_blob = ?1)
                AND NOT EXISTS (SELECT 1 FROM tool_calls WHERE args_blob = ?1 OR result_blob = ?1)
                """,
                [.text(blob)]
            )?.intOrNil("size")
            guard let size else { continue }
            try database.run("DELETE FROM blobs WHERE sha256 = ?1", [.text(blob)])
            report.blobsDeleted += 1
            report.blobBytesFreed += size
            current -= size
        }
    }
}
