/// Method names of the plugin protocol: MCP's, plus the `provider/…` extension.
public enum PluginMethod {
    public static let initialize = "initialize"
    public static let initialized = "notifications/initialized"
    public static let discover = "server/discover"
    public static let ping = "ping"
    public static let toolsList = "tools/list"
    public static let toolsCall = "tools/call"
    public static let toolsListChanged = "notifications/tools/list_changed"
    public static let progress = "notifications/progress"
    public static let cancelled = "notifications/cancelled"
    public static let message = "notifications/message"
    public static let rootsList = "roots/list"
    public static let providerDescribe = "provider/describe"
    public static let providerGenerate = "provider/generate"
    public static let providerEvent = "provider/event"
}

/// MCP protocol revisions, newest first.
public enum MCPProtocolVersion {
    /// The stateless revision: no `initialize`; `server/discover` and per-request `_meta` instead.
    public static let modern = "2026-07-28"
    /// Handshake-era revisions the host accepts from `initialize`, newest (the one it offers) first.
    public static let legacy = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// The version the host offers in `initialize`.
    public static var offered: String { legacy[0] }
}

/// The awp plugin protocol's own version, independent of awp's release number and of MCP's revisions,
/// so a new awp does not break every plugin (the trap Nushell's plugins fell into).
public enum AWPPluginProtocol {
    public static let version = 1
    /// The key under `capabilities.experimental` where native plugins and the host describe themselves.
    public static let capabilityKey = "awp/plugin"
    /// Set in every plugin's environment, so a native plugin can tell it was started by awp.
    public static let environmentMarker = "AWP_PLUGIN_PROTOCOL"
}

/// What a plugin is for: providing a model, serving tools, or both.
public struct PluginKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let provider = PluginKind(rawValue: "provider")
    public static let tool = PluginKind(rawValue: "tool")
}

/// MCP's `Implementation`: who is at the other end.
public struct PeerInfo: JSONConvertible, Hashable {
    public var name: String
    public var version: String
    public var title: String?

    public init(name: String, version: String, title: String? = nil) {
        self.name = name
        self.version = version
        self.title = title
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "info")
        self.init(name: try reader.requiredString("name"), version: try reader.string("version") ?? "",
                  title: try reader.string("title"))
    }

    public var json: JSONValue {
        .object(compacting: ["name": .string(name), "version": .string(version), "title": title.map(JSONValue.string)])
    }
}

/// A native plugin's (or the host's) self-description under `capabilities.experimental["awp/plugin"]`.
public struct PluginDeclaration: JSONConvertible, Hashable {
    public var kinds: [PluginKind]
    public var protocolVersion: Int
    /// Optional behaviours; each side uses only those both declare.
    public var features: [String]

    public init(kinds: [PluginKind], protocolVersion: Int = AWPPluginProtocol.version, features: [String] = []) {
        self.kinds = kinds
        self.protocolVersion = protocolVersion
        self.features = features
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: AWPPluginProtocol.capabilityKey)
        guard let version = try reader.int("protocolVersion") else {
            throw WireFormatError("\(AWPPluginProtocol.capabilityKey).protocolVersion: required member is missing")
        }
        self.init(kinds: (try reader.strings("kinds") ?? []).map(PluginKind.init(rawValue:)), protocolVersion: version,
                  features: try reader.strings("features") ?? [])
    }

    public var json: JSONValue {
        [
            "kinds": .array(kinds.map { .string($0.rawValue) }), "protocolVersion": .integer(protocolVersion),
            "features": .array(features.map(JSONValue.string)),
        ]
    }

    /// The declaration found in an MCP `capabilities` object, if any.
    public static func find(in capabilities: JSONValue?) throws(WireFormatError) -> PluginDeclaration? {
        guard let value = capabilities?["experimental"]?[AWPPluginProtocol.capabilityKey] else { return nil }
        return try PluginDeclaration(json: value)
    }

    /// `{"experimental": {"awp/plugin": …}}` merged with `other` capabilities.
    public func capabilities(merging other: JSONValue = [:]) -> JSONValue {
        let experimental = (other["experimental"] ?? [:]).setting(AWPPluginProtocol.capabilityKey, to: json)
        return other.setting("experimental", to: experimental)
    }
}

/// `initialize` request parameters (MCP handshake era).
public struct InitializeParams: JSONConvertible, Hashable {
    public var protocolVersion: String
    public var capabilities: JSONValue
    public var clientInfo: PeerInfo

    public init(protocolVersion: String = MCPProtocolVersion.offered, capabilities: JSONValue = [:], clientInfo: PeerInfo) {
        self.protocolVersion = protocolVersion
        self.capabilities = capabilities
        self.clientInfo = clientInfo
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "params")
        self.init(protocolVersion: try reader.requiredString("protocolVersion"),
                  capabilities: reader.optional("capabilities") ?? [:],
                  clientInfo: try reader.decode("clientInfo", as: PeerInfo.self) ?? PeerInfo(name: "unknown", version: ""))
    }

    public var json: JSONValue {
        ["protocolVersion": .string(protocolVersion), "capabilities": capabilities, "clientInfo": clientInfo.json]
    }
}

/// `initialize` result: the version the server chose, what it can do, and who it is.
public struct InitializeResult: JSONConvertible, Hashable {
    public var protocolVersion: String
    public var capabilities: JSONValue
    public var serverInfo: PeerInfo
    public var instructions: String?

    public init(protocolVersion: String, capabilities: JSONValue, serverInfo: PeerInfo, instructions: String? = nil) {
        self.protocolVersion = protocolVersion
        self.capabilities = capabilities
        self.serverInfo = serverInfo
        self.instructions = instructions
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "result")
        self.init(protocolVersion: try reader.requiredString("protocolVersion"),
                  capabilities: reader.optional("capabilities") ?? [:],
                  serverInfo: try reader.decode("serverInfo", as: PeerInfo.self) ?? PeerInfo(name: "unknown", version: ""),
                  instructions: try reader.string("instructions"))
    }

    public var json: JSONValue {
        .object(compacting: [
            "protocolVersion": .string(protocolVersion), "capabilities": capabilities, "serverInfo": serverInfo.json,
            "instructions": instructions.map(JSONValue.string),
        ])
    }

    /// The native plugin declaration in `capabilities`, if the server is an awp plugin.
    public var pluginDeclaration: PluginDeclaration? { try? PluginDeclaration.find(in: capabilities) }
}

/// `notifications/cancelled` parameters.
public struct CancelledParams: JSONConvertible, Hashable {
    public var requestId: JSONRPCID
    public var reason: String?

    public init(requestId: JSONRPCID, reason: String? = nil) {
        self.requestId = requestId
        self.reason = reason
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "params")
        self.init(requestId: try JSONRPCID(json: try reader.required("requestId")), reason: try reader.string("reason"))
    }

    public var json: JSONValue {
        .object(compacting: ["requestId": requestId.json, "reason": reason.map(JSONValue.string)])
    }
}

/// `notifications/progress` parameters.
public struct ProgressParams: JSONConvertible, Hashable {
    public var progressToken: JSONRPCID
    public var progress: Double
    public var total: Double?
    public var message: String?

    public init(progressToken: JSONRPCID, progress: Double, total: Double? = nil, message: String? = nil) {
        self.progressToken = progressToken
        self.progress = progress
        self.total = total
        self.message = message
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "params")
        self.init(progressToken: try JSONRPCID(json: try reader.required("progressToken")),
                  progress: try reader.double("progress") ?? 0, total: try reader.double("total"),
                  message: try reader.string("message"))
    }

    public var json: JSONValue {
        .object(compacting: [
            "progressToken": progressToken.json, "progress": .number(progress), "total": total.map(JSONValue.number),
            "message": message.map(JSONValue.string),
        ])
    }
}
