public import AWPCore
internal import AWPYAML

/// `security`: circuit breaker, rate limits, access control and secrets (digest §B.15).
public struct SecurityConfig: Sendable {
    /// An access-control rule: tools an agent may not call.
    public struct DenyRule: Sendable {
        public var agent: String
        public var denyTools: [String]
    }

    public var accessControlEnabled: Bool = false
    /// `allow` or `deny`.
    public var defaultPolicy: String = "allow"
    public var rules: [DenyRule] = []
    public var requiredSecrets: [String] = []
    /// `circuit_breaker`, `rate_limit`, `secrets` and the rest, as data.
    public var options: [String: JSONValue] = [:]
    public var extras: [ExtraField] = []
    public var locations = FieldLocations()
}

extension SecurityConfig {
    static func read(_ reader: MappingReader) -> SecurityConfig {
        var config = SecurityConfig()
        config.locations = reader.locations
        if let access = reader.mapping("access_control") {
            config.accessControlEnabled = access.bool("enabled", default: false)
            config.defaultPolicy = access.string("default_policy", default: "allow")
            for (index, item) in (access.list("rules") ?? []).enumerated() {
                guard let rule = MappingReader(item, path: "\(access.childPath("rules"))[\(index)]", context: reader.context)
                else { continue }
                config.rules.append(
                    DenyRule(agent: rule.string("agent") ?? "", denyTools: rule.strings("deny_tools", default: []))
                )
                rule.finish(note: "kept as data")
            }
            if let policies = access.json("agent_policies") { config.options["agent_policies"] = policies }
            access.finish(note: "kept as data")
        }
        if let secrets = reader.mapping("secrets") {
            config.requiredSecrets = secrets.strings("required", default: [])
            for key in ["provider", "path"] { _ = secrets.string(key) }
            secrets.finish(note: "kept as data")
        }
        for key in ["circuit_breaker", "rate_limit", "rate_limiting", "secrets_backend", "audit_security_events"] {
            if let value = reader.json(key) { config.options[key] = value }
        }
        config.extras = reader.finish(note: "kept as data")
        return config
    }
}
