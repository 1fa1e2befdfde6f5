import AWPCore
import AWPWorkflow
import Foundation

/// One run of a DAG agent (AWP's StandaloneAgent): its prompts from the agent directory, the
/// context it may see, a JSON answer shaped by its output schema (a tool loop when its capabilities
/// enable tools), and validation of that answer against the schema's required fields and the
/// contract, retried with feedback as `output.on_invalid: retry` asks.
struct AgentInvocation {
    var context: RunContext
    var agent: AgentDefinition
    var agentDirectory: String
    var workflowDirectory: String

    func run(nodeID: String, contextSection: String, stepPrefix: String, extraUser: String? = nil) async throws -> JSONValue {
        let system = systemPrompt()
        let schema = outputSchema()
        var user = [read("workflow/prompt/00_INTRO.md")]
        user += agent.prompt.additional.map { read("workflow/" + $0) }
        if !contextSection.isEmpty { user.append("## Context from Previous Agents\n\n" + contextSection) }
        if !context.inputsSection.isEmpty { user.append(context.inputsSection) }
        user.append(formatSection(schema))
        if let extraUser { user.append(extraUser) }
        user.append("## Task\n\n" + context.task)
        var messages: [ChatMessage] = [.system(system), .user(user.filter { !$0.isEmpty }.joined(separator: "\n\n"))]
        let responseFormat = schema.map { ResponseFormat.jsonSchema(name: agent.id, schema: $0, strict: false) }
        let tools = agent.capabilities?.tools
        let toolsEnabled = tools?.isEnabled == true && (tools?.maxCalls ?? 1) != 0
        let allowed = (tools?.allowed ?? []).isEmpty ? nil : tools?.allowed
        let wantsCode = toolsEnabled && (allowed?.contains { PolicyGate.matches($0, BuiltinTools.codeExecute) }
            ?? (agent.capabilities?.codemode?.isEnabled == true))
        let executor = wantsCode ? await context.executors.executor(for: "node-\(nodeID)", settings: context.workerSandbox) : nil
        let model = context.model(agent.model.name.isEmpty ? nil : agent.model.name)
        let maxTokens = agent.model.maxTokens ?? 4096
        let attempts = agent.output.onInvalid == "retry" ? max(0, agent.output.maxRetries) + 1 : 1
        var lastProblems: [String] = []
        var answer: JSONValue = .null
        for attempt in 0..<attempts {
            let prefix = "\(stepPrefix)/output-\(attempt)"
            let text: String
            if toolsEnabled {
                let caller = ToolCaller(runID: context.runID, depth: context.depth - 1, subject: nodeID, stepPrefix: prefix,
                                        iteration: nil, allowed: allowed, forbidden: tools?.denied ?? [], executor: executor,
                                        toolNamespace: nil, codeTimeoutSeconds: context.workerSandbox.snippetTimeoutSeconds,
                                        ledger: context.ledger, gate: context.gate, events: context.events)
                let loop = ToolLoop(context: context, caller: caller, model: model, temperature: agent.model.temperature,
                                    maxTokens: maxTokens, maxRounds: max(2, min(tools?.maxCalls ?? 10, 20) + 1),
                                    responseFormat: responseFormat)
                text = try await loop.run(messages).text
            } else {
                let request = LLMRequest(agent: nodeID, stepKey: prefix + "/llm", model: model, messages: messages,
                                         responseFormat: responseFormat, temperature: agent.model.temperature, maxTokens: maxTokens)
                text = try await context.models.generate(request, runID: context.runID, ledger: context.ledger,
                                                         events: context.events, depth: context.depth - 1).message.text
            }
            guard let parsed = LenientJSON.object(in: text) else {
                answer = ["result": .string(text), "confidence": 0, "_parse_failure": true]
                lastProblems = ["the reply is not a JSON object"]
                messages += [.assistant(text), .user("Reply with the JSON object only.")]
                continue
            }
            answer = parsed
            lastProblems = problems(in: parsed, schema: schema)
            if lastProblems.isEmpty { break }
            messages += [.assistant(text), .user("Your answer does not satisfy the output contract: "
                + lastProblems.joined(separator: "; ") + ". Reply with the corrected JSON object only.")]
        }
        if case .object(var pairs) = answer {
            if answer["confidence"] == nil { pairs.append((key: "confidence", value: 0.5)) }
            if !lastProblems.isEmpty { pairs.append((key: "_contract_violations", value: .array(lastProblems.map(JSONValue.string)))) }
            answer = .object(pairs)
        }
        return answer
    }

    // MARK: Prompts

    private func systemPrompt() -> String {
        var base = read(agent.prompt.system)
        if base.isEmpty { base = read("workflow/instructions/SYSTEM_PROMPT.md") }
        if base.isEmpty { base = "You are \(agent.role). \(agent.description)" }
        if !context.skillsCatalog.isEmpty { base += "\n\n---\n" + context.skillsCatalog }
        return base
    }

    private func outputSchema() -> JSONValue? {
        let path = agent.output.schema ?? "workflow/output_schema/output_schema.json"
        if let schema = try? JSONParser.parse(read(path)), schema.objectValue != nil {
            return schema
        }
        guard !agent.output.contract.isEmpty else { return nil }
        let properties = agent.output.contract.map { field -> (key: String, value: JSONValue) in
            (key: field.name, value: ["type": .string(field.type), "description": .string(field.description)])
        }
        let required = agent.output.contract.filter(\.isRequired).map { JSONValue.string($0.name) }
        return ["type": "object", "properties": .object(properties), "required": .array(required)]
    }

    private func formatSection(_ schema: JSONValue?) -> String {
        guard let properties = schema?["properties"]?.objectValue else { return "Respond ONLY with a JSON object." }
        let required = Set(schema?["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            .union(agent.output.contract.filter(\.isRequired).map(\.name))
        var lines = ["## Required Output Format", ""]
        for (name, property) in properties {
            let type = property["type"]?.stringValue ?? "any"
            let description = property["description"]?.stringValue ?? ""
            lines.append("- `\(name)` (\(type))\(required.contains(name) ? " (REQUIRED)" : ""): \(description)")
        }
        lines.append("\nRespond ONLY with the JSON object.")
        return lines.joined(separator: "\n")
    }

    /// Required fields missing or of the wrong JSON type, and contract bounds broken.
    func problems(in value: JSONValue, schema: JSONValue?) -> [String] {
        var problems: [String] = []
        let properties = schema?["properties"]
        var required = schema?["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        required += agent.output.contract.filter(\.isRequired).map(\.name).filter { !required.contains($0) }
        for name in required where value[name] == nil || value[name]?.isNull == true { problems.append("'\(name)' is missing") }
        for (name, field) in value.objectValue ?? [] {
            if let type = properties?[name]?["type"]?.stringValue, !Self.matches(field, type: type) {
                problems.append("'\(name)' should be \(type), not \(field.typeName)")
            }
            if let contract = agent.output.field(name), let number = field.doubleValue {
                if let minimum = contract.minimum, number < minimum { problems.append("'\(name)' is below \(minimum)") }
                if let maximum = contract.maximum, number > maximum { problems.append("'\(name)' is above \(maximum)") }
            }
        }
        return problems
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("array", .array), ("object", .object), ("null", .null): true
        case ("integer", .integer): true
        case ("integer", .number(let d)): d == d.rounded()
        case ("number", .integer), ("number", .number): true
        case (let other, _): !["string", "boolean", "array", "object", "null", "integer", "number"].contains(other)
        }
    }

    private func read(_ relative: String) -> String {
        guard !relative.isEmpty else { return "" }
        let path = relative.hasPrefix("/") ? relative : agentDirectory + "/" + relative
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else { return "" }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
