internal import AWPCore
internal import AWPWorkflow

/// Output contracts (R17) and the fields agents share with each other (R8).
enum ContractRules {
    static func check(agents: [String: AgentDefinition], orchestration: Orchestration?) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (name, agent) in agents.sorted(by: { $0.key < $1.key }) {
            let file = "agents/\(name)/\(WorkflowLoader.agentFileName)"
            diagnostics += confidence(of: agent, name: name, file: file)
        }
        guard let orchestration else { return diagnostics }
        for node in orchestration.graph {
            for (source, fields) in node.shareInput {
                let location = node.locations["share_input"]
                guard let producer = agents[source] else {
                    diagnostics.append(
                        .error(rule: "R8", "Agent '\(node.id)' share_input references unknown agent '\(source)'", at: location)
                    )
                    continue
                }
                for field in fields {
                    guard let declared = producer.output.field(field) else {
                        diagnostics.append(
                            .error(
                                rule: "R8",
                                "Agent '\(node.id)' requests field '\(field)' from '\(source)', but it's not in the output contract",
                                at: location
                            )
                        )
                        continue
                    }
                    if !declared.isShareable {
                        diagnostics.append(
                            .error(
                                rule: "R8",
                                "Agent '\(node.id)' requests field '\(field)' from '\(source)', but it's not marked as shareable",
                                at: location
                            )
                        )
                    }
                }
            }
        }
        return diagnostics
    }

    /// R17: a JSON agent's contract needs a numeric `confidence` in [0, 1]. Text and markdown
    /// agents need none (the reference's contract pass wrongly demands it of them too).
    private static func confidence(of agent: AgentDefinition, name: String, file: String) -> [Diagnostic] {
        guard agent.output.format == "json" else { return [] }
        let outputLocation = agent.locations["output"] ?? SourceLocation(file: file)
        guard let field = agent.output.field("confidence") else {
            return [
                .error(
                    rule: "R17",
                    "Agent '\(name)' output.contract must include a 'confidence' field (type: number, 0.0 to 1.0)",
                    at: agent.output.locations["contract"] ?? outputLocation
                )
            ]
        }
        var diagnostics: [Diagnostic] = []
        if field.type != "number" {
            diagnostics.append(
                .error(
                    rule: "R17",
                    "Agent '\(name)' confidence field must have type 'number', got '\(field.type)'",
                    at: field.locations["type"]
                )
            )
        }
        if let minimum = field.minimum, minimum != 0.0 {
            diagnostics.append(
                .warning(rule: "R17", "Agent '\(name)' confidence minimum should be 0.0", at: field.locations["minimum"])
            )
        }
        if let maximum = field.maximum, maximum != 1.0 {
            diagnostics.append(
                .warning(rule: "R17", "Agent '\(name)' confidence maximum should be 1.0", at: field.locations["maximum"])
            )
        }
        return diagnostics
    }
}
