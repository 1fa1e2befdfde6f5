/// A JSON-RPC 2.0 request id: an integer or a string, never null.
///
/// The host numbers its own requests; plugins may use either form and get theirs back unchanged.
public enum JSONRPCID: Sendable, Hashable, CustomStringConvertible {
    case number(Int)
    case string(String)

    public init(json: JSONValue) throws(WireFormatError) {
        if let number = json.intValue {
            self = .number(number)
        } else if let string = json.stringValue {
            self = .string(string)
        } else {
            throw WireFormatError("id: expected an integer or a string, got \(json.typePhrase)")
        }
    }

    public var json: JSONValue {
        switch self {
        case .number(let number): .integer(number)
        case .string(let string): .string(string)
        }
    }

    public var description: String {
        switch self {
        case .number(let number): String(number)
        case .string(let string): "\"\(string)\""
        }
    }
}

/// The `error` member of a JSON-RPC error response.
public struct JSONRPCErrorObject: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603

    /// `-32601` for `method`.
    public static func methodNotFound(_ method: String) -> JSONRPCErrorObject {
        JSONRPCErrorObject(code: methodNotFound, message: "Method not found: \(method)")
    }

    /// `-32602` with `message`.
    public static func invalidParams(_ message: String) -> JSONRPCErrorObject {
        JSONRPCErrorObject(code: invalidParams, message: message)
    }

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "error")
        guard let code = try reader.int("code") else { throw WireFormatError("error.code: required member is missing") }
        self.init(code: code, message: try reader.string("message") ?? "", data: reader.optional("data"))
    }

    public var json: JSONValue {
        .object(compacting: ["code": .integer(code), "message": .string(message), "data": data])
    }

    public var description: String { "JSON-RPC error \(code): \(message)" }
}

/// One JSON-RPC 2.0 message: a request, a notification, or a response.
///
/// Batches are not part of the protocol (MCP dropped them after 2025-03-26), so a line holding an
/// array is a format error.
public enum JSONRPCMessage: Sendable, Equatable {
    case request(id: JSONRPCID, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    case response(id: JSONRPCID, result: JSONValue)
    /// An error response; `id` is nil only when the failing request's id could not be read.
    case errorResponse(id: JSONRPCID?, error: JSONRPCErrorObject)

    public init(json: JSONValue) throws(WireFormatError) {
        let reader = try WireReader(json, context: "message")
        guard reader.value["jsonrpc"] == .string("2.0") else {
            throw WireFormatError("message: \"jsonrpc\" must be \"2.0\"")
        }
        let idValue = reader.optional("id")
        if let method = try reader.string("method") {
            let params = reader.optional("params")
            if let idValue {
                self = .request(id: try JSONRPCID(json: idValue), method: method, params: params)
            } else {
                self = .notification(method: method, params: params)
            }
        } else if let errorValue = reader.optional("error") {
            self = .errorResponse(id: try idValue.map { v throws(WireFormatError) in try JSONRPCID(json: v) },
                                  error: try JSONRPCErrorObject(json: errorValue))
        } else if let idValue {
            // A result of `null` is legal JSON-RPC; it is kept as `.null` rather than treated as missing.
            self = .response(id: try JSONRPCID(json: idValue), result: reader.value["result"] ?? .null)
        } else {
            throw WireFormatError("message: neither a request, a notification nor a response")
        }
    }

    /// Parses one line of the wire (without its newline).
    public init(line: some Collection<UInt8>) throws(WireFormatError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw WireFormatError("not JSON: \(error)")
        }
        try self.init(json: value)
    }

    public var json: JSONValue {
        switch self {
        case .request(let id, let method, let params):
            .object(compacting: ["jsonrpc": "2.0", "id": id.json, "method": .string(method), "params": params])
        case .notification(let method, let params):
            .object(compacting: ["jsonrpc": "2.0", "method": .string(method), "params": params])
        case .response(let id, let result):
            ["jsonrpc": "2.0", "id": id.json, "result": result]
        case .errorResponse(let id, let error):
            ["jsonrpc": "2.0", "id": id?.json ?? .null, "error": error.json]
        }
    }

    /// The message as one wire line: compact JSON followed by `\n`.
    ///
    /// Compact JSON never contains a raw newline (the writer escapes control characters in strings),
    /// which is what makes newline framing safe.
    public func serializedLine() -> [UInt8] {
        var bytes = json.serializedUTF8()
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    public var method: String? {
        switch self {
        case .request(_, let method, _), .notification(let method, _): method
        default: nil
        }
    }
}
