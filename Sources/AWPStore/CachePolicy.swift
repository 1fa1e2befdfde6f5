public import AWPCore

/// How a run uses the response cache (`--cache-policy`).
public enum CachePolicy: String, Sendable, CaseIterable, Codable {
    /// Serve read-only calls from the cache when possible and store new responses.
    case auto
    /// Neither read nor write the cache.
    case disabled
    /// Serve from the cache but never add to it (replaying a known run without growing the store).
    case readOnly = "read_only"
    /// Never serve from the cache but store fresh responses, replacing old ones.
    case refresh

    /// Parses a `--cache-policy` value; nil for anything else.
    public init?(parsing text: String) {
        self.init(rawValue: String(text.map { $0 == "-" ? "_" : $0 }))
    }

    /// The accepted spellings, for usage messages.
    public static var spellings: String { allCases.map(\.rawValue).joined(separator: "|") }

    var readsCache: Bool { self == .auto || self == .readOnly }
    var writesCache: Bool { self == .auto || self == .refresh }
}

/// What one cache lookup decided, and why. Every LLM call records one, so `awp explain-cache`
/// can say for each call why it hit, missed or bypassed.
public struct CacheDecision: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable {
        case hit
        case miss
        case bypass
    }

    /// Machine-readable reasons; `explanation` turns them into a sentence.
    public enum Reason: String, Sendable, CaseIterable {
        /// An entry with the same namespace and request hash was found.
        case found
        /// The cache was consulted and had no entry.
        case notCached = "not_cached"
        /// The run's policy is `disabled`.
        case policyDisabled = "policy_disabled"
        /// The run's policy is `refresh`: always ask the provider.
        case policyRefresh = "policy_refresh"
        /// The call can change the world; mutating calls are never served from a cache.
        case mutatingCall = "mutating_call"
        /// A cache entry exists but its stored response blob was removed (e.g. by `awp gc`).
        case entryIncomplete = "entry_incomplete"
    }

    public var outcome: Outcome
    public var reason: Reason
    public var namespace: String
    /// The cache key (`CanonicalRequest.hash`).
    public var key: String
    /// For hits: the run and call seq that first paid for this response.
    public var sourceRunID: String?
    public var sourceSeq: Int?
    /// For hits: what the original call cost, i.e. what this hit saved.
    public var savedUsage: TokenUsage?
    public var savedCostUSD: Double?

    public init(
        outcome: Outcome,
        reason: Reason,
        namespace: String,
        key: String,
        sourceRunID: String? = nil,
        sourceSeq: Int? = nil,
        savedUsage: TokenUsage? = nil,
        savedCostUSD: Double? = nil
    ) {
        self.outcome = outcome
        self.reason = reason
        self.namespace = namespace
        self.key = key
        self.sourceRunID = sourceRunID
        self.sourceSeq = sourceSeq
        self.savedUsage = savedUsage
        self.savedCostUSD = savedCostUSD
    }

    /// One sentence for people: why this call hit, missed or bypassed.
    public var explanation: String {
        let short = String(key.prefix(12))
        switch reason {
        case .found:
            var text = "hit: same request (key \(short)…) in namespace '\(namespace)'"
            if let sourceRunID, let sourceSeq { text += ", first answered by run \(sourceRunID) call #\(sourceSeq)" }
            if let savedUsage {
                text += "; saved \(savedUsage.inputTokens) input + \(savedUsage.outputTokens) output tokens"
            }
            return text
        case .notCached:
            return "miss: no cached response for key \(short)… in namespace '\(namespace)'"
        case .policyDisabled:
            return "bypass: cache policy is 'disabled'"
        case .policyRefresh:
            return "bypass: cache policy is 'refresh' (always asks the provider, then stores the answer)"
        case .mutatingCall:
            return "bypass: the call may change the world, and mutating calls are never served from the cache"
        case .entryIncomplete:
            return "miss: an entry for key \(short)… exists but its response was garbage-collected"
        }
    }

    /// The decision as a JSON object for `--json` outputs.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("outcome", .string(outcome.rawValue)),
            ("reason", .string(reason.rawValue)),
            ("namespace", .string(namespace)),
            ("key", .string(key)),
            ("explanation", .string(explanation)),
        ]
        if let sourceRunID { members.append(("sourceRunId", .string(sourceRunID))) }
        if let sourceSeq { members.append(("sourceSeq", .integer(sourceSeq))) }
        if let savedUsage {
            members.append(("savedInputTokens", .integer(savedUsage.inputTokens)))
            members.append(("savedOutputTokens", .integer(savedUsage.outputTokens)))
        }
        if let savedCostUSD { members.append(("savedCostUSD", .number(savedCostUSD))) }
        return .object(members)
    }
}

/// The result of a cache lookup: the decision, and the response when it is a hit.
public struct CacheLookup: Sendable, Equatable {
    public var decision: CacheDecision
    public var response: JSONValue?
}
