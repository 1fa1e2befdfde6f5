/// The store's schema as an ordered list of migrations.
///
/// `PRAGMA user_version` holds the number of migrations applied. Opening a store applies the missing
/// ones in order, each in its own `BEGIN IMMEDIATE` transaction together with the version bump, so a
/// crash mid-migration leaves the previous version intact and two processes opening a fresh store at
/// once cannot both apply one. Migrations are only ever appended; an applied one is never edited.
///
/// Conventions: STRICT tables, snake_case names, times as integer milliseconds since the epoch,
/// JSON as TEXT, payloads as content-addressed rows of `blobs` referenced by their SHA-256.
enum Schema {
    static let migrations: [String] = [version1]

    static var currentVersion: Int { migrations.count }

    /// Brings `database` up to `currentVersion`.
    ///
    /// - Throws: `StoreError.schemaTooNew` when a newer awp wrote the file.
    static func migrate(_ database: Database) throws(StoreError) {
        let found = try database.userVersion
        guard found <= currentVersion else { throw .schemaTooNew(found: found, supported: currentVersion) }
        guard found < currentVersion else { return }
        for (index, sql) in migrations.enumerated() where index >= found {
            try database.transaction { () throws(StoreError) in
                // Re-read under the write lock: another process may have migrated meanwhile.
                guard try database.userVersion == index else { return }
                try database.execute(sql)
                try database.setUserVersion(index + 1)
            }
        }
    }

    /// Tables of the first release.
    ///
    /// Triggers make `events` and `audit` append-only: rows cannot be updated, and can be deleted
    /// only by deleting their run (the cascade runs after the run row is gone, so the trigger's
    /// `EXISTS` test lets it through).
    private static let version1 = """
        CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY NOT NULL,
            size INTEGER NOT NULL,
            bytes BLOB NOT NULL,
            created_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE runs (
            id TEXT PRIMARY KEY NOT NULL,
            parent_run_id TEXT REFERENCES runs(id) ON DELETE CASCADE,
            workflow TEXT NOT NULL,
            task TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'partial', 'failed', 'aborted')),
            termination_reason TEXT,
            provider TEXT,
            model TEXT,
            cache_policy TEXT NOT NULL CHECK (cache_policy IN ('auto', 'disabled', 'read_only', 'refresh')),
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            budget TEXT,
            result TEXT,
            output_dir TEXT,
            pid INTEGER,
            resume_count INTEGER NOT NULL DEFAULT 0,
            audit_count INTEGER NOT NULL DEFAULT 0,
            audit_head TEXT NOT NULL
        ) STRICT;
        CREATE INDEX runs_by_start ON runs(started_at);
        CREATE INDEX runs_by_parent ON runs(parent_run_id);

        CREATE TABLE llm_calls (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            step_key TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            agent TEXT,
            iteration INTEGER,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('started', 'completed', 'failed', 'interrupted')),
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cached_input_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            latency_ms INTEGER,
            request_blob TEXT REFERENCES blobs(sha256),
            response_blob TEXT REFERENCES blobs(sha256),
            source TEXT NOT NULL DEFAULT 'provider' CHECK (source IN ('provider', 'cache')),
            cache_outcome TEXT CHECK (cache_outcome IN ('hit', 'miss', 'bypass')),
            cache_reason TEXT,
            cache_namespace TEXT,
            cache_source_run TEXT,
            cache_source_seq INTEGER,
            error TEXT,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            PRIMARY KEY (run_id, seq),
            UNIQUE (run_id, step_key, attempt)
        ) STRICT;
        CREATE INDEX llm_calls_by_request_blob ON llm_calls(request_blob);
        CREATE INDEX llm_calls_by_response_blob ON llm_calls(response_blob);

        CREATE TABLE tool_calls (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            step_key TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            agent TEXT,
            iteration INTEGER,
            plugin TEXT NOT NULL,
            tool TEXT NOT NULL,
            mutating INTEGER NOT NULL CHECK (mutating IN (0, 1)),
            status TEXT NOT NULL CHECK (status IN ('started', 'completed', 'failed', 'interrupted')),
            is_error INTEGER NOT NULL DEFAULT 0 CHECK (is_error IN (0, 1)),
            args_blob TEXT REFERENCES blobs(sha256),
            result_blob TEXT REFERENCES blobs(sha256),
            latency_ms INTEGER,
            error TEXT,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            PRIMARY KEY (run_id, seq),
            UNIQUE (run_id, step_key, attempt)
        ) STRICT;
        CREATE INDEX tool_calls_by_args_blob ON tool_calls(args_blob);
        CREATE INDEX tool_calls_by_result_blob ON tool_calls(result_blob);

        CREATE TABLE events (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        ) STRICT, WITHOUT ROWID;
        CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
        WHEN EXISTS (SELECT 1 FROM runs WHERE id = OLD.run_id)
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

        CREATE TABLE artifacts (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            recorded_at INTEGER NOT NULL,
            PRIMARY KEY (run_id, path)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE cache (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            response_blob TEXT REFERENCES blobs(sha256) ON DELETE SET NULL,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            source_run TEXT,
            source_seq INTEGER,
            created_at INTEGER NOT NULL,
            last_hit_at INTEGER,
            hits INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (namespace, key)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX cache_by_response_blob ON cache(response_blob);

        CREATE TABLE audit (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        ) STRICT, WITHOUT ROWID;
        CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
        WHEN EXISTS (SELECT 1 FROM runs WHERE id = OLD.run_id)
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        """
}
