internal import AWPCore
internal import AWPWorkflow
internal import Foundation

/// The agent's JSON Schema files: `output_schema.json` (R18, R17) and `output_schema_desc.json` (R12).
///
/// The reference has these checks but its CLI never runs them; here they are part of `validate`.
/// Missing files are R11's business, so only files that exist are read.
enum SchemaFileRules {
    static let schemaPath = "workflow/output_schema/output_schema.json"
    static let descriptionPath = "workflow/output_schema_desc/output_schema_desc.json"

    static func check(root: URL, agentDirectory name: String, agent: AgentDefinition?) -> [Diagnostic] {
        let schemaFile = "agents/\(name)/\(schemaPath)"
        let descriptionFile = "agents/\(name)/\(descriptionPath)"
        var diagnostics: [Diagnostic] = []
        guard let schema = readJSON(root: root, file: schemaFile, into: &diagnostics) else { return diagnostics }
        let here = SourceLocation(file: schemaFile)
        guard schema.objectValue != nil else {
            return [.error("Schema must be a JSON object, got \(schema.typeName)", at: here)]
        }
        if let type = schema["type"]?.stringValue, type != "object" {
            diagnostics.append(.error(rule: "R18", "Root schema type must be 'object', got '\(type)'", at: here))
        } else if schema["type"] == nil {
            diagnostics.append(.error(rule: "R18", "Root schema type must be 'object' (no 'type' given)", at: here))
        }
        let properties = schema["properties"]?.objectValue ?? []
        if properties.isEmpty {
            diagnostics.append(.error("Schema 'properties' must not be empty", at: here))
        }
        if agent?.output.format ?? "json" == "json" && !properties.isEmpty {
            if let confidence = schema["properties"]?["confidence"] {
                if let type = confidence["type"]?.stringValue, type != "number" {
                    diagnostics.append(
                        .error(rule: "R17", "'confidence' must have type 'number', got '\(type)'", at: here)
                    )
                }
                if let minimum = confidence["minimum"]?.doubleValue, minimum != 0 {
                    diagnostics.append(.warning(rule: "R17", "'confidence' minimum should be 0.0", at: here))
                }
                if let maximum = confidence["maximum"]?.doubleValue, maximum != 1 {
                    diagnostics.append(.warning(rule: "R17", "'confidence' maximum should be 1.0", at: here))
                }
            } else {
                diagnostics.append(.error(rule: "R17", "Schema must include a 'confidence' field", at: here))
            }
            let required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if !required.contains("confidence") {
                diagnostics.append(.error(rule: "R17", "'confidence' must be in 'required' array", at: here))
            }
        }
        guard !properties.isEmpty,
            let descriptions = readJSON(root: root, file: descriptionFile, into: &diagnostics)
        else { return diagnostics }
        guard let described = descriptions.objectValue else {
            diagnostics.append(
                .error(
                    "Schema description must be a JSON object {field: description}, got \(descriptions.typeName)",
                    at: SourceLocation(file: descriptionFile)
                )
            )
            return diagnostics
        }
        let keys = Set(described.map(\.key))
        let missing = properties.map(\.key).filter { !keys.contains($0) }
        if !missing.isEmpty {
            diagnostics.append(
                .error(
                    rule: "R12",
                    "Missing descriptions for fields: \(pythonList(missing))",
                    at: SourceLocation(file: descriptionFile)
                )
            )
        }
        return diagnostics
    }

    /// Reads and parses a JSON file; nil when it does not exist or does not parse (reported).
    private static func readJSON(root: URL, file: String, into diagnostics: inout [Diagnostic]) -> JSONValue? {
        let url = root.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            diagnostics.append(.error("cannot read \(file)", at: SourceLocation(file: file)))
            return nil
        }
        do {
            return try JSONParser.parse(String(decoding: data, as: UTF8.self))
        } catch {
            diagnostics.append(
                .error("Invalid JSON: \(error.message)", at: SourceLocation(file: file, line: error.line, column: error.column))
            )
            return nil
        }
    }
}
