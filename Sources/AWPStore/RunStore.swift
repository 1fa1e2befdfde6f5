public import AWPCore
internal import Foundation

/// Settings of an open store.
public struct StoreOptions: Sendable {
    /// Create the database file when missing (the runtime) or fail with `StoreError.storeNotFound`
    /// (inspection commands, which must not leave empty stores behind).
    public var createIfMissing: Bool
    /// The largest payload stored as one blob; larger ones are refused with `.blobTooLarge`.
    /// Matches the plugin host's default message cap.
    public var maximumBlobBytes: Int
    /// How long a write waits for another process's write lock before failing.
    public var busyTimeoutMilliseconds: Int
    /// The time source, in milliseconds since the epoch; tests pass a fixed clock.
    public var clock: @Sendable () -> Int64

    public init(
        createIfMissing: Bool = true,
        maximumBlobBytes: Int = 64 << 20,
        busyTimeoutMilliseconds: Int = 10_000,
        clock: @escaping @Sendable () -> Int64 = { Timestamp.milliseconds() }
    ) {
        self.createIfMissing = createIfMissing
        self.maximumBlobBytes = maximumBlobBytes
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.clock = clock
    }
}

/// The durable run store: runs, LLM and tool calls, events, artifacts, the response cache, blobs
/// and the audit chain, in one SQLite file (see `Schema`).
///
/// An actor running on its own thread (`StoreExecutor`), so the blocking SQLite calls never occupy
/// the cooperative pool; each method is one short transaction. Several processes may use one file
/// at once (WAL, busy timeout, `BEGIN IMMEDIATE`).
///
/// ```swift
/// let store = try await RunStore.open(at: home.databasePath)
/// let run = try await store.createRun(NewRun(workflow: "demo", task: "sum the CSV"))
/// let call = try await store.beginLLMCall(NewLLMCall(runID: run.id, stepKey: "manager/1/llm-0", request: request))
/// _ = try await store.completeLLMCall(runID: run.id, seq: call.seq, response: reply, usage: usage, costUSD: 0.002, latencyMs: 840)
/// try await store.finishRun(run.id, status: .complete, result: ["answer": 42])
/// ```
public actor RunStore {
    /// The database file.
    public nonisolated let path: String
    public nonisolated let options: StoreOptions
    private let executor: StoreExecutor
    private var connection: Database?

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Opens the store at `path`, creating and migrating it as needed.
    ///
    /// - Throws: `StoreError.storeNotFound` when missing and `options.createIfMissing` is false;
    ///   `.schemaTooNew` when a newer awp wrote it; `.sqlite` otherwise.
    public static func open(at path: String, options: StoreOptions = StoreOptions()) async throws(StoreError)
        -> RunStore
    {
        let store = RunStore(path: path, options: options)
        try await store.connect()
        return store
    }

    /// Opens `<home>/awp.sqlite`, creating the home directory when the store may be created.
    public static func open(home: StoreHome, options: StoreOptions = StoreOptions()) async throws(StoreError)
        -> RunStore
    {
        if options.createIfMissing {
            do {
                try FileManager.default.createDirectory(at: home.directory, withIntermediateDirectories: true)
            } catch {
                throw .invalidState("cannot create the store directory \(home.directory.path): \(error)")
            }
        } else if !FileManager.default.fileExists(atPath: home.databasePath) {
            throw .storeNotFound(path: home.databasePath)
        }
        return try await open(at: home.databasePath, options: options)
    }

    private init(path: String, options: StoreOptions) {
        self.path = path
        self.options = options
        self.executor = StoreExecutor(name: "awp-store")
    }

    /// Runs on the store thread (not in `init`, which would run on the caller's).
    private func connect() throws(StoreError) {
        let database = try Database(
            path: path,
            mode: options.createIfMissing ? .readWriteCreate : .readWrite,
            busyTimeoutMilliseconds: options.busyTimeoutMilliseconds
        )
        try Schema.migrate(database)
        connection = database
    }

    /// Closes the connection; later calls throw. Releasing the store closes it too.
    public func close() {
        connection = nil
    }

    /// The open connection.
    func database() throws(StoreError) -> Database {
        guard let connection else { throw .invalidState("the run store at \(path) is closed") }
        return connection
    }

    func now() -> Int64 { options.clock() }

    /// Runs `body` with the raw connection on the store thread: for tests and the package's own
    /// tools (the torn-write helper), never for the runtime.
    @discardableResult
    package func withDatabase<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        try body(database())
    }

    // MARK: - Runs

    /// Records a new run as `running`, with a `run.started` event and audit entry.
    public func createRun(_ new: NewRun) throws(StoreError) -> RunRecord {
        let database = try database()
        let id = new.id ?? RunID.generate()
        let startedAt = now()
        try database.transaction { () throws(StoreError) in
            if let parent = new.parentRunID { _ = try requireRun(parent, in: database) }
            try database.run(
                """
                INSERT INTO runs (id, parent_run_id, workflow, task, status, provider, model, cache_policy,
                                  started_at, budget, output_dir, pid, audit_head)
                VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                """,
                [
                    .text(id), .optional(new.parentRunID), .text(new.workflow), .optional(new.task),
                    .optional(new.provider), .optional(new.model), .text(new.cachePolicy.rawValue),
                    .integer(startedAt), .optional(new.budget?.serialized()), .optional(new.outputDirectory),
                    .optional(new.processID.map(Int.init)), .text(AuditChain.genesisHash),
                ]
            )
            var payload: [(key: String, value: JSONValue)] = [("workflow", .string(new.workflow))]
            if let task = new.task { payload.append(("task", .string(task))) }
            if let provider = new.provider { payload.append(("provider", .string(provider))) }
            if let model = new.model { payload.append(("model", .string(model))) }
            if let parent = new.parentRunID { payload.append(("parentRunId", .string(parent))) }
            try insertEvent(runID: id, kind: .runStarted, payload: .object(payload), audited: true, in: database)
        }
        return try requireRun(id, in: database)
    }

    /// Ends a run: sets its terminal status, reason, result and end time, with a `run.finished`
    /// event and audit entry.
    ///
    /// - Throws: `.runNotFound`; `.invalidState` when `status` is `.running`.
    public func finishRun(_ id: String, status: RunStatus, terminationReason: String? = nil, result: JSONValue? = nil)
        throws(StoreError)
    {
        guard status.isTerminal else { throw .invalidState("finishRun needs a terminal status, not 'running'") }
        let database = try database()
        try database.transaction { () throws(StoreError) in
            _ = try requireRun(id, in: database)
            try database.run(
                "UPDATE runs SET status = ?2, termination_reason = ?3, result = ?4, ended_at = ?5, pid = NULL WHERE id = ?1",
                [.text(id), .text(status.rawValue), .optional(terminationReason), .optional(result?.serialized()), .integer(now())]
            )
            // A finished run has nothing in flight: calls a stop cut off (Ctrl-C, the wall clock) never got an
            // answer, so they are `interrupted`, neither `failed` attempts nor forever `started`.
            for table in ["llm_calls", "tool_calls"] {
                try database.run("UPDATE \(table) SET status = 'interrupted', ended_at = ?2 WHERE run_id = ?1 AND status = 'started'",
                                 [.text(id), .integer(now())])
            }
            var payload: [(key: String, value: JSONValue)] = [("status", .string(status.rawValue))]
            if let terminationReason { payload.append(("terminationReason", .string(terminationReason))) }
            try insertEvent(runID: id, kind: .runFinished, payload: .object(payload), audited: true, in: database)
        }
    }

    /// The run with exactly this id.
    ///
    /// - Throws: `.runNotFound`.
    public func run(_ id: String) throws(StoreError) -> RunRecord {
        try requireRun(id, in: database())
    }

    /// Resolves what a user typed: `latest` (the newest root run), an exact id, or a unique prefix.
    ///
    /// - Throws: `.noRuns`, `.runNotFound` or `.ambiguousRun`.
    public func resolveRun(_ reference: String) throws(StoreError) -> RunRecord {
        let database = try database()
        if reference == "latest" {
            let row = try database.queryFirst(
                "SELECT * FROM runs WHERE parent_run_id IS NULL ORDER BY started_at DESC, rowid DESC LIMIT 1"
            )
            guard let row else { throw .noRuns(database: path) }
            return try RowMapping.run(row)
        }
        if let row = try database.queryFirst("SELECT * FROM runs WHERE id = ?1", [.text(reference)]) {
            return try RowMapping.run(row)
        }
        let escaped = reference.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let matches = try database.query(
            "SELECT * FROM runs WHERE id LIKE ?1 ESCAPE '\\' ORDER BY started_at LIMIT 6",
            [.text(escaped + "%")]
        )
        guard !reference.isEmpty, let first = matches.first else {
            throw .runNotFound(reference: reference, database: path)
        }
        guard matches.count == 1 else { throw .ambiguousRun(reference: reference, matches: matches.map { $0.text("id") }) }
        return try RowMapping.run(first)
    }

    /// The newest runs first. Sub-manager runs are left out unless `includingSubRuns`.
    public func runs(limit: Int = 20, includingSubRuns: Bool = false) throws(StoreError) -> [RunRecord] {
        let filter = includingSubRuns ? "" : "WHERE parent_run_id IS NULL"
        return try database().query(
            "SELECT * FROM runs \(filter) ORDER BY started_at DESC, rowid DESC LIMIT ?1",
            [.int(max(0, limit))]
        ).map(RowMapping.run)
    }

    /// The runs spawned directly by `id` (A4 sub-managers), oldest first.
    public func childRuns(of id: String) throws(StoreError) -> [RunRecord] {
        try database().query("SELECT * FROM runs WHERE parent_run_id = ?1 ORDER BY started_at, rowid", [.text(id)])
            .map(RowMapping.run)
    }

    /// Totals for a run, by default including its sub-manager runs.
    public func usage(of id: String, includingSubRuns: Bool = true) throws(StoreError) -> RunUsage {
        let database = try database()
        let run = try requireRun(id, in: database)
        let scope = includingSubRuns ? Self.runTreeCTE : "WITH tree(id) AS (SELECT ?1)"
        var usage = RunUsage()
        if let row = try database.queryFirst(
            """
            \(scope)
            SELECT COUNT(*) AS calls, SUM(input_tokens) AS input, SUM(output_tokens) AS output,
                   SUM(cached_input_tokens) AS cached, SUM(cost_usd) AS cost, SUM(source = 'cache') AS hits
            FROM llm_calls WHERE run_id IN tree AND status IN ('completed', 'failed')
            """,
            [.text(id)]
        ) {
            usage.llmCalls = row.int("calls")
            usage.inputTokens = row.int("input")
            usage.outputTokens = row.int("output")
            usage.cachedInputTokens = row.int("cached")
            usage.costUSD = row.double("cost")
            usage.cacheHits = row.int("hits")
        }
        usage.toolCalls = try database.queryFirst(
            "\(scope) SELECT COUNT(*) AS n FROM tool_calls WHERE run_id IN tree AND status IN ('completed', 'failed')",
            [.text(id)]
        )?.int("n") ?? 0
        // A resumed run executes again from the start (replaying what completed), so each life of a run
        // (split at its `run.resumed` events) logs the workers and loops it got through from the first
        // one. The run's count is its furthest life, not their sum, which would count a worker once per life.
        if let row = try database.queryFirst(
            """
            \(scope),
            lives AS (SELECT run_id, kind, SUM(kind = 'run.resumed') OVER (PARTITION BY run_id ORDER BY seq) AS life
                      FROM events WHERE run_id IN tree),
            per_life AS (SELECT run_id, SUM(kind = 'worker.started') AS workers, SUM(kind = 'iteration.started') AS loops
                         FROM lives GROUP BY run_id, life),
            per_run AS (SELECT MAX(workers) AS workers, MAX(loops) AS loops FROM per_life GROUP BY run_id)
            SELECT SUM(workers) AS workers, SUM(loops) AS loops FROM per_run
            """,
            [.text(id)]
        ) {
            usage.workers = row.int("workers")
            usage.loops = row.int("loops")
        }
        usage.wallMs = run.wallMilliseconds(now: now())
        return usage
    }

    /// `tree(id)`: the run `?1` and all its descendants.
    static let runTreeCTE = """
        WITH RECURSIVE tree(id) AS (SELECT ?1 UNION ALL SELECT runs.id FROM runs JOIN tree ON runs.parent_run_id = tree.id)
        """

    func requireRun(_ id: String, in database: Database) throws(StoreError) -> RunRecord {
        guard let row = try database.queryFirst("SELECT * FROM runs WHERE id = ?1", [.text(id)]) else {
            throw .runNotFound(reference: id, database: path)
        }
        return try RowMapping.run(row)
    }
}
