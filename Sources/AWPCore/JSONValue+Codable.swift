/// Lets a `JSONValue` sit inside other `Codable` types, for fields whose shape is free-form.
///
/// Encoding keeps object member order as far as the encoder does. Decoding an object takes its
/// keys from the decoder's `allKeys`, whose order most decoders (including Foundation's) do not
/// promise, so use `JSONParser` when order matters.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() {
                self = .null
                return
            }
            // Bool before the numbers and Int before Double, so `true` and `1` keep their JSON kinds.
            if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
                return
            }
            if let integer = try? container.decode(Int.self) {
                self = .integer(integer)
                return
            }
            if let double = try? container.decode(Double.self) {
                self = .number(double)
                return
            }
            if let string = try? container.decode(String.self) {
                self = .string(string)
                return
            }
            if let elements = try? container.decode([JSONValue].self) {
                self = .array(elements)
                return
            }
        }
        let container = try decoder.container(keyedBy: JSONCodingKey.self)
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(container.allKeys.count)
        for key in container.allKeys {
            members.append((key: key.stringValue, value: try container.decode(JSONValue.self, forKey: key)))
        }
        self = .object(members)
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let bool):
            var container = encoder.singleValueContainer()
            try container.encode(bool)
        case .number(let double):
            var container = encoder.singleValueContainer()
            try container.encode(double)
        case .integer(let integer):
            var container = encoder.singleValueContainer()
            try container.encode(integer)
        case .string(let string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements {
                try container.encode(element)
            }
        case .object(let members):
            var container = encoder.container(keyedBy: JSONCodingKey.self)
            for member in members {
                try container.encode(member.value, forKey: JSONCodingKey(member.key))
            }
        }
    }
}

/// A coding key for any object member name, since JSON objects have no fixed set of keys.
private struct JSONCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) {
        stringValue = string
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        stringValue = String(intValue)
    }
}
