public import AWPCore

/// One entry of a run's audit trail.
public struct AuditEntry: Sendable, Equatable {
    public var runID: String
    /// 1, 2, 3… without gaps.
    public var seq: Int
    /// Milliseconds since the epoch.
    public var at: Int64
    public var kind: String
    /// The payload's JSON text exactly as stored (canonical: sorted keys, no whitespace).
    public var payloadText: String
    /// `hash` of the previous entry; 64 zeros for the first.
    public var previousHash: String
    public var hash: String

    /// The payload parsed, or the raw text as a string when it is not JSON (only after tampering).
    public var payload: JSONValue { (try? JSONParser.parse(payloadText)) ?? .string(payloadText) }
}

/// The audit trail's hash chain: how entries are hashed, and how a stored chain is checked.
///
/// `hash = SHA-256(previousHash ‖ canonical entry)`, where `previousHash` is the 64 hex digits of the
/// previous entry's hash (64 zeros for the first, as in the reference's audit log) and the canonical
/// entry is the compact, key-sorted JSON object `{"at", "kind", "payload", "run", "seq"}` with the
/// payload embedded as a JSON *string* holding the stored text. Embedding the text rather than the
/// parsed value makes every stored byte count: re-spacing the payload changes the hash too.
///
/// A chain cannot reveal that its newest entries were cut off, so the run row keeps the head
/// (count and last hash), written in the same transaction as each entry; `verify` checks it.
public enum AuditChain {
    /// The `previousHash` of a run's first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The bytes hashed after the previous hash, for an entry with these fields.
    public static func canonicalBytes(runID: String, seq: Int, at: Int64, kind: String, payloadText: String) -> [UInt8] {
        let entry: JSONValue = [
            "at": .integer(Int(at)),
            "kind": .string(kind),
            "payload": .string(payloadText),
            "run": .string(runID),
            "seq": .integer(seq),
        ]
        return entry.serializedUTF8(pretty: false, sortKeys: true)
    }

    /// The hash of an entry with these fields that follows `previousHash`.
    public static func hash(previousHash: String, runID: String, seq: Int, at: Int64, kind: String, payloadText: String)
        -> String
    {
        var hasher = SHA256()
        hasher.update(previousHash)
        hasher.update(canonicalBytes(runID: runID, seq: seq, at: at, kind: kind, payloadText: payloadText))
        return SHA256.hex(hasher.finalize())
    }

    /// The outcome of checking a run's chain.
    public enum Verification: Sendable, Equatable {
        /// Every entry re-hashes to its stored hash, links to its predecessor, and the head matches.
        case ok(entries: Int)
        /// The first entry found bad (`seq`; for a cut-off tail, the first missing seq) and why.
        case broken(seq: Int, reason: String)

        public var isOK: Bool {
            if case .ok = self { return true }
            return false
        }
    }

    /// Checks `entries` (in stored order) against each other and against the recorded head.
    ///
    /// - Parameters:
    ///   - headCount: The number of entries the run row says were written.
    ///   - headHash: The hash of the last entry as the run row recorded it.
    public static func verify(_ entries: [AuditEntry], headCount: Int, headHash: String) -> Verification {
        var previous = genesisHash
        for (offset, entry) in entries.enumerated() {
            let expectedSeq = offset + 1
            guard entry.seq == expectedSeq else {
                return .broken(
                    seq: min(entry.seq, expectedSeq),
                    reason: "expected entry \(expectedSeq) but found \(entry.seq): an entry was deleted or moved"
                )
            }
            guard entry.previousHash == previous else {
                return .broken(seq: entry.seq, reason: "previous-hash link does not match entry \(entry.seq - 1)'s hash")
            }
            let recomputed = hash(
                previousHash: entry.previousHash,
                runID: entry.runID,
                seq: entry.seq,
                at: entry.at,
                kind: entry.kind,
                payloadText: entry.payloadText
            )
            guard recomputed == entry.hash else {
                return .broken(seq: entry.seq, reason: "content does not match its hash (the entry was edited)")
            }
            previous = entry.hash
        }
        if entries.count < headCount {
            return .broken(
                seq: entries.count + 1,
                reason: "the run recorded \(headCount) entries but only \(entries.count) remain (tail removed)"
            )
        }
        if entries.count > headCount {
            return .broken(
                seq: headCount + 1,
                reason: "entries beyond the recorded head \(headCount) were added outside the store"
            )
        }
        if previous != headHash {
            return .broken(seq: max(entries.count, 1), reason: "the last entry's hash differs from the head recorded for the run")
        }
        return .ok(entries: entries.count)
    }
}
