/// One allowlist entry: an exact host name, or `*.suffix` for every subdomain of `suffix` (not `suffix` itself).
public struct HostPattern: Sendable, Hashable {
    public let suffix: String
    public let wildcard: Bool

    /// `nil` for anything that is not a DNS name (IP literals, empty labels, stray characters).
    public init?(_ text: String) {
        var name = text.lowercased()
        wildcard = name.hasPrefix("*.")
        if wildcard { name.removeFirst(2) }
        if name.hasSuffix(".") { name.removeLast() }
        guard let normalized = HostPattern.normalizedName(name) else { return nil }
        suffix = normalized
    }

    public func matches(_ host: String) -> Bool {
        guard let name = HostPattern.normalizedName(host) else { return false }
        return wildcard ? name.hasSuffix("." + suffix) : name == suffix
    }

    /// Lower-cased name without a trailing dot, or `nil` when it is not a plausible DNS name. A name whose
    /// last label is numeric is an IP literal in disguise (`127.1`, `2130706433`, `0x7f.1`) and never matches.
    static func normalizedName(_ host: String) -> String? {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, name.count <= 253 else { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty, label.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-") else { return nil }
            guard label.unicodeScalars.allSatisfy({ $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
                return nil
            }
        }
        guard let last = labels.last, last.unicodeScalars.contains(where: { $0.isASCIILetter }) else { return nil }
        if last.hasPrefix("0x"), last.dropFirst(2).allSatisfy(\.isHexDigit) { return nil }
        return name
    }
}

/// The hosts a sandbox may reach through the egress proxy.
public struct HostAllowlist: Sendable, Equatable {
    public let patterns: [HostPattern]

    public init(_ entries: [String]) {
        patterns = entries.compactMap(HostPattern.init)
    }

    public func allows(_ host: String) -> Bool { patterns.contains { $0.matches(host) } }
}

/// One decision of the egress proxy, for the audit trail.
public struct EgressDecision: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var method: String
    public var allowed: Bool
    /// "allowlisted", "not-allowlisted", "ip-literal", "port-not-allowed", "private-address", "unresolvable",
    /// "upstream-unreachable", "bad-request".
    public var reason: String
    /// The address actually connected to, when allowed.
    public var address: String?
}
