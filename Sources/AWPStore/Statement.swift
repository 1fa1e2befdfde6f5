internal import CSQLite

/// A prepared SQLite statement, owned: finalized when released.
///
/// Confined to the thread of the connection that made it (see `Database`), hence not Sendable.
package final class Statement {
    private let handle: OpaquePointer
    private unowned let database: Database
    package let sql: String
    private lazy var columnIndexes: [String: Int] = {
        var indexes: [String: Int] = [:]
        for index in 0..<Int(sqlite3_column_count(handle)) {
            if let name = sqlite3_column_name(handle, Int32(index)) { indexes[String(cString: name)] = index }
        }
        return indexes
    }()

    /// Compiles `sql`. Wraps `sqlite3_prepare_v3`.
    ///
    /// - Parameter persistent: Hints that the statement is kept in the connection's cache.
    init(database: Database, connection: OpaquePointer, sql: String, persistent: Bool) throws(StoreError) {
        var statement: OpaquePointer?
        let flags: UInt32 = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sqlite3_prepare_v3(connection, sql, -1, flags, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw database.error(code: code, sql: sql)
        }
        self.handle = statement
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `values` to the parameters `?1…?n`, replacing earlier bindings.
    package func bind(_ values: [SQLValue]) throws(StoreError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(handle, index)
            case .integer(let integer):
                code = sqlite3_bind_int64(handle, index, integer)
            case .real(let real):
                code = sqlite3_bind_double(handle, index, real)
            case .text(var text):
                // With the byte count, so text holding NUL is kept whole; SQLITE_TRANSIENT makes
                // SQLite copy the bytes, so the Swift string may go away.
                code = text.withUTF8 { utf8 in
                    guard let base = utf8.baseAddress else {
                        return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
                    }
                    return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { chars in
                        sqlite3_bind_text(handle, index, chars, Int32(utf8.count), csqlite_transient())
                    }
                }
            case .blob(let bytes):
                if bytes.isEmpty {
                    // A nil pointer would bind NULL; an empty blob must stay a blob.
                    code = sqlite3_bind_zeroblob(handle, index, 0)
                } else {
                    code = bytes.withUnsafeBytes { raw in
                        sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), csqlite_transient())
                    }
                }
            }
            guard code == SQLITE_OK else { throw database.error(code: code, sql: sql) }
        }
    }

    /// Advances to the next row: true when a row is available, false when done. Wraps `sqlite3_step`.
    package func step() throws(StoreError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        case let code:
            let failure = database.error(code: code, sql: sql)
            sqlite3_reset(handle)
            throw failure
        }
    }

    /// Runs the statement to completion, collecting every row.
    package func rows() throws(StoreError) -> [Row] {
        var rows: [Row] = []
        while try step() { rows.append(currentRow()) }
        sqlite3_reset(handle)
        return rows
    }

    /// The row the statement is positioned on.
    package func currentRow() -> Row {
        let count = Int(sqlite3_column_count(handle))
        var values: [SQLValue] = []
        values.reserveCapacity(count)
        for index in 0..<Int32(count) {
            values.append(column(index))
        }
        return Row(columns: columnIndexes, values: values)
    }

    /// Releases the statement's read transaction and bindings so it can be reused later.
    package func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private func column(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            // Read with the byte count: text may contain NUL, which String(cString:) would cut at.
            let count = Int(sqlite3_column_bytes(handle, index))
            guard let pointer = sqlite3_column_text(handle, index) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0, let pointer = sqlite3_column_blob(handle, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        default:
            return .null
        }
    }
}
