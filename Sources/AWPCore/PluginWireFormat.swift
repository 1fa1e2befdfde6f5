/// A plugin-protocol message whose JSON does not have the shape the protocol requires.
///
/// The message names the member that is wrong (`tools[2].name: expected a string, got an integer`),
/// because it usually ends up in front of whoever wrote the plugin.
public struct WireFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// A value the plugin protocol carries as JSON, converted by hand rather than through `Codable`.
///
/// Hand conversion keeps member order, reads `JSONValue` straight from the fast parser, and lets
/// unknown members pass through untouched (plugins written against newer protocol revisions send them).
public protocol JSONConvertible: Sendable {
    /// Reads the value from its JSON form.
    init(json: JSONValue) throws(WireFormatError)
    /// The value's JSON form, with absent optional members left out.
    var json: JSONValue { get }
}

extension JSONValue {
    /// An object built from `members`, leaving out the ones whose value is nil.
    public static func object(compacting members: KeyValuePairs<String, JSONValue?>) -> JSONValue {
        .object(members.compactMap { member in member.value.map { (key: member.key, value: $0) } })
    }

    /// The value as an `Int` when it is an integer, or a number with no fractional part that fits.
    public var intValue: Int? {
        switch self {
        case .integer(let value): value
        case .number(let value) where value.rounded() == value && abs(value) < 9.0e18: Int(value)
        default: nil
        }
    }

    /// This object with `value` stored under `key`, replacing an existing member of that name.
    ///
    /// A non-object becomes an object holding just the new member.
    public func setting(_ key: String, to value: JSONValue) -> JSONValue {
        var members = objectValue ?? []
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append((key: key, value: value))
        }
        return .object(members)
    }
}

/// Typed reads of object members, throwing `WireFormatError`s that name the member.
///
/// `context` is the dotted path of the object being read, so nested errors stay precise.
public struct WireReader: Sendable {
    public let value: JSONValue
    public let context: String

    /// Starts reading `value`, which must be an object.
    public init(_ value: JSONValue, context: String) throws(WireFormatError) {
        guard case .object = value else {
            throw WireFormatError("\(context): expected an object, got \(value.typePhrase)")
        }
        self.value = value
        self.context = context
    }

    private func path(_ key: String) -> String { context.isEmpty ? key : "\(context).\(key)" }

    private func mismatch(_ key: String, _ expected: String, _ got: JSONValue) -> WireFormatError {
        WireFormatError("\(path(key)): expected \(expected), got \(got.typePhrase)")
    }

    /// The member, or nil when it is absent or JSON `null`.
    public func optional(_ key: String) -> JSONValue? {
        guard let member = value[key], !member.isNull else { return nil }
        return member
    }

    public func required(_ key: String) throws(WireFormatError) -> JSONValue {
        guard let member = optional(key) else { throw WireFormatError("\(path(key)): required member is missing") }
        return member
    }

    public func string(_ key: String) throws(WireFormatError) -> String? {
        guard let member = optional(key) else { return nil }
        guard let string = member.stringValue else { throw mismatch(key, "a string", member) }
        return string
    }

    public func requiredString(_ key: String) throws(WireFormatError) -> String {
        let member = try required(key)
        guard let string = member.stringValue else { throw mismatch(key, "a string", member) }
        return string
    }

    public func int(_ key: String) throws(WireFormatError) -> Int? {
        guard let member = optional(key) else { return nil }
        guard let integer = member.intValue else { throw mismatch(key, "an integer", member) }
        return integer
    }

    public func double(_ key: String) throws(WireFormatError) -> Double? {
        guard let member = optional(key) else { return nil }
        guard let number = member.doubleValue else { throw mismatch(key, "a number", member) }
        return number
    }

    public func bool(_ key: String) throws(WireFormatError) -> Bool? {
        guard let member = optional(key) else { return nil }
        guard let bool = member.boolValue else { throw mismatch(key, "a boolean", member) }
        return bool
    }

    public func object(_ key: String) throws(WireFormatError) -> WireReader? {
        guard let member = optional(key) else { return nil }
        return try WireReader(member, context: path(key))
    }

    public func array(_ key: String) throws(WireFormatError) -> [JSONValue]? {
        guard let member = optional(key) else { return nil }
        guard let array = member.arrayValue else { throw mismatch(key, "an array", member) }
        return array
    }

    public func strings(_ key: String) throws(WireFormatError) -> [String]? {
        guard let array = try array(key) else { return nil }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let string = element.stringValue else { throw mismatch("\(key)[\(index)]", "a string", element) }
            strings.append(string)
        }
        return strings
    }

    /// Each element of the array member converted with `T.init(json:)`; an absent member is empty.
    public func list<T: JSONConvertible>(_ key: String, of type: T.Type) throws(WireFormatError) -> [T] {
        guard let array = try array(key) else { return [] }
        var result: [T] = []
        result.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            do {
                result.append(try T(json: element))
            } catch {
                throw WireFormatError("\(path(key))[\(index)]: \(error.message)")
            }
        }
        return result
    }

    /// The object member converted with `T.init(json:)`, or nil when absent.
    public func decode<T: JSONConvertible>(_ key: String, as type: T.Type) throws(WireFormatError) -> T? {
        guard let member = optional(key) else { return nil }
        do {
            return try T(json: member)
        } catch {
            throw WireFormatError("\(path(key)): \(error.message)")
        }
    }
}

extension JSONValue {
    /// "a string", "an object", … for error messages.
    var typePhrase: String {
        switch self {
        case .object, .integer, .array: "an \(typeName)"
        case .null: "null"
        default: "a \(typeName)"
        }
    }
}
