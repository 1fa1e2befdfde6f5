internal import CSQLite

/// One SQLite connection with the store's settings, prepared-statement cache and transactions.
///
/// Not Sendable and not locked: a connection is confined to one thread. `RunStore` owns one and
/// runs every call on its dedicated executor thread, so the connection is opened with
/// `SQLITE_OPEN_NOMUTEX` (no per-call mutex in SQLite either).
///
/// Settings on open, and why:
/// - `journal_mode=WAL`: readers never block the writer and a killed writer leaves the database
///   consistent (the uncommitted tail of the WAL is ignored on recovery).
/// - `synchronous=NORMAL`: in WAL mode a commit survives a crash of the process; only a power loss
///   can drop the last commits, and never corrupts. FULL would fsync every event.
/// - `foreign_keys=ON`: calls, events and artifacts cannot point at a run or blob that is gone.
/// - `busy_timeout`: two processes writing runs at once wait for each other instead of failing.
///   Writes use `BEGIN IMMEDIATE` so the write lock is taken up front: a deferred transaction that
///   upgrades from read to write can fail with SQLITE_BUSY without the busy handler ever waiting.
/// - Double-quoted string literals off: a misspelt column is an error, not a string.
package final class Database {
    package enum OpenMode: Sendable {
        case readWriteCreate
        case readWrite
        case readOnly
    }

    package let path: String
    private let connection: OpaquePointer
    private var statementCache: [String: Statement] = [:]

    /// Opens (or creates) the database at `path`. Wraps `sqlite3_open_v2`.
    ///
    /// - Throws: `StoreError.storeNotFound` when the file is missing and `mode` does not create it;
    ///   `StoreError.sqlite` for any other failure.
    package init(path: String, mode: OpenMode = .readWriteCreate, busyTimeoutMilliseconds: Int = 10_000)
        throws(StoreError)
    {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            if code & 0xFF == SQLITE_CANTOPEN && mode != .readWriteCreate { throw .storeNotFound(path: path) }
            throw .sqlite(code: code, message: "\(message) (\(path))", sql: nil)
        }
        self.path = path
        self.connection = handle
        sqlite3_busy_timeout(handle, Int32(busyTimeoutMilliseconds))
        guard csqlite_disable_double_quoted_strings(handle) == SQLITE_OK else {
            throw error(code: sqlite3_errcode(handle), sql: nil)
        }
        try execute("PRAGMA foreign_keys = ON")
        // The two file-level settings are changed only when needed: changing them takes the write
        // lock, and opening a store must not wait for another process's long transaction.
        if mode == .readWriteCreate, try queryFirst("PRAGMA page_count")?.int("page_count") == 0 {
            // Takes effect only on a new, empty file, and must come before WAL mode initialises it;
            // lets `awp gc` return freed pages with `incremental_vacuum`.
            try execute("PRAGMA auto_vacuum = INCREMENTAL")
        }
        if mode != .readOnly {
            if try queryFirst("PRAGMA journal_mode")?.text("journal_mode") != "wal" {
                _ = try query("PRAGMA journal_mode = WAL")
            }
            try execute("PRAGMA synchronous = NORMAL")
        }
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(connection)
    }

    // MARK: - Statements

    /// Runs one or more statements that take no parameters. Wraps `sqlite3_exec`.
    package func execute(_ sql: String) throws(StoreError) {
        let code = sqlite3_exec(connection, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(code: code, sql: sql) }
    }

    /// Runs one statement with `values` bound, discarding rows; returns the number of rows changed.
    @discardableResult
    package func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int {
        let statement = try cachedStatement(sql)
        try statement.bind(values)
        defer { statement.reset() }
        while try statement.step() {}
        return Int(sqlite3_changes(connection))
    }

    /// Runs one query with `values` bound and returns all rows.
    package func query(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> [Row] {
        let statement = try cachedStatement(sql)
        try statement.bind(values)
        defer { statement.reset() }
        return try statement.rows()
    }

    /// The first row of a query, or nil.
    package func queryFirst(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Row? {
        let statement = try cachedStatement(sql)
        try statement.bind(values)
        defer { statement.reset() }
        return try statement.step() ? statement.currentRow() : nil
    }

    /// Compiles `sql` once per connection and reuses it: preparing costs more than running a
    /// small insert, and the store issues the same few statements over and over.
    package func cachedStatement(_ sql: String) throws(StoreError) -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try Statement(database: self, connection: connection, sql: sql, persistent: true)
        statementCache[sql] = statement
        return statement
    }

    /// The rowid of the last inserted row. Wraps `sqlite3_last_insert_rowid`.
    package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    // MARK: - Transactions

    /// Runs `body` in a write transaction: committed when it returns, rolled back when it throws.
    ///
    /// The outermost call uses `BEGIN IMMEDIATE` (see the type's discussion); nested calls become
    /// savepoints so a helper that needs atomicity can be used inside a bigger transaction.
    package func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let isNested = sqlite3_get_autocommit(connection) == 0
        try execute(isNested ? "SAVEPOINT awp_nested" : "BEGIN IMMEDIATE")
        let value: T
        do {
            value = try body()
        } catch {
            // A failed statement may already have ended the transaction; roll back only if open.
            if sqlite3_get_autocommit(connection) == 0 {
                try? execute(isNested ? "ROLLBACK TO awp_nested; RELEASE awp_nested" : "ROLLBACK")
            }
            throw error
        }
        try execute(isNested ? "RELEASE awp_nested" : "COMMIT")
        return value
    }

    /// Runs `body` in a read transaction, so several queries see one consistent state of the
    /// file while other processes keep writing (WAL readers never block writers). Inside another
    /// transaction it simply runs `body`.
    package func readTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        guard sqlite3_get_autocommit(connection) != 0 else { return try body() }
        try execute("BEGIN DEFERRED")
        let value: T
        do {
            value = try body()
        } catch {
            if sqlite3_get_autocommit(connection) == 0 { try? execute("ROLLBACK") }
            throw error
        }
        try execute("COMMIT")
        return value
    }

    // MARK: - Pragmas

    /// `PRAGMA user_version`: the number of migrations applied.
    package var userVersion: Int {
        get throws(StoreError) { try queryFirst("PRAGMA user_version")?.int("user_version") ?? 0 }
    }

    package func setUserVersion(_ version: Int) throws(StoreError) {
        try execute("PRAGMA user_version = \(version)")
    }

    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`: `["ok"]` when the file is sound.
    package func integrityCheck() throws(StoreError) -> [String] {
        let problems = try query("PRAGMA integrity_check").map { $0.values.first.map(Self.describe) ?? "" }
        let orphans = try query("PRAGMA foreign_key_check").map { row in
            "foreign key violation in \(row.text("table")) rowid \(row.text("rowid")) -> \(row.text("parent"))"
        }
        if problems == ["ok"] && orphans.isEmpty { return ["ok"] }
        return problems.filter { $0 != "ok" } + orphans
    }

    // MARK: - Errors

    /// The error for result `code`, with SQLite's message for this connection.
    func error(code: Int32, sql: String?) -> StoreError {
        .sqlite(code: code, message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }

    private static func describe(_ value: SQLValue) -> String {
        switch value {
        case .text(let text): text
        case .integer(let integer): String(integer)
        default: ""
        }
    }
}
