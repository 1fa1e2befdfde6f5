@testable import AWPStore
import AWPTestSupport
import Foundation
import Testing

/// The connection wrapper and the schema, below the store's API.
@Suite struct DatabaseTests {
    @discardableResult
    static func withDatabase<T>(_ body: (Database, URL) throws -> T) async throws -> T {
        try await TestSupport.withTemporaryDirectory { directory in
            let database = try Database(path: directory.appendingPathComponent("awp.sqlite").path)
            try Schema.migrate(database)
            return try body(database, directory)
        }
    }

    @Test func opensInWALModeWithForeignKeysAndIncrementalVacuum() async throws {
        try await Self.withDatabase { database, _ throws in
            #expect(try database.queryFirst("PRAGMA journal_mode")?.text("journal_mode") == "wal")
            #expect(try database.queryFirst("PRAGMA foreign_keys")?.int("foreign_keys") == 1)
            #expect(try database.queryFirst("PRAGMA auto_vacuum")?.int("auto_vacuum") == 2)
            #expect(try database.userVersion == Schema.currentVersion)
            #expect(try database.integrityCheck() == ["ok"])
        }
    }

    @Test func everyTableIsStrict() async throws {
        try await Self.withDatabase { database, _ throws in
            let tables = try database.query("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table'")
                .filter { !$0.text("name").hasPrefix("sqlite_") }
            #expect(tables.count == 8)
            for table in tables { #expect(table.int("strict") == 1, "\(table.text("name")) is not STRICT") }
        }
    }

    @Test func strictTablesRejectWrongTypes() async throws {
        try await Self.withDatabase { database, _ throws in
            #expect(throws: StoreError.self) {
                try database.run("INSERT INTO blobs (sha256, size, bytes, created_at) VALUES ('x', 'big', x'00', 0)")
            }
        }
    }

    @Test func doubleQuotedStringLiteralsAreErrors() async throws {
        try await Self.withDatabase { database, _ throws in
            #expect(throws: StoreError.self) { try database.query("SELECT \"no_such_column\" FROM runs") }
        }
    }

    @Test func migratingAgainIsANoOpAndANewerSchemaIsRefused() async throws {
        try await Self.withDatabase { database, _ throws in
            try Schema.migrate(database)
            #expect(try database.userVersion == Schema.currentVersion)
            try database.setUserVersion(Schema.currentVersion + 1)
            #expect(throws: StoreError.schemaTooNew(found: Schema.currentVersion + 1, supported: Schema.currentVersion)) {
                try Schema.migrate(database)
            }
        }
    }

    @Test func aThrowingTransactionLeavesNothingBehind() async throws {
        try await Self.withDatabase { database, _ throws in
            #expect(throws: StoreError.self) {
                try database.transaction { () throws(StoreError) in
                    try database.run("INSERT INTO blobs VALUES ('a', 1, x'01', 0)")
                    throw StoreError.invalidState("stop")
                }
            }
            #expect(try database.query("SELECT * FROM blobs").isEmpty)
        }
    }

    @Test func nestedTransactionsRollBackOnlyTheInnerPart() async throws {
        try await Self.withDatabase { database, _ throws in
            try database.transaction { () throws(StoreError) in
                try database.run("INSERT INTO blobs VALUES ('outer', 1, x'01', 0)")
                _ = try? database.transaction { () throws(StoreError) in
                    try database.run("INSERT INTO blobs VALUES ('inner', 1, x'01', 0)")
                    throw StoreError.invalidState("inner fails")
                }
            }
            #expect(try database.query("SELECT sha256 FROM blobs").map { $0.text("sha256") } == ["outer"])
        }
    }

    @Test func sqliteErrorsCarryCodeMessageAndSQL() async throws {
        let error = try await Self.withDatabase { database, _ throws -> StoreError? in
            do {
                try database.run("INSERT INTO llm_calls (run_id) VALUES ('x')")
                return nil
            } catch let error as StoreError {
                return error
            }
        }
        guard case .sqlite(let code, let message, let sql) = error else {
            Issue.record("expected a constraint error, got \(String(describing: error))")
            return
        }
        #expect(code & 0xFF == 19)  // SQLITE_CONSTRAINT
        #expect(message.contains("NOT NULL"))
        #expect(sql?.contains("INSERT INTO llm_calls") == true)
        #expect(error?.description.hasPrefix("SQLite error") == true)
    }

    @Test func blobsAndTextRoundTripIncludingEmptyAndNUL() async throws {
        try await Self.withDatabase { database, _ throws in
            try database.run("INSERT INTO blobs VALUES (?1, 0, ?2, 0)", [.text("empty"), .blob([])])
            try database.run("INSERT INTO blobs VALUES (?1, 3, ?2, 0)", [.text("a\u{0}b"), .blob([0, 1, 255])])
            let rows = try database.query("SELECT sha256, bytes FROM blobs ORDER BY size")
            #expect(rows[0]["bytes"] == .blob([]))
            #expect(rows[1].text("sha256") == "a\u{0}b")
            #expect(rows[1].bytes("bytes") == [0, 1, 255])
        }
    }

    @Test func aMissingFileIsStoreNotFoundWithoutCreate() async {
        await TestSupport.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("none.sqlite").path
            #expect(throws: StoreError.storeNotFound(path: path)) { try Database(path: path, mode: .readWrite) }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}
