public import AWPCore
public import Foundation

/// Where a run stands. The terminal values are the `status` of `awp run --json` (ARCHITECTURE §7).
public enum RunStatus: String, Sendable, CaseIterable, Codable {
    /// Started and not finished. A run whose process died stays `running` until it is resumed.
    case running
    case complete
    case partial
    case failed
    case aborted

    public var isTerminal: Bool { self != .running }
}

/// What the runtime knows when a run starts.
public struct NewRun: Sendable {
    /// The run id; nil lets the store make one (`RunID.generate()`).
    public var id: String?
    public var workflow: String
    public var task: String?
    public var provider: String?
    public var model: String?
    /// The run that spawned this one (A4 sub-managers), or nil for a root run.
    public var parentRunID: String?
    /// The budget limits as configured, kept verbatim for reports.
    public var budget: JSONValue?
    public var outputDirectory: String?
    public var cachePolicy: CachePolicy
    /// The process that drives the run, so inspection can tell a live run from a crashed one.
    public var processID: Int32?

    public init(
        id: String? = nil,
        workflow: String,
        task: String? = nil,
        provider: String? = nil,
        model: String? = nil,
        parentRunID: String? = nil,
        budget: JSONValue? = nil,
        outputDirectory: String? = nil,
        cachePolicy: CachePolicy = .auto,
        processID: Int32? = nil
    ) {
        self.id = id
        self.workflow = workflow
        self.task = task
        self.provider = provider
        self.model = model
        self.parentRunID = parentRunID
        self.budget = budget
        self.outputDirectory = outputDirectory
        self.cachePolicy = cachePolicy
        self.processID = processID
    }
}

/// A run as stored. Times are milliseconds since the Unix epoch (UTC).
public struct RunRecord: Sendable, Equatable {
    public var id: String
    public var parentRunID: String?
    public var workflow: String
    public var task: String?
    public var status: RunStatus
    public var terminationReason: String?
    public var provider: String?
    public var model: String?
    public var cachePolicy: CachePolicy
    public var startedAt: Int64
    public var endedAt: Int64?
    public var budget: JSONValue?
    public var result: JSONValue?
    public var outputDirectory: String?
    public var processID: Int32?
    /// How many times `awp resume` has continued this run.
    public var resumeCount: Int

    /// Wall time so far (to `now` while running), in milliseconds.
    public func wallMilliseconds(now: Int64) -> Int64 { (endedAt ?? now) - startedAt }
}

/// Totals over a run's calls and events, in the shape of the `usage` object of `awp run --json`.
public struct RunUsage: Sendable, Equatable {
    public var llmCalls = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cachedInputTokens = 0
    public var costUSD = 0.0
    public var workers = 0
    public var loops = 0
    public var toolCalls = 0
    public var wallMs: Int64 = 0
    /// LLM calls answered from the response cache (no tokens paid).
    public var cacheHits = 0

    public init() {}

    /// `{"llmCalls", "inputTokens", "outputTokens", "costUSD", "workers", "loops", "toolCalls", "wallMs"}`
    /// plus `cachedInputTokens` and `cacheHits`.
    public var json: JSONValue {
        [
            "llmCalls": .integer(llmCalls),
            "inputTokens": .integer(inputTokens),
            "outputTokens": .integer(outputTokens),
            "costUSD": .number(costUSD),
            "workers": .integer(workers),
            "loops": .integer(loops),
            "toolCalls": .integer(toolCalls),
            "wallMs": .integer(Int(wallMs)),
            "cachedInputTokens": .integer(cachedInputTokens),
            "cacheHits": .integer(cacheHits),
        ]
    }
}

/// Run ids: sortable by start time, unique enough to never collide on one machine.
public enum RunID {
    /// `20260314-153012-a1b2c3`: UTC start time plus 24 random bits.
    public static func generate(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let random = String(UInt32.random(in: 0..<(1 << 24)), radix: 16)
        return formatter.string(from: now) + "-" + String(repeating: "0", count: 6 - random.count) + random
    }
}

/// Store times are integer milliseconds since the Unix epoch; these turn them into text.
public enum Timestamp {
    /// Milliseconds since the epoch for `date`.
    public static func milliseconds(_ date: Date = Date()) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// `2026-03-14T15:30:12.345Z`.
    public static func iso8601(_ milliseconds: Int64) -> String {
        // Half a millisecond added because the style truncates: 1767225600.123 is stored as
        // 1767225600.12299… and would print as .122.
        style.format(Date(timeIntervalSince1970: (Double(milliseconds) + 0.5) / 1000))
    }

    /// A Sendable format style, made once: an `ISO8601DateFormatter` per call costs ~80 µs, which
    /// `awp events` on a long run would pay per line.
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
}
