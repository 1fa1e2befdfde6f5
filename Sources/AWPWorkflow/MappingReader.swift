internal import AWPCore
internal import AWPYAML
internal import Foundation

/// Reads one YAML mapping into a model: checks each value's type the way the reference's models
/// do, records where every key was written, and reports the keys nobody asked for.
///
/// Scalars are resolved by what the model expects at that key (schema-directed), the way PyYAML
/// plus pydantic read them: `enabled: yes` is a bool where a bool is expected, and a plain `1`
/// where a string is expected is an error, as in the reference.
final class MappingReader {
    let node: YAMLNode
    /// The dotted path of this mapping, for messages (`orchestration.graph[1]`).
    let path: String
    let context: LoadContext
    private let pairs: [YAMLPair]
    private var consumed: Set<String> = []

    /// Returns nil (after reporting an error) when `node` is not a mapping.
    init?(_ node: YAMLNode, path: String, context: LoadContext) {
        guard let pairs = node.mapping else {
            context.error("'\(path)' must be a mapping, got \(describe(node))", at: node)
            return nil
        }
        self.node = node
        self.path = path
        self.context = context
        self.pairs = pairs
        for pair in pairs where pair.key.scalar?.style == .plain {
            if let truth = pair.key.boolValue {
                context.error(
                    "key '\(pair.key.scalar!.text)' in '\(path)' is read as the boolean \(truth) by YAML 1.1 "
                        + "readers such as the Python reference; quote it (\"\(pair.key.scalar!.text)\")",
                    at: pair.key
                )
            }
        }
    }

    /// The keys in document order.
    var keys: [String] { pairs.compactMap { keyText($0.key) } }

    func contains(_ key: String) -> Bool { pair(key) != nil }

    /// The raw node for `key`, marking it as read.
    func value(_ key: String) -> YAMLNode? {
        consumed.insert(key)
        return pair(key)?.value
    }

    /// A value that is present and not null.
    func present(_ key: String) -> YAMLNode? {
        guard let node = value(key), !node.isNull else { return nil }
        return node
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: - Scalars

    func string(_ key: String, required: Bool = false) -> String? {
        guard let value = value(key) else {
            if required { context.error("'\(childPath(key))' is required", at: node) }
            return nil
        }
        return readString(value, path: childPath(key), nullable: !required)
    }

    func string(_ key: String, default fallback: String) -> String {
        string(key) ?? fallback
    }

    func readString(_ value: YAMLNode, path: String, nullable: Bool = true) -> String? {
        if value.isNull && value.tag == nil {
            if !nullable { context.error("'\(path)' must be a string, got null", at: value) }
            return nil
        }
        guard let scalar = value.scalar else {
            context.error("'\(path)' must be a string, got \(describe(value))", at: value)
            return nil
        }
        if let type = value.implicitType, type != .string, type != .null {
            context.error(
                "'\(path)' must be a string, got \(typeName(type)) \(scalar.text); quote it (\"\(scalar.text)\")",
                at: value
            )
            return nil
        }
        return scalar.text
    }

    func int(_ key: String) -> Int? {
        guard let value = value(key) else { return nil }
        return readInt(value, path: childPath(key))
    }

    func int(_ key: String, default fallback: Int) -> Int { int(key) ?? fallback }

    func readInt(_ value: YAMLNode, path: String) -> Int? {
        if let int = value.intValue { return int }
        if let double = value.doubleValue, double.rounded() == double, abs(double) < 9e15 { return Int(double) }
        if let text = value.scalar?.text, value.scalar?.style != .plain, let int = Int(text.trimmingCharacters(in: .whitespaces)) {
            // pydantic's lax mode reads the string "3" as 3; keep the verdict, but say so.
            context.warning("'\(path)' is the string \"\(text)\"; it is read as the integer \(int)", at: value)
            return int
        }
        context.error("'\(path)' must be an integer, got \(describe(value))", at: value)
        return nil
    }

    func double(_ key: String) -> Double? {
        guard let value = value(key) else { return nil }
        return readDouble(value, path: childPath(key))
    }

    func double(_ key: String, default fallback: Double) -> Double { double(key) ?? fallback }

    func readDouble(_ value: YAMLNode, path: String) -> Double? {
        if let double = value.doubleValue { return double }
        if let text = value.scalar?.text, value.scalar?.style != .plain, let double = Double(text.trimmingCharacters(in: .whitespaces)) {
            context.warning("'\(path)' is the string \"\(text)\"; it is read as the number \(double)", at: value)
            return double
        }
        context.error("'\(path)' must be a number, got \(describe(value))", at: value)
        return nil
    }

    func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        if let bool = value.boolValue { return bool }
        if let int = value.intValue, int == 0 || int == 1 { return int == 1 }
        if let text = value.scalar?.text, value.scalar?.style != .plain,
            let bool = laxBools[text.trimmingCharacters(in: .whitespaces).lowercased()]
        {
            return bool
        }
        context.error("'\(childPath(key))' must be a boolean (true or false), got \(describe(value))", at: value)
        return nil
    }

    func bool(_ key: String, default fallback: Bool) -> Bool { bool(key) ?? fallback }

    // MARK: - Collections

    /// A sequence value; reports an error and returns nil for anything else. Null reads as absent.
    func list(_ key: String) -> [YAMLNode]? {
        guard let value = present(key) else { return nil }
        guard let items = value.sequence else {
            context.error("'\(childPath(key))' must be a list, got \(describe(value))", at: value)
            return nil
        }
        return items
    }

    func strings(_ key: String) -> [String]? {
        guard let items = list(key) else { return nil }
        return items.enumerated().compactMap { readString($1, path: "\(childPath(key))[\($0)]", nullable: false) }
    }

    func strings(_ key: String, default fallback: [String]) -> [String] { strings(key) ?? fallback }

    /// A nested mapping; nil when absent or null (absent sections take their defaults).
    func mapping(_ key: String) -> MappingReader? {
        guard let value = present(key) else { return nil }
        return MappingReader(value, path: childPath(key), context: context)
    }

    /// A nested mapping that must be present; reports a missing or null value.
    func requiredMapping(_ key: String) -> MappingReader? {
        guard let value = value(key) else {
            context.error("'\(childPath(key))' is required", at: node)
            return nil
        }
        return MappingReader(value, path: childPath(key), context: context)
    }

    /// A mapping of string keys to string values (`env.defaults`, `models`).
    func stringMap(_ key: String) -> [String: String] {
        guard let reader = mapping(key) else { return [:] }
        var result: [String: String] = [:]
        for name in reader.keys {
            if let value = reader.value(name), let text = reader.readString(value, path: reader.childPath(name)) {
                result[name] = text
            }
        }
        return result
    }

    /// Any value as generic JSON data (for free-form sections such as `args` or `params`).
    func json(_ key: String) -> JSONValue? {
        value(key).map { $0.jsonValue }
    }

    // MARK: - Locations and unknown keys

    /// Where each key and value of this mapping was written.
    var locations: FieldLocations {
        var result = FieldLocations(node: context.location(of: node))
        for pair in pairs {
            guard let key = keyText(pair.key) else { continue }
            result.keys[key] = context.location(of: pair.key)
            result.values[key] = context.location(of: pair.value)
        }
        return result
    }

    /// Reports every key that was never read. Unknown keys are never dropped silently: they are
    /// returned so the model keeps them, and each one is a warning with its location.
    ///
    /// - Parameter note: why the key is harmless or what to do, appended to the warning.
    @discardableResult
    func finish(note: String? = nil) -> [ExtraField] {
        var extras: [ExtraField] = []
        for pair in pairs {
            guard let key = keyText(pair.key), !consumed.contains(key) else { continue }
            // A boolean-looking key was already reported as an error in init.
            let isBooleanKey = pair.key.scalar?.style == .plain && pair.key.boolValue != nil
            let location = context.location(of: pair.key)
            extras.append(ExtraField(key: key, value: pair.value.jsonValue, location: location))
            var message = "unknown key '\(key)' in '\(path.isEmpty ? "(top level)" : path)'"
            let known = consumed.subtracting(extras.map(\.key))
            if let suggestion = closestKey(to: key, in: known.sorted()) {
                message += "; did you mean '\(suggestion)'?"
            }
            if let note { message += " (\(note))" }
            if !isBooleanKey { context.warning(message, at: pair.key) }
        }
        return extras
    }

    private func pair(_ key: String) -> YAMLPair? {
        pairs.first { keyText($0.key) == key }
    }

    private func keyText(_ node: YAMLNode) -> String? {
        node.scalar?.text
    }
}

private let laxBools: [String: Bool] = [
    "true": true, "false": false, "yes": true, "no": false, "on": true, "off": false,
    "1": true, "0": false, "t": true, "f": false, "y": true, "n": false,
]

/// A short description of a node for messages: `a list`, `the integer 3`, `null`.
func describe(_ node: YAMLNode) -> String {
    switch node.kind {
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .scalar(let scalar):
        guard scalar.style == .plain, let type = node.implicitType else { return "the string \"\(scalar.text)\"" }
        switch type {
        case .null: return "null"
        case .string: return "the string \"\(scalar.text)\""
        default: return "\(typeName(type)) \(scalar.text)"
        }
    }
}

private func typeName(_ type: YAMLNode.ImplicitType) -> String {
    switch type {
    case .null: "null"
    case .bool: "the boolean"
    case .int: "the integer"
    case .float: "the number"
    case .string: "the string"
    }
}

/// The known key nearest to a misspelt one, when it is close enough to be a likely typo.
func closestKey(to key: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= max(1, min(3, key.count / 3)) }
    return scored.min { $0.1 < $1.1 }?.0
}

private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

extension YAMLNode {
    /// The node as generic JSON data, resolving plain scalars the way PyYAML would.
    var jsonValue: JSONValue {
        switch kind {
        case .sequence(let items): return .array(items.map(\.jsonValue))
        case .mapping(let pairs): return .object(pairs.map { (key: $0.key.scalar?.text ?? "?", value: $0.value.jsonValue) })
        case .scalar(let scalar):
            switch implicitType {
            case .null: return .null
            case .bool: return boolValue.map(JSONValue.bool) ?? .string(scalar.text)
            case .int: return intValue.map(JSONValue.integer) ?? .string(scalar.text)
            case .float: return doubleValue.map(JSONValue.number) ?? .string(scalar.text)
            case .string, nil: return .string(scalar.text)
            }
        }
    }
}
