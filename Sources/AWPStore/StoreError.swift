/// Everything that can go wrong in the run store.
///
/// SQLite failures carry the extended result code, SQLite's own message and the SQL text, never the
/// bound values (they can hold prompts and results). Library code never prints these; the command
/// line turns `description` into its one-line error.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// SQLite returned an error. `code` is the extended result code (`SQLITE_CONSTRAINT_FOREIGNKEY`…).
    case sqlite(code: Int32, message: String, sql: String?)
    /// The database file does not exist and the store was opened without creating it.
    case storeNotFound(path: String)
    /// No run has this id (or unique id prefix).
    case runNotFound(reference: String, database: String)
    /// `latest` was asked for but the store holds no runs.
    case noRuns(database: String)
    /// An id prefix matched more than one run.
    case ambiguousRun(reference: String, matches: [String])
    /// A payload is larger than the per-blob cap (`StoreOptions.maximumBlobBytes`).
    case blobTooLarge(size: Int, limit: Int)
    /// A blob referenced by a row is not in the blob table (only after manual edits).
    case blobMissing(sha256: String)
    /// A call or run is not in the state the operation needs (completing a call twice, …).
    case invalidState(String)
    /// The database was written by a newer `awp` with a schema this build does not know.
    case schemaTooNew(found: Int, supported: Int)
    /// Stored data could not be decoded (not valid JSON, an unknown status…).
    case corrupt(String)

    public var description: String {
        switch self {
        case .sqlite(let code, let message, let sql):
            let statement = sql.map { " (in: \($0.split(whereSeparator: \.isNewline).joined(separator: " ")))" } ?? ""
            return "SQLite error \(code): \(message)\(statement)"
        case .storeNotFound(let path):
            return "no run store at \(path) (nothing has run with this home yet; use --home or $AWP_HOME)"
        case .runNotFound(let reference, let database):
            return "no run '\(reference)' in \(database)"
        case .noRuns(let database):
            return "no runs in \(database)"
        case .ambiguousRun(let reference, let matches):
            return "'\(reference)' matches several runs: \(matches.joined(separator: ", "))"
        case .blobTooLarge(let size, let limit):
            return "payload of \(size) bytes exceeds the per-blob limit of \(limit) bytes"
        case .blobMissing(let sha256):
            return "blob \(sha256) is referenced but missing from the store"
        case .invalidState(let message):
            return message
        case .schemaTooNew(let found, let supported):
            return "the store has schema version \(found); this awp understands up to \(supported) (upgrade awp)"
        case .corrupt(let message):
            return "corrupt store data: \(message)"
        }
    }

    /// True when SQLite gave up waiting for another connection's lock (`SQLITE_BUSY` family).
    public var isBusy: Bool {
        if case .sqlite(let code, _, _) = self { return code & 0xFF == 5 || code & 0xFF == 6 }
        return false
    }
}
