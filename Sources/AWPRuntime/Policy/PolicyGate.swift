import AWPCore
public import AWPSandbox
import Glibc

/// The one place that answers "may X do Y": tool access, dynamic-tool namespaces and their
/// capabilities, and egress hosts. (Secrets need no per-call decision: sandboxed code never gets any,
/// and plugins get exactly what their manifests pass through.) Every answer is emitted as a `policy.decision`
/// event, which the store also appends to the run's audit chain.
///
/// Rules combine as: forbidden always wins (run-wide forbidden tools, the workflow's access-control
/// deny rules, then the envelope's own); then an allow list, when one is given, must match. Patterns
/// are shell globs (`file.*`, `stats.?ean`).
public struct PolicyGate: Sendable {
    /// A dynamic-tool namespace and what its tools may do.
    public struct Namespace: Sendable, Equatable {
        public var name: String
        public var capabilities: Set<SandboxCapability>
        public var allowedHosts: [String]

        public init(name: String, capabilities: Set<SandboxCapability>, allowedHosts: [String] = []) {
            self.name = name
            self.capabilities = capabilities
            self.allowedHosts = allowedHosts
        }
    }

    public let runID: String
    public let depth: Int
    private let events: EventBroadcaster
    /// Tools nobody in this run may call.
    public let forbiddenTools: [String]
    /// Per-agent deny lists (the workflow's `security.access_control` rules).
    public let deniedByAgent: [String: [String]]
    public let namespaces: [String: Namespace]

    public init(runID: String, depth: Int = 0, events: EventBroadcaster, forbiddenTools: [String] = [],
                deniedByAgent: [String: [String]] = [:], namespaces: [Namespace] = []) {
        self.runID = runID
        self.depth = depth
        self.events = events
        self.forbiddenTools = forbiddenTools
        self.deniedByAgent = deniedByAgent
        self.namespaces = Dictionary(namespaces.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The same rules for a sub-run (its events go to that run's log).
    public func forRun(_ runID: String, depth: Int) -> PolicyGate {
        PolicyGate(runID: runID, depth: depth, events: events, forbiddenTools: forbiddenTools, deniedByAgent: deniedByAgent,
                   namespaces: Array(namespaces.values))
    }

    /// The pure decision: nil when allowed, else the reason.
    public func refusal(subject: String, tool: String, allowed: [String]?, forbidden: [String] = []) -> String? {
        if let pattern = forbiddenTools.first(where: { Self.matches($0, tool) }) {
            return "'\(tool)' is forbidden for every worker in this run (\(pattern))"
        }
        if let pattern = (deniedByAgent[subject] ?? []).first(where: { Self.matches($0, tool) }) {
            return "access control denies '\(tool)' to '\(subject)' (\(pattern))"
        }
        if let pattern = forbidden.first(where: { Self.matches($0, tool) }) {
            return "'\(tool)' is forbidden here (\(pattern))"
        }
        if let allowed, !allowed.contains(where: { Self.matches($0, tool) }) {
            return "'\(tool)' is not in the tools allowed to '\(subject)'"
        }
        return nil
    }

    /// Decides and audits a tool call.
    public func authorizeTool(subject: String, tool: String, allowed: [String]?, forbidden: [String] = []) async -> Bool {
        let reason = refusal(subject: subject, tool: tool, allowed: allowed, forbidden: forbidden)
        await record(subject: subject, action: "tool:\(tool)", allowed: reason == nil, reason: reason ?? "allowed")
        return reason == nil
    }

    /// Decides and audits whether `subject` may create a tool called `name` in its namespace.
    public func authorizeToolCreation(subject: String, name: String, namespace allowedNamespace: String) async -> Namespace? {
        let prefix = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        var reason: String?
        var granted: Namespace?
        if !name.contains(".") {
            reason = "a tool name must be <namespace>.<action>"
        } else if let namespace = namespaces[prefix] {
            if allowedNamespace != "*" && allowedNamespace != prefix {
                reason = "'\(subject)' may only create tools in '\(allowedNamespace)'"
            } else {
                granted = namespace
            }
        } else {
            reason = "namespace '\(prefix)' is not one of the workflow's dynamic-tool namespaces"
        }
        await record(subject: subject, action: "tool.create:\(name)", allowed: granted != nil, reason: reason ?? "allowed")
        return granted
    }

    /// Audits an egress decision the proxy took for a sandboxed process.
    public func recordEgress(subject: String, host: String, port: Int, allowed: Bool, reason: String) async {
        await record(subject: subject, action: "egress:\(host):\(port)", allowed: allowed, reason: reason)
    }

    public func record(subject: String, action: String, allowed: Bool, reason: String) async {
        await events.emit(RunEvent(runID: runID, depth: depth,
                                   .policyDecision(subject: subject, action: action, allowed: allowed, reason: reason)))
    }

    /// Shell-glob matching (`fnmatch` without flags: `*` also crosses dots).
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern == name || pattern == "*" { return true }
        guard pattern.contains(where: { "*?[".contains($0) }) else { return false }
        return fnmatch(pattern, name, 0) == 0
    }
}
