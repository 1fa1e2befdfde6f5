import AWPCore
@testable import AWPStore
import Testing

@Suite struct AuditTests {
    /// A run with five audit entries: start, three policy/budget decisions, finish.
    static func makeAuditedRun(_ store: RunStore) async throws {
        _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
        try await store.appendEvent("r", kind: .policyDecision, payload: ["subject": "w1", "action": "tool:file.write", "allowed": true], audited: true)
        try await store.appendEvent("r", kind: .budget, payload: ["dimension": "tokens", "reserved": 4096], audited: true)
        try await store.appendEvent("r", kind: .sandboxViolation, payload: ["syscall": "ptrace", "worker": "w1"], audited: true)
        try await store.finishRun("r", status: .partial, terminationReason: "max_loops")
    }

    /// Edits the table the way someone with the file would: triggers dropped first.
    static func tamper(_ store: RunStore, _ sql: String) async throws {
        try await store.withDatabase { database throws in
            try database.execute("DROP TRIGGER IF EXISTS audit_is_append_only_update; DROP TRIGGER IF EXISTS audit_is_append_only_delete")
            try database.execute(sql)
        }
    }

    @Test func anUntouchedChainVerifies() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeAuditedRun(store)
            let entries = try await store.auditEntries("r")
            #expect(entries.map(\.kind) == ["run.started", "policy.decision", "budget", "sandbox.violation", "run.finished"])
            #expect(entries.first?.previousHash == AuditChain.genesisHash)
            for (previous, next) in zip(entries, entries.dropFirst()) { #expect(next.previousHash == previous.hash) }
            #expect(entries[1].payloadText == #"{"action":"tool:file.write","allowed":true,"subject":"w1"}"#)
            #expect(try await store.verifyAudit("r") == .ok(entries: 5))
        }
    }

    @Test func theHashIsSHA256OfThePreviousHashAndTheCanonicalEntry() {
        let bytes = AuditChain.canonicalBytes(runID: "r", seq: 1, at: 5, kind: "k", payloadText: #"{"a":1}"#)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"at":5,"kind":"k","payload":"{\"a\":1}","run":"r","seq":1}"#)
        let hash = AuditChain.hash(previousHash: AuditChain.genesisHash, runID: "r", seq: 1, at: 5, kind: "k", payloadText: #"{"a":1}"#)
        #expect(hash == SHA256.hexDigest(of: Array(AuditChain.genesisHash.utf8) + bytes))
    }

    /// Every column of every entry: changing one character is detected at that entry.
    @Test(arguments: ["payload", "hash", "prev_hash", "kind", "at"])
    func editingAnyFieldOfAnyEntryIsDetected(column: String) async throws {
        for seq in 1...5 {
            try await StoreFixtures.withStore { store, _, _ in
                try await Self.makeAuditedRun(store)
                let edit: String
                switch column {
                case "at": edit = "at = at + 1"
                case "kind": edit = "kind = kind || 'x'"
                default:
                    // Replace the last character with a different one: one byte changed.
                    edit = "\(column) = substr(\(column), 1, length(\(column)) - 1) || "
                        + "CASE WHEN substr(\(column), -1) = '0' THEN '1' ELSE '0' END"
                }
                try await Self.tamper(store, "UPDATE audit SET \(edit) WHERE run_id = 'r' AND seq = \(seq)")
                let result = try await store.verifyAudit("r")
                guard case .broken(let badSeq, let reason) = result else {
                    Issue.record("editing \(column) of entry \(seq) went unnoticed")
                    return
                }
                #expect(badSeq == seq, "editing \(column) of entry \(seq) reported entry \(badSeq): \(reason)")
            }
        }
    }

    @Test func aRespacedPayloadIsDetectedEvenThoughItMeansTheSame() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeAuditedRun(store)
            try await Self.tamper(store, "UPDATE audit SET payload = replace(payload, ':', ': ') WHERE seq = 2")
            #expect(try await store.verifyAudit("r") == .broken(seq: 2, reason: "content does not match its hash (the entry was edited)"))
        }
    }

    @Test func aDeletedMiddleEntryIsDetected() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeAuditedRun(store)
            try await Self.tamper(store, "DELETE FROM audit WHERE seq = 3")
            guard case .broken(let seq, let reason) = try await store.verifyAudit("r") else { Issue.record("not detected"); return }
            #expect(seq == 3)
            #expect(reason.contains("deleted or moved"))
        }
    }

    @Test func aCutOffTailIsDetectedThroughTheRecordedHead() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeAuditedRun(store)
            try await Self.tamper(store, "DELETE FROM audit WHERE seq = 5")
            guard case .broken(let seq, let reason) = try await store.verifyAudit("r") else { Issue.record("not detected"); return }
            #expect(seq == 5)
            #expect(reason.contains("tail removed"))
        }
    }

    @Test func reorderedEntriesAreDetected() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeAuditedRun(store)
            try await Self.tamper(
                store,
                "UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = -1"
            )
            guard case .broken(let seq, _) = try await store.verifyAudit("r") else { Issue.record("not detected"); return }
            #expect(seq == 2)
        }
    }

    @Test func aForgedAppendedEntryIsDetected() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeAuditedRun(store)
            let entries = try await store.auditEntries("r")
            let last = entries.last!
            let hash = AuditChain.hash(previousHash: last.hash, runID: "r", seq: 6, at: last.at + 1, kind: "forged", payloadText: "{}")
            try await Self.tamper(store, "INSERT INTO audit VALUES ('r', 6, \(last.at + 1), 'forged', '{}', '\(last.hash)', '\(hash)')")
            #expect(try await store.verifyAudit("r") == .broken(seq: 6, reason: "entries beyond the recorded head 5 were added outside the store"))
        }
    }

    @Test func anEditedHeadIsDetected() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeAuditedRun(store)
            try await Self.tamper(store, "UPDATE runs SET audit_head = '\(String(repeating: "a", count: 64))'")
            guard case .broken(let seq, _) = try await store.verifyAudit("r") else { Issue.record("not detected"); return }
            #expect(seq == 5)
        }
    }

    @Test func chainsOfDifferentRunsAreIndependent() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "a", workflow: "w"))
            _ = try await store.createRun(NewRun(id: "b", workflow: "w"))
            try await store.appendAudit("a", kind: "x", payload: [:])
            #expect(try await store.verifyAudit("a") == .ok(entries: 2))
            #expect(try await store.verifyAudit("b") == .ok(entries: 1))
        }
    }
}
