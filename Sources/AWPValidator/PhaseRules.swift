internal import AWPCore
internal import AWPWorkflow
internal import Foundation

/// R33: deterministic phases (`orchestration.phases`) are well formed and never reach an LLM.
enum PhaseRules {
    static let types = ["llm", "deterministic", "hybrid"]
    static let forbiddenModules = ["awp.runtime.llm", "openai", "anthropic", "langchain"]
    static let forbiddenTokens: Set<String> = ["llm", "openai", "anthropic", "langchain"]
    /// Invariant kinds and the fields each one needs.
    static let invariantFields: [String: [String]] = [
        "file_exists": ["path"],
        "file_size_range": ["path", "min_bytes", "max_bytes"],
        "regex_absent": ["path", "pattern"],
        "regex_present": ["path", "pattern"],
        "exit_code": ["expected"],
        "python_predicate": ["module", "function"],
    ]

    static func check(_ orchestration: Orchestration, root: URL) -> [Diagnostic] {
        guard let phases = orchestration.phases else { return [] }
        var diagnostics: [Diagnostic] = []
        let known = Set(orchestration.graph.map(\.id) + phases.compactMap(\.id))
        for phase in phases {
            let at = phase.location
            guard types.contains(phase.type) else {
                diagnostics.append(
                    .error(
                        rule: "R33",
                        "orchestration.phases[\(phase.index)] has unknown type '\(phase.type)'. Valid: llm | deterministic | hybrid",
                        at: phase.locations["type"] ?? at
                    )
                )
                continue
            }
            guard phase.type == "deterministic" else { continue }
            let name = phase.id ?? "phases[\(phase.index)]"
            if phase.id == nil {
                diagnostics.append(.error(rule: "R33", "deterministic phase \(name) needs an 'id'", at: at))
            }
            diagnostics += invariantChecks(phase, name: name)
            let callable = phase.value["callable"]?.stringValue ?? ""
            if !isCallableReference(callable) {
                diagnostics.append(
                    .error(
                        rule: "R33",
                        "deterministic phase '\(name)' callable '\(callable)' must be 'module.path:function_name'",
                        at: phase.locations["callable"] ?? at
                    )
                )
            } else {
                diagnostics += purityChecks(callable: callable, phase: name, root: root, at: phase.locations["callable"] ?? at)
            }
            for key in ["timeout_s", "max_wall_time_s"] {
                guard let value = phase.value[key], !value.isNull else { continue }
                // pydantic reads "10" as 10, so a quoted number is read the same way here.
                let number = value.doubleValue ?? value.stringValue.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                if let number, number.rounded() == number, (1...3600).contains(number) { continue }
                let shown = number.map { $0.rounded() == $0 && abs($0) < 1e15 ? String(Int($0)) : String($0) } ?? value.serialized()
                diagnostics.append(
                    .error(
                        rule: "R33",
                        "deterministic phase '\(name)' \(key)=\(shown) must be in [1, 3600]",
                        at: phase.locations[key] ?? at
                    )
                )
            }
            for dependency in phase.value["depends_on"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !known.contains(dependency) {
                diagnostics.append(
                    .error(
                        rule: "R33",
                        "deterministic phase '\(name)' depends_on '\(dependency)' does not resolve to any graph node or phase",
                        at: phase.locations["depends_on"] ?? at
                    )
                )
            }
        }
        diagnostics += cycleChecks(phases)
        return diagnostics
    }

    static func isCallableReference(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        func isIdentifier(_ s: Substring, allowDots: Bool) -> Bool {
            guard let first = s.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
            return s.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) || (allowDots && $0 == ".") }
        }
        return isIdentifier(parts[0], allowDots: true) && isIdentifier(parts[1], allowDots: false)
    }

    private static func invariantChecks(_ phase: PhaseDefinition, name: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (index, invariant) in (phase.value["invariants"]?.arrayValue ?? []).enumerated() {
            let at = phase.locations["invariants"] ?? phase.location
            let kind = invariant["kind"]?.stringValue ?? ""
            guard let fields = invariantFields[kind] else {
                diagnostics.append(
                    .error(
                        rule: "R33",
                        "deterministic phase '\(name)' has invalid invariants: invariants[\(index)].kind '\(kind)' must be one of "
                            + pythonList(invariantFields.keys.sorted()),
                        at: at
                    )
                )
                continue
            }
            for field in fields where invariant[field] == nil || invariant[field]!.isNull {
                diagnostics.append(
                    .error(
                        rule: "R33",
                        "deterministic phase '\(name)' has invalid invariants: invariant kind '\(kind)' requires '\(field)'",
                        at: at
                    )
                )
            }
            if kind == "file_size_range", let low = invariant["min_bytes"]?.doubleValue, let high = invariant["max_bytes"]?.doubleValue,
                low < 0 || high < 0 || low > high
            {
                diagnostics.append(
                    .error(rule: "R33", "deterministic phase '\(name)' file_size_range needs 0 <= min_bytes <= max_bytes", at: at)
                )
            }
        }
        return diagnostics
    }

    /// Reads the callable's module from the workflow directory and refuses LLM imports.
    private static func purityChecks(callable: String, phase: String, root: URL, at: SourceLocation) -> [Diagnostic] {
        let module = String(callable.prefix { $0 != ":" })
        let path = module.replacingOccurrences(of: ".", with: "/")
        let candidates = ["\(path).py", "\(path)/__init__.py"]
        guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }),
            let data = FileManager.default.contents(atPath: root.appendingPathComponent(file).path)
        else {
            return [
                .warning(
                    rule: "R33",
                    "deterministic phase '\(phase)' callable module '\(module)' is not in the workflow directory; "
                        + "purity check deferred to runtime",
                    at: at
                )
            ]
        }
        var diagnostics: [Diagnostic] = []
        for imported in importedModules(String(decoding: data, as: UTF8.self)) {
            if forbiddenModules.contains(where: { imported == $0 || imported.hasPrefix($0 + ".") }) {
                diagnostics.append(
                    .error(
                        rule: "R33",
                        "deterministic phase '\(phase)' callable '\(callable)' imports forbidden module '\(imported)' (source: \(file))",
                        at: at
                    )
                )
            } else if imported.split(separator: ".").contains(where: { component in
                component.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" }).contains { forbiddenTokens.contains(String($0)) }
            }) {
                diagnostics.append(
                    .error(
                        rule: "R33",
                        "deterministic phase '\(phase)' callable '\(callable)' imports module '\(imported)' matching "
                            + "forbidden LLM-token pattern (llm|openai|anthropic|langchain); source: \(file)",
                        at: at
                    )
                )
            }
        }
        return diagnostics
    }

    /// Module names from `import a.b, c` and `from a.b import x` lines.
    static func importedModules(_ source: String) -> [String] {
        var modules: [String] = []
        for line in source.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("import ") {
                for part in trimmed.dropFirst(7).split(separator: ",") {
                    if let name = part.split(separator: " ").first { modules.append(String(name)) }
                }
            } else if trimmed.hasPrefix("from "), let name = trimmed.dropFirst(5).split(separator: " ").first, !name.hasPrefix(".") {
                modules.append(String(name))
            }
        }
        return modules
    }

    /// Phases that depend on each other in a ring (the reference does not look).
    private static func cycleChecks(_ phases: [PhaseDefinition]) -> [Diagnostic] {
        var edges: [String: [String]] = [:]
        for phase in phases { if let id = phase.id { edges[id] = phase.value["depends_on"]?.arrayValue?.compactMap(\.stringValue) ?? [] } }
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var reported: Set<String> = []
        var diagnostics: [Diagnostic] = []
        func visit(_ id: String, path: [String]) {
            if state[id] == 2 { return }
            if state[id] == 1 {
                let cycle = Array(path[(path.firstIndex(of: id) ?? 0)...])
                if reported.insert(cycle.sorted().joined(separator: ",")).inserted {
                    let at = phases.first { $0.id == id }.map { $0.locations["depends_on"] ?? $0.location }
                    diagnostics.append(
                        .error(rule: "R33", "deterministic phases form a cycle: \((cycle + [id]).joined(separator: " -> "))", at: at)
                    )
                }
                return
            }
            state[id] = 1
            for next in edges[id] ?? [] where edges[next] != nil { visit(next, path: path + [id]) }
            state[id] = 2
        }
        for phase in phases { if let id = phase.id { visit(id, path: []) } }
        return diagnostics
    }
}
