public import AWPCore

/// The kind of a run event: a dotted name. The runtime may use any kind; the ones below are read
/// back by the trace exporter, the metrics summary and the report, with the payload fields listed.
public struct EventKind: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// Written by `RunStore.createRun`: `{workflow, task?, provider?, model?}`.
    public static let runStarted: EventKind = "run.started"
    /// Written by `RunStore.finishRun`: `{status, terminationReason?}`.
    public static let runFinished: EventKind = "run.finished"
    /// Written by `RunStore.markResumed`: `{resumeCount, provider?, model?, interruptedCalls}`.
    public static let runResumed: EventKind = "run.resumed"
    /// A delegation-loop iteration (or DAG level) begins: `{iteration}`.
    public static let iterationStarted: EventKind = "iteration.started"
    /// `{iteration, confidence?}`.
    public static let iterationFinished: EventKind = "iteration.finished"
    /// A worker (or DAG agent) starts: `{worker, iteration?, role?}`.
    public static let workerStarted: EventKind = "worker.started"
    /// `{worker, status?}`.
    public static let workerFinished: EventKind = "worker.finished"
    /// One confined execution: `{worker?, toolCallSeq?, startedAt, endedAt, status, exitCode?}`
    /// (times in ms since the epoch).
    public static let sandboxExec: EventKind = "sandbox.exec"
    /// A PolicyGate answer: `{subject, action, allowed, reason?}`. Audited.
    public static let policyDecision: EventKind = "policy.decision"
    /// Budget reserved, committed, refused or exhausted: `{dimension, …}`. Audited.
    public static let budget: EventKind = "budget"
    /// A sandbox violation: `{syscall?, worker?, detail}`. Audited.
    public static let sandboxViolation: EventKind = "sandbox.violation"
    /// An artifact was recorded: `{path, size, sha256}`.
    public static let artifactRecorded: EventKind = "artifact.recorded"
}

/// One stored run event. Events are append-only: the schema refuses updates and deletes (except
/// when the whole run is deleted by `awp gc`).
public struct EventRecord: Sendable, Equatable {
    public var runID: String
    /// Position in the run's event log, from 1, without gaps.
    public var seq: Int
    /// Milliseconds since the epoch.
    public var at: Int64
    public var kind: EventKind
    public var payload: JSONValue

    /// `{"seq", "at" (ISO 8601), "kind", "payload"}`.
    public var json: JSONValue {
        ["seq": .integer(seq), "at": .string(Timestamp.iso8601(at)), "kind": .string(kind.rawValue), "payload": payload]
    }
}

/// A file a run produced, recorded with its size and digest so later edits are detectable.
public struct ArtifactRecord: Sendable, Equatable {
    public var runID: String
    /// The path as the run reported it (normally relative to its output directory).
    public var path: String
    public var size: Int
    public var sha256: String
    public var recordedAt: Int64

    public var json: JSONValue {
        ["path": .string(path), "size": .integer(size), "sha256": .string(sha256)]
    }
}

/// The address of a stored payload.
public struct BlobReference: Sendable, Equatable, Hashable {
    public var sha256: String
    public var size: Int
}
