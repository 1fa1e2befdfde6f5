import AWPCore
import Foundation

/// The manager's and workers' prompts. They state the real rules of the run (what tools exist,
/// whether tool creation and sub-managers are available, what budget is left) and never contain a
/// secret value: only secret names.
enum DelegationPrompts {
    static func managerSystem(settings: DelegationSettings, context: RunContext, maxDepth: Int?, isSubmanager: Bool) -> String {
        var lines: [String] = []
        if let instructions = settings.managerInstructions, !instructions.isEmpty {
            lines += [instructions, ""]
        }
        lines += [
            "You are the \(isSubmanager ? "sub-manager" : "manager") of an AWP delegation loop.",
            "Each turn, decide exactly one thing: delegate work to workers, complete with the final result, or fail.",
            "Use the delegate / complete / fail tools, or reply with exactly one JSON object:",
            #"{"decision":"delegate","reasoning":"…","delegations":[{"worker_id":"snake_case","instructions":"…","tools_allowed":["code.execute","file.read"],"output_contract":{"required_fields":["summary"]}}]}"#,
            #"{"decision":"complete","reasoning":"…","final_result":{"summary":"…","confidence":0.9}}"#,
            #"{"decision":"fail","reason":"…"}"#,
            "",
            "Workers run a tool loop with: code.execute (Python 3 in a sandbox; inputs in /workspace/inputs; "
                + "write results to /workspace/output), file.read, file.write, file.list. Workers see the task and inputs; "
                + "give each precise instructions and say which files to write.",
        ]
        if settings.toolCreationAllowed {
            lines.append("Tool creation: allowed in namespaces: " + settings.namespaceSummaries.joined(separator: "; ")
                + ". Set codemode {\"tool_creation\": true, \"tool_creation_namespace\": NAME} on an envelope to let "
                + "its worker create reusable tools there.")
        } else {
            lines.append("Tool creation: not available in this workflow.")
        }
        let depth = context.depth
        if let maxDepth, depth < maxDepth {
            lines.append("Sub-managers: allowed (depth \(depth) of \(maxDepth)). Set \"as_submanager\": true on an envelope "
                + "to give a whole sub-question its own delegation loop with part of the budget.")
        } else {
            lines.append("Sub-managers: not available (depth \(depth) of \(maxDepth.map(String.init) ?? "1")).")
        }
        if settings.planningEnabled {
            lines.append(#"Planning: you may reply {"decision":"plan","subtasks":[{"id","description","dependencies":[]}]} first."#)
        }
        if !context.secretNames.isEmpty {
            lines.append("Secrets configured for tools (names only; values are never shown): "
                + context.secretNames.joined(separator: ", "))
        }
        if !context.skillsCatalog.isEmpty { lines += ["", context.skillsCatalog] }
        return lines.joined(separator: "\n")
    }

    static func managerUser(task: String, context: RunContext, iteration: Int, history: [IterationRecord],
                            budget: String, notes: [String]) -> String {
        var sections = ["## Task\n\(task)"]
        if !context.inputsSection.isEmpty { sections.append(context.inputsSection) }
        sections.append("## Iteration \(iteration)\nBudget: \(budget)")
        if history.isEmpty {
            sections.append("## History\nNo workers have run yet.")
        } else {
            var text = "## History"
            for record in history.suffix(6) {
                text += "\nIteration \(record.iteration): \(record.decision)"
                if !record.results.isEmpty {
                    text += "\nWorker results:"
                    for result in record.results {
                        let confidence = result.confidence.map { String(format: "%.2f", $0) } ?? "?"
                        text += "\n- \(result.worker) (\(result.status), confidence \(confidence)): \(result.summary)"
                    }
                }
            }
            sections.append(text)
        }
        if !notes.isEmpty { sections.append("## Notes\n" + notes.map { "- \($0)" }.joined(separator: "\n")) }
        sections.append("## Output files\n" + context.outputListing())
        return sections.joined(separator: "\n\n")
    }

    static func workerSystem(envelope: Envelope, toolNamespace: String?, namespaceSummary: String?, skills: String) -> String {
        var lines = [
            "You are worker '\(envelope.workerID)' in an AWP delegation loop.",
            "Do the work with tools; never invent results or write placeholder files. Inputs are in /workspace/inputs; "
                + "write every deliverable under /workspace/output.",
            "", "## Instructions", envelope.instructions,
        ]
        if let toolNamespace {
            lines += ["", "## Tool creation",
                      "You may create tools with tool.create in namespace '\(toolNamespace)'"
                        + (namespaceSummary.map { " (\($0))" } ?? "")
                        + ". Name them \(toolNamespace).<action>; the code defines `def handler(*, ...)` returning a dict. "
                        + "After creation, call the tool by its name."]
        }
        if !skills.isEmpty { lines += ["", "## Domain Knowledge", skills] }
        var output = "Reply with ONE JSON object: {\"summary\": \"what you found\", \"files\": [\"output/…\"], \"confidence\": 0.0-1.0"
        for field in envelope.requiredFields where !["summary", "files", "confidence"].contains(field) {
            output += ", \"\(field)\": …"
        }
        output += "}. Respond ONLY with the JSON object."
        lines += ["", "## Output", output]
        return lines.joined(separator: "\n")
    }

    static func workerUser(task: String, context: RunContext) -> String {
        var sections = ["## Task\n\(task)"]
        if !context.inputsSection.isEmpty { sections.append(context.inputsSection) }
        sections.append("## Workspace output files\n" + context.outputListing())
        return sections.joined(separator: "\n\n")
    }
}

/// What one iteration did, as later iterations of the manager see it.
struct IterationRecord: Sendable {
    var iteration: Int
    var decision: String
    var results: [WorkerReport] = []
    var confidence: Double?
}

/// A worker's (or sub-manager's) result, validated.
struct WorkerReport: Sendable {
    var worker: String
    var status: String
    var confidence: Double?
    var summary: String
    var result: JSONValue
}
