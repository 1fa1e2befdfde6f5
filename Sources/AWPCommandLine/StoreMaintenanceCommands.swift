internal import AWPCore
internal import AWPStore
internal import Foundation

/// `awp audit verify <run|latest> [--json] [--home DIR]`: re-hashes the run's audit chain.
///
/// Exit status 0 when the chain is intact, 1 when any entry was edited, removed, reordered or added.
enum AuditCommand {
    static func run(_ arguments: [String], console: Console) async throws -> Int32 {
        guard arguments.first == "verify" else {
            throw UsageError(command: "audit", message: arguments.isEmpty ? "name a subcommand: verify" : "unknown subcommand '\(arguments[0])'")
        }
        let (parsed, reference) = try StoreAccess.parseRunCommand(Array(arguments.dropFirst()), command: "audit")
        let access = try await StoreAccess.open(parsed)
        let run = try await access.store.resolveRun(reference)
        let verification = try await access.store.verifyAudit(run.id)

        if parsed.has("--json") {
            var members: [(key: String, value: JSONValue)] = [("runId", .string(run.id)), ("ok", .bool(verification.isOK))]
            switch verification {
            case .ok(let entries):
                members.append(("entries", .integer(entries)))
                members.append(("firstBad", .null))
            case .broken(let seq, let reason):
                members.append(("entries", .integer(try await access.store.auditEntries(run.id).count)))
                members.append(("firstBad", .object([("seq", .integer(seq)), ("reason", .string(reason))])))
            }
            console.out(JSONValue.object(members).serialized(pretty: true))
            return verification.isOK ? ExitStatus.success : ExitStatus.failure
        }
        switch verification {
        case .ok(let entries):
            console.out("audit chain of run \(run.id): ok (\(entries) entr\(entries == 1 ? "y" : "ies") verified)")
            return ExitStatus.success
        case .broken(let seq, let reason):
            console.out("audit chain of run \(run.id): BROKEN at entry \(seq): \(reason)")
            return ExitStatus.failure
        }
    }
}

/// `awp gc [--keep-days N] [--max-blob-bytes SIZE] [--json] [--home DIR]`: bounds the store.
///
/// Deletes finished runs older than N days (with their calls, events, artifacts records, audit
/// chain and run directory), evicts least-recently-used cache entries until blobs fit SIZE
/// (`500M`, `2G`, or bytes), removes blobs nothing refers to, and compacts the file.
enum GCCommand {
    static func run(_ arguments: [String], console: Console) async throws -> Int32 {
        let parsed = try Arguments(arguments, command: "gc", options: ["--keep-days", "--max-blob-bytes", "--home"], flags: ["--json"])
        guard parsed.positionals.isEmpty else { throw UsageError(command: "gc", message: "unexpected argument '\(parsed.positionals[0])'") }
        var policy = GarbageCollection()
        if let text = parsed.value("--keep-days") {
            guard let days = Int(text), days >= 0 else { throw UsageError(command: "gc", message: "--keep-days needs a whole number of days") }
            policy.keepDays = days
        }
        if let text = parsed.value("--max-blob-bytes") {
            guard let bytes = byteCount(text) else {
                throw UsageError(command: "gc", message: "--max-blob-bytes needs a size such as 1048576, 500M or 2G")
            }
            policy.maximumBlobBytes = bytes
        }
        let access = try await StoreAccess.open(parsed)
        let report = try await access.store.collectGarbage(policy)
        for id in report.deletedRunIDs {
            let directory = access.home.runDirectory(id)
            if FileManager.default.fileExists(atPath: directory.path) { try? FileManager.default.removeItem(at: directory) }
        }
        if parsed.has("--json") {
            console.out(report.json.serialized(pretty: true))
            return ExitStatus.success
        }
        console.out(
            "removed \(report.runsDeleted) run\(report.runsDeleted == 1 ? "" : "s"), evicted \(report.cacheEntriesEvicted) cache "
                + "entr\(report.cacheEntriesEvicted == 1 ? "y" : "ies"), deleted \(report.blobsDeleted) blob\(report.blobsDeleted == 1 ? "" : "s") "
                + "(\(Format.count(report.blobBytesFreed)) bytes); \(Format.count(report.blobBytesKept)) bytes of blobs kept"
        )
        if let limit = policy.maximumBlobBytes, report.blobBytesKept > limit {
            console.out("note: kept runs still need \(Format.count(report.blobBytesKept)) bytes; use --keep-days to remove old runs")
        }
        return ExitStatus.success
    }

    /// `1048576`, `64K`, `500M`, `2G` (powers of 1024).
    static func byteCount(_ text: String) -> Int? {
        let multipliers: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        guard let last = text.uppercased().last else { return nil }
        if let multiplier = multipliers[last] {
            return Int(text.dropLast()).flatMap { $0 >= 0 ? $0 * multiplier : nil }
        }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
