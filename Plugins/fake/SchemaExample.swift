import AWPCore
import Foundation

/// A small deterministic value that satisfies common JSON Schemas: what the fake provider answers
/// when asked for structured output, so output contracts hold without a real model.
///
/// Covers `type` (also as an array), `enum`, `const`, `default`, `properties` + `required`,
/// `items` + `minItems`, `minLength`, `minimum`, `anyOf`/`oneOf` (first branch) and local `$ref`s.
struct SchemaExample {
    let root: JSONValue

    func value(for schema: JSONValue, depth: Int = 0) -> JSONValue {
        guard depth < 32 else { return .null }
        if let reference = schema["$ref"]?.stringValue, let target = resolve(reference) {
            return value(for: target, depth: depth + 1)
        }
        if let constant = schema["const"] { return constant }
        if let first = schema["enum"]?.arrayValue?.first { return first }
        if let example = schema["default"] { return example }
        if let branch = (schema["anyOf"] ?? schema["oneOf"])?.arrayValue?.first { return value(for: branch, depth: depth + 1) }
        let type = schema["type"]?.stringValue ?? schema["type"]?.arrayValue?.first { $0 != "null" }?.stringValue
            ?? (schema["properties"] != nil ? "object" : "string")
        switch type {
        case "object":
            var members: [(key: String, value: JSONValue)] = []
            // Every property, not only the required ones: reports read better with all fields present.
            for (name, property) in schema["properties"]?.objectValue ?? [] {
                members.append((name, value(for: property, depth: depth + 1)))
            }
            return .object(members)
        case "array":
            let count = max(schema["minItems"]?.intValue ?? 1, 0)
            let item = schema["items"] ?? [:]
            return .array((0..<count).map { _ in value(for: item, depth: depth + 1) })
        case "integer":
            return .integer(schema["minimum"]?.intValue ?? 0)
        case "number":
            return .number(schema["minimum"]?.doubleValue ?? 0)
        case "boolean":
            return true
        case "null":
            return .null
        default:
            let minimum = schema["minLength"]?.intValue ?? 0
            let text = "example"
            return .string(text.count >= minimum ? text : text + String(repeating: "x", count: minimum - text.count))
        }
    }

    /// `#/definitions/x` or `#/$defs/x` inside the root schema.
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = root
        for part in reference.dropFirst(2).split(separator: "/") {
            node = node?[String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
        return node
    }
}
