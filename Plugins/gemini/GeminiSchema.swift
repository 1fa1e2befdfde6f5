import AWPCore

/// Turns a JSON Schema into the OpenAPI-subset `Schema` that Gemini accepts for `responseSchema` and
/// function `parameters`.
///
/// Gemini answers 400 to keywords outside its subset (`additionalProperties`, `$schema`, `$ref`,
/// `oneOf`, `const`, most `format`s …), so the schema is rebuilt from the keywords it knows:
/// local `$ref`s are inlined, `type: [T, "null"]` becomes `nullable`, `oneOf` becomes `anyOf`,
/// `const` becomes a one-value `enum`, `allOf` members are merged, and anything else is dropped.
/// Dropping only loosens the schema; the reply is still JSON of the intended shape in practice.
enum GeminiSchema {
    /// Keywords copied as they are (after their values are cleaned where they hold schemas).
    static let kept: Set<String> = [
        "type", "format", "title", "description", "nullable", "enum", "items", "properties", "required", "anyOf",
        "minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "propertyOrdering",
    ]
    /// The `format`s Gemini accepts, by type; others are rejected with a 400.
    static let formats: [String: Set<String>] = [
        "string": ["enum", "date-time"], "integer": ["int32", "int64"], "number": ["float", "double"],
    ]
    /// `$ref` chains deeper than this are cut off (a recursive schema would otherwise never end).
    static let maximumDepth = 16

    /// The Gemini form of `schema`.
    static func clean(_ schema: JSONValue) -> JSONValue {
        var definitions: [String: JSONValue] = [:]
        for key in ["$defs", "definitions"] {
            for (name, value) in schema[key]?.objectValue ?? [] { definitions["#/\(key)/\(name)"] = value }
        }
        return clean(schema, definitions: definitions, depth: 0)
    }

    private static func clean(_ schema: JSONValue, definitions: [String: JSONValue], depth: Int) -> JSONValue {
        guard case .object = schema, depth < maximumDepth else { return [:] }
        let schema = flatten(schema, definitions: definitions, depth: depth)
        var result: [(key: String, value: JSONValue)] = []
        var nullable = schema["nullable"]?.boolValue ?? false
        var type = schema["type"]
        if case .array(let types) = type {
            let named = types.compactMap(\.stringValue)
            nullable = nullable || named.contains("null")
            let concrete = named.filter { $0 != "null" }
            type = concrete.count == 1 ? .string(concrete[0]) : nil
            if concrete.count > 1 { result.append(("anyOf", .array(concrete.map { ["type": .string($0)] }))) }
        }
        if let type { result.append(("type", type)) }
        if nullable { result.append(("nullable", true)) }
        for (key, value) in schema.objectValue ?? [] where kept.contains(key) && key != "type" && key != "nullable" {
            switch key {
            case "properties":
                let properties = (value.objectValue ?? []).map { property in
                    (key: property.key, value: clean(property.value, definitions: definitions, depth: depth + 1))
                }
                if !properties.isEmpty { result.append((key, .object(properties))) }
            case "items":
                let item = value.arrayValue?.first ?? value
                result.append((key, clean(item, definitions: definitions, depth: depth + 1)))
            case "anyOf":
                result.append((key, .array((value.arrayValue ?? []).map { clean($0, definitions: definitions, depth: depth + 1) })))
            case "required":
                let known = Set((schema["properties"]?.objectValue ?? []).map(\.key))
                let required = (value.arrayValue ?? []).filter { $0.stringValue.map(known.contains) ?? false }
                if !required.isEmpty { result.append((key, .array(required))) }
            case "enum":
                // Gemini enums are strings only; a numeric enum is left to the type.
                if let values = value.arrayValue, values.allSatisfy({ $0.stringValue != nil }) { result.append((key, value)) }
            case "format":
                if let format = value.stringValue, let type = type?.stringValue, formats[type]?.contains(format) == true {
                    result.append((key, value))
                }
            default:
                result.append((key, value))
            }
        }
        if let variants = schema["oneOf"]?.arrayValue, schema["anyOf"] == nil {
            result.append(("anyOf", .array(variants.map { clean($0, definitions: definitions, depth: depth + 1) })))
        }
        if let constant = schema["const"]?.stringValue, schema["enum"] == nil {
            if type == nil { result.append(("type", "string")) }
            result.append(("enum", [.string(constant)]))
        }
        return .object(result)
    }

    /// `schema` with a `$ref` replaced by its (local) target and `allOf` members merged in.
    private static func flatten(_ schema: JSONValue, definitions: [String: JSONValue], depth: Int) -> JSONValue {
        guard depth < maximumDepth else { return [:] }
        var schema = schema
        if let reference = schema["$ref"]?.stringValue {
            let target = definitions[reference].map { flatten($0, definitions: definitions, depth: depth + 1) } ?? [:]
            schema = merge(target, removing("$ref", from: schema))
        }
        if let members = schema["allOf"]?.arrayValue {
            schema = removing("allOf", from: schema)
            for member in members { schema = merge(schema, flatten(member, definitions: definitions, depth: depth + 1)) }
        }
        return schema
    }

    private static func removing(_ key: String, from schema: JSONValue) -> JSONValue {
        .object((schema.objectValue ?? []).filter { $0.key != key })
    }

    /// `base` with `extra`'s members added: properties and required lists are combined, other keys
    /// taken from `extra` unless `base` has them.
    private static func merge(_ base: JSONValue, _ extra: JSONValue) -> JSONValue {
        var members = base.objectValue ?? []
        for (key, value) in extra.objectValue ?? [] {
            guard let position = members.firstIndex(where: { $0.key == key }) else {
                members.append((key, value))
                continue
            }
            switch (key, members[position].value, value) {
            case ("properties", .object(let mine), .object(let theirs)):
                members[position].value = .object(mine + theirs.filter { pair in !mine.contains { $0.key == pair.key } })
            case ("required", .array(let mine), .array(let theirs)):
                members[position].value = .array(mine + theirs.filter { !mine.contains($0) })
            default:
                break
            }
        }
        return .object(members)
    }
}
