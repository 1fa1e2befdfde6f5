public import AWPCore
public import AWPWorkflow
internal import Foundation

/// Draws a workflow's graph as Mermaid, Graphviz dot, JSON or the reference's ASCII levels.
public enum Visualizer {
    /// The output formats of `awp visualize`.
    public enum Format: String, Sendable, CaseIterable {
        case mermaid, dot, json, ascii
    }

    public static func render(_ manifest: WorkflowManifest, format: Format) -> String {
        switch format {
        case .mermaid: mermaid(manifest)
        case .dot: dot(manifest)
        case .json: json(manifest).serialized(pretty: true)
        case .ascii: ascii(manifest)
        }
    }

    /// The reference's shape (digest §F.2): `graph TD`, then each node followed by its incoming edges.
    /// A delegation loop, which has no graph, is drawn as its manager.
    public static func mermaid(_ manifest: WorkflowManifest) -> String {
        var lines = ["graph TD"]
        let graph = manifest.orchestration?.graph ?? []
        for node in graph {
            let label = node.isEnabled ? node.id : "\(node.id) [disabled]"
            lines.append(node.isLooping ? "    \(node.id)((\(label)))" : "    \(node.id)[\(label)]")
            for dependency in node.dependsOn {
                if dependency.isConditional {
                    lines.append("    \(dependency.agent) -->|\(dependency.condition)| \(node.id)")
                } else {
                    lines.append("    \(dependency.agent) --> \(node.id)")
                }
            }
        }
        if graph.isEmpty, let manager = managerName(manifest) {
            lines.append("    \(manager){{\(manager)}}")
            lines.append("    \(manager) -.->|delegates| workers[workers]")
        }
        return lines.joined(separator: "\n")
    }

    public static func dot(_ manifest: WorkflowManifest) -> String {
        var lines = ["digraph \(quoted(manifest.workflow.name)) {", "    rankdir=TB;", "    node [shape=box];"]
        let graph = manifest.orchestration?.graph ?? []
        for node in graph {
            var attributes = ["label=\(quoted(node.isEnabled ? node.id : "\(node.id) [disabled]"))"]
            if node.isLooping { attributes.append("shape=ellipse") }
            if !node.isEnabled { attributes.append("style=dashed") }
            lines.append("    \(quoted(node.id)) [\(attributes.joined(separator: ", "))];")
        }
        for node in graph {
            for dependency in node.dependsOn {
                var edge = "    \(quoted(dependency.agent)) -> \(quoted(node.id))"
                if dependency.isConditional {
                    let label = dependency.when.map { "\(dependency.condition): \($0)" } ?? dependency.condition
                    edge += " [label=\(quoted(label))]"
                }
                lines.append(edge + ";")
            }
        }
        if graph.isEmpty, let manager = managerName(manifest) {
            lines.append("    \(quoted(manager)) [shape=hexagon];")
            lines.append("    \(quoted(manager)) -> \"workers\" [style=dashed, label=\"delegates\"];")
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    public static func json(_ manifest: WorkflowManifest) -> JSONValue {
        let graph = manifest.orchestration?.graph ?? []
        let nodes: [JSONValue] = graph.map { node in
            [
                "id": .string(node.id),
                "enabled": .bool(node.isEnabled),
                "loop": .bool(node.isLooping),
                "when": node.when.map(JSONValue.string) ?? .null,
            ]
        }
        var edges: [JSONValue] = []
        for node in graph {
            for dependency in node.dependsOn {
                edges.append(
                    [
                        "from": .string(dependency.agent),
                        "to": .string(node.id),
                        "condition": dependency.isConditional ? .string(dependency.condition) : .null,
                        "when": dependency.when.map(JSONValue.string) ?? .null,
                    ]
                )
            }
        }
        let levels = GraphRules.levels(graph).map { JSONValue.array($0.map(JSONValue.string)) }
        return [
            "workflow": .string(manifest.workflow.name),
            "engine": .string(manifest.orchestration?.engine ?? "dag"),
            "manager": managerName(manifest).map(JSONValue.string) ?? .null,
            "nodes": .array(nodes),
            "edges": .array(edges),
            "levels": .array(levels),
        ]
    }

    /// One line per topological level, as the reference's default output.
    public static func ascii(_ manifest: WorkflowManifest) -> String {
        let graph = manifest.orchestration?.graph ?? []
        guard !graph.isEmpty else { return "(empty graph)" }
        return GraphRules.levels(graph).enumerated().map { index, level in
            "  Level \(index): [\(level.joined(separator: ", "))]" + (level.count > 1 ? "  <- parallel" : "")
        }.joined(separator: "\n")
    }

    private static func managerName(_ manifest: WorkflowManifest) -> String? {
        guard let orchestration = manifest.orchestration, orchestration.isDelegationLoop else { return nil }
        let path = orchestration.delegationLoop?.manager ?? ""
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        return name.isEmpty ? "manager" : name
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
