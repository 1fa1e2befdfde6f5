internal import AWPCore
internal import AWPStore

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
