public import AWPCore
internal import AWPYAML

/// `state`: how agents share the run state (digest §B.9).
public struct StateConfig: Sendable {
    /// `shared_dict`, `event_sourced` or `cqrs`.
    public var model: String = "shared_dict"
    public var persistenceEnabled: Bool = true
    public var persistencePath: String = "data/state"
    /// `full`, `selective` or `isolated`.
    public var sharingStrategy: String = "full"
    public var requiredFields: [String] = []
    public var autoInject: JSONValue?
    public var options: [String: JSONValue] = [:]
    public var locations = FieldLocations()

    public static let strategies = ["full", "selective", "isolated"]
}

/// `memory`: long-term memory, daily logs and episodic memory (digest §B.10).
public struct MemoryConfig: Sendable {
    public var isEnabled: Bool = true
    public var longTermInject: Bool = true
    public var longTermMaxTokens: Int = 2000
    public var dailyLogEnabled: Bool = true
    public var dailyLogAutoWrite: Bool = true
    public var options: [String: JSONValue] = [:]
}

/// `communication`: the message bus and channels (digest §B.11).
public struct CommunicationConfig: Sendable {
    /// `internal` (the only bus that exists), `redis`, `nats`, `kafka` or `rabbitmq`.
    public var busType: String = "internal"
    public var channels: JSONValue?
    public var options: [String: JSONValue] = [:]
}

extension StateConfig {
    static func read(_ reader: MappingReader) -> StateConfig {
        var config = StateConfig()
        config.locations = reader.locations
        config.model = reader.string("model", default: config.model)
        if let persistence = reader.mapping("persistence") {
            config.persistenceEnabled = persistence.bool("enabled", default: true)
            config.persistencePath = persistence.string("path", default: config.persistencePath)
            _ = persistence.string("format")
            _ = persistence.bool("snapshot_on_completion")
            persistence.finish()
        }
        if let sharing = reader.mapping("sharing") {
            config.sharingStrategy = sharing.string("strategy", default: config.sharingStrategy)
            if let rules = sharing.json("rules") { config.options["sharing.rules"] = rules }
            _ = sharing.string("validation")
            sharing.finish()
        }
        config.requiredFields = reader.strings("required_fields", default: [])
        config.autoInject = reader.json("auto_inject")
        if let size = reader.json("max_state_size_mb") { config.options["max_state_size_mb"] = size }
        reader.finish()
        return config
    }
}

extension MemoryConfig {
    static func read(_ reader: MappingReader) -> MemoryConfig {
        var config = MemoryConfig()
        config.isEnabled = reader.bool("enabled", default: true)
        if let longTerm = reader.mapping("long_term") {
            config.longTermInject = longTerm.bool("inject", default: true)
            config.longTermMaxTokens = longTerm.int("max_tokens", default: config.longTermMaxTokens)
            for key in ["enabled", "auto_curate", "curate_interval"] {
                if let value = longTerm.json(key) { config.options["long_term.\(key)"] = value }
            }
            longTerm.finish()
        }
        if let daily = reader.mapping("daily_log") {
            config.dailyLogEnabled = daily.bool("enabled", default: true)
            config.dailyLogAutoWrite = daily.bool("auto_write", default: true)
            if let value = daily.json("retention_days") { config.options["daily_log.retention_days"] = value }
            daily.finish()
        }
        for key in ["workspace_dir", "episodic", "semantic", "curation", "search_enabled"] {
            if let value = reader.json(key) { config.options[key] = value }
        }
        for extra in reader.finish(note: "kept as data") { config.options[extra.key] = extra.value }
        return config
    }
}

extension CommunicationConfig {
    static func read(_ reader: MappingReader) -> CommunicationConfig {
        var config = CommunicationConfig()
        if let bus = reader.mapping("bus") {
            config.busType = bus.string("type", default: "internal")
            for key in bus.keys where key != "type" { config.options["bus.\(key)"] = bus.json(key) }
        }
        config.channels = reader.json("channels")
        for key in ["patterns", "default_channel"] {
            if let value = reader.json(key) { config.options[key] = value }
        }
        reader.finish()
        return config
    }
}
