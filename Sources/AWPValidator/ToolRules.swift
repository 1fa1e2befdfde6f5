internal import AWPCore
internal import AWPWorkflow
internal import Foundation

/// R15: custom tools in `mcp/` and `tools/` may not claim a reserved namespace, and each name is defined once.
///
/// The reference only reads top-level files and only the exact form `@app.tool("x.y")`; here every
/// `.py` file below those folders is read and any `@<name>.tool("x.y", ...)` decorator counts.
enum ToolRules {
    /// Built-in tools a workflow may override with its own implementation.
    static let overridableBuiltins: Set<String> = [
        "web.search", "http.request", "file.read", "file.write", "file.list", "shell.execute", "terminal.execute",
        "memory.read", "memory.write", "memory.search", "memory.curate", "agent.send_message",
        "agent.list_messages", "arithmetic.add", "arithmetic.subtract", "arithmetic.multiply", "arithmetic.divide",
    ]

    /// One `@x.tool("name")` decorator found in a source file.
    struct Declaration {
        var name: String
        var file: String
        var line: Int
        var column: Int
    }

    static func check(root: URL) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var firstDefinition: [String: Declaration] = [:]
        for declaration in declarations(root: root) {
            let location = SourceLocation(file: declaration.file, line: declaration.line, column: declaration.column)
            let namespace = String(declaration.name.prefix { $0 != "." })
            if AWPFormat.reservedToolNamespaces.contains(namespace), !overridableBuiltins.contains(declaration.name) {
                let base = (declaration.file as NSString).lastPathComponent
                diagnostics.append(
                    .error(
                        rule: "R15",
                        "Custom tool '\(declaration.name)' in \(base) uses reserved namespace '\(namespace)'",
                        at: location
                    )
                )
            }
            if let first = firstDefinition[declaration.name] {
                diagnostics.append(
                    .error(
                        rule: "R15",
                        "Custom tool '\(declaration.name)' is defined twice (first at \(first.file):\(first.line)); "
                            + "tool names must be unique",
                        at: location
                    )
                )
            } else {
                firstDefinition[declaration.name] = declaration
            }
        }
        return diagnostics
    }

    static func declarations(root: URL) -> [Declaration] {
        var result: [Declaration] = []
        for folder in ["mcp", "tools"] {
            let base = root.appendingPathComponent(folder, isDirectory: true)
            guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { continue }
            let files = (enumerator.allObjects as? [String] ?? []).filter { $0.hasSuffix(".py") }.sorted()
            for relative in files {
                guard let data = FileManager.default.contents(atPath: base.appendingPathComponent(relative).path) else { continue }
                let text = String(decoding: data, as: UTF8.self)
                result += scan(text, file: "\(folder)/\(relative)")
            }
        }
        return result
    }

    /// Finds `@<identifier>.tool(` followed by a quoted name on each line.
    static func scan(_ text: String, file: String) -> [Declaration] {
        var result: [Declaration] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard trimmed.first == "@", let toolRange = trimmed.range(of: ".tool(") else { continue }
            let owner = trimmed[trimmed.index(after: trimmed.startIndex)..<toolRange.lowerBound]
            guard !owner.isEmpty, owner.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { continue }
            var rest = trimmed[toolRange.upperBound...].drop { $0 == " " }
            if rest.hasPrefix("name=") { rest = rest.dropFirst(5) }
            guard let quote = rest.first, quote == "\"" || quote == "'" else { continue }
            let name = rest.dropFirst().prefix { $0 != quote }
            guard !name.isEmpty, rest.dropFirst(name.count + 1).first == quote else { continue }
            let column = line.distance(from: line.startIndex, to: trimmed.startIndex) + 1
            result.append(Declaration(name: String(name), file: file, line: index + 1, column: column))
        }
        return result
    }
}
