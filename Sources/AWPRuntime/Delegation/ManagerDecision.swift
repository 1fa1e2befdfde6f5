import AWPCore
import Foundation

/// One unit of work a manager hands out (AWP's delegation envelope).
struct Envelope: Sendable {
    var workerID: String
    var instructions: String
    var toolsAllowed: [String]?
    var outputContract: JSONValue?
    var codeEnabled: Bool
    var toolCreation: Bool
    var toolNamespace: String?
    var maxTools: Int
    var asSubmanager: Bool
    var budgetFraction: Double?
    var skills: [String]
    var temperature: Double?
    var freshWorker: Bool

    init?(json: JSONValue) {
        let id = (json["worker_id"] ?? json["id"] ?? json["worker"])?.stringValue ?? ""
        let instructions = (json["instructions"] ?? json["task"] ?? json["description"])?.stringValue ?? ""
        guard !instructions.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        workerID = Self.sanitize(id.isEmpty ? "worker" : id)
        self.instructions = instructions
        toolsAllowed = json["tools_allowed"]?.arrayValue?.compactMap(\.stringValue)
        outputContract = json["output_contract"]
        let codemode = json["codemode"]
        codeEnabled = codemode?["enabled"]?.boolValue ?? true
        toolCreation = codemode?["tool_creation"]?.boolValue ?? false
        toolNamespace = codemode?["tool_creation_namespace"]?.stringValue
        maxTools = codemode?["max_tools"]?.intValue ?? 10
        asSubmanager = json["as_submanager"]?.boolValue ?? false
        budgetFraction = json["submanager_budget_fraction"]?.doubleValue
        skills = json["skills"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let temperature = json["temperature"]?.doubleValue
        self.temperature = temperature.map { min(max($0, 0), 2) }
        freshWorker = json["fresh_worker"]?.boolValue ?? false
    }

    /// Fields an output contract requires: `{required_fields: [...]}` or `{field: {type, …}}`.
    var requiredFields: [String] {
        guard let contract = outputContract else { return [] }
        if let fields = contract["required_fields"]?.arrayValue { return fields.compactMap(\.stringValue) }
        return contract.objectValue?.filter { $0.value.objectValue != nil }.map(\.key) ?? []
    }

    /// Worker ids become step keys and executor names: keep them to `[a-z0-9_-]`, 64 characters.
    static func sanitize(_ id: String) -> String {
        let mapped = id.lowercased().map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" }
        let text = String(mapped.prefix(64))
        return text.isEmpty ? "worker" : text
    }
}

/// What a manager decided this iteration.
enum ManagerDecision: Sendable {
    case delegate(reasoning: String?, envelopes: [Envelope])
    case complete(reasoning: String?, result: JSONValue, confidence: Double)
    case fail(reason: String, partial: JSONValue?)
    case plan(reasoning: String?, subtasks: JSONValue)
    /// The output could not be understood; the text says why.
    case unparseable(String)

    var name: String {
        switch self {
        case .delegate: "delegate"
        case .complete: "complete"
        case .fail: "fail"
        case .plan: "plan"
        case .unparseable: "unparseable"
        }
    }

    /// The native decision tools offered to providers that support tool calling.
    static let tools: [ProviderTool] = [
        ProviderTool(name: "delegate", description: "Hand work to workers (or sub-managers) this iteration.", inputSchema: [
            "type": "object",
            "properties": [
                "reasoning": ["type": "string"],
                "delegations": ["type": "array", "items": [
                    "type": "object",
                    "properties": [
                        "worker_id": ["type": "string"], "instructions": ["type": "string"],
                        "tools_allowed": ["type": "array", "items": ["type": "string"]],
                        "output_contract": ["type": "object"],
                        "codemode": ["type": "object", "properties": [
                            "enabled": ["type": "boolean"], "tool_creation": ["type": "boolean"],
                            "tool_creation_namespace": ["type": "string"]]],
                        "as_submanager": ["type": "boolean"], "submanager_budget_fraction": ["type": "number"],
                        "skills": ["type": "array", "items": ["type": "string"]],
                    ],
                    "required": ["worker_id", "instructions"],
                ]],
            ],
            "required": ["delegations"],
        ]),
        ProviderTool(name: "complete", description: "Finish with the final result.", inputSchema: [
            "type": "object",
            "properties": ["reasoning": ["type": "string"], "final_result": ["type": "object"], "confidence": ["type": "number"]],
            "required": ["final_result"],
        ]),
        ProviderTool(name: "fail", description: "Give up: the task cannot be done.", inputSchema: [
            "type": "object", "properties": ["reason": ["type": "string"], "partial_result": ["type": "object"]],
            "required": ["reason"],
        ]),
    ]

    /// Reads a decision from a native tool call, else from AWP's JSON decision format in the text.
    static func parse(_ message: ChatMessage) -> ManagerDecision {
        if let call = message.toolCalls.first {
            var arguments = call.arguments
            if case .object(var pairs) = arguments {
                pairs.insert((key: "decision", value: .string(call.name)), at: 0)
                arguments = .object(pairs)
            }
            return parse(json: arguments)
        }
        guard let json = LenientJSON.object(in: message.text) else {
            return .unparseable("the manager's reply has no JSON object")
        }
        return parse(json: json)
    }

    static func parse(json raw: JSONValue) -> ManagerDecision {
        var json = raw
        // Unwrap `{"result": "<json>"}`.
        if let nested = json["result"]?.stringValue, let inner = LenientJSON.object(in: nested) { json = inner }
        let reasoning = json["reasoning"]?.stringValue
        let delegations = (json["delegations"] ?? json["workers"] ?? json["tasks"])?.arrayValue
        var decision = json["decision"]?.stringValue.map(normalize)
        if decision == nil {
            if json["subtasks"] != nil { decision = "plan" }
            else if delegations != nil { decision = "delegate" }
            else if json["final_result"] != nil || json["summary"] != nil || json["report_md"] != nil { decision = "complete" }
        }
        switch decision {
        case "delegate":
            let envelopes = (delegations ?? []).compactMap(Envelope.init(json:))
            if envelopes.isEmpty { return .unparseable("delegate without any usable envelope (each needs worker_id and instructions)") }
            return .delegate(reasoning: reasoning, envelopes: envelopes)
        case "complete":
            var result = json["final_result"] ?? .object(json.objectValue?.filter { $0.key != "decision" } ?? [])
            if result.objectValue == nil { result = ["result": result] }
            let confidence = (result["confidence"] ?? json["confidence"])?.doubleValue ?? 0.8
            return .complete(reasoning: reasoning, result: result, confidence: min(max(confidence, 0), 1))
        case "fail":
            return .fail(reason: (json["reason"] ?? json["reasoning"])?.stringValue ?? "the manager gave up",
                         partial: json["partial_result"])
        case "plan":
            return .plan(reasoning: reasoning, subtasks: json["subtasks"] ?? .array([]))
        default:
            return .unparseable("unknown decision '\(json["decision"]?.stringValue ?? "none")'")
        }
    }

    /// Maps free-text decision words onto the four decisions (whole words only).
    static func normalize(_ word: String) -> String {
        let lowered = word.lowercased().trimmingCharacters(in: .whitespaces)
        let synonyms: [String: [String]] = [
            "delegate": ["delegate", "assign", "dispatch", "spawn"],
            "complete": ["complete", "done", "finalize", "finish", "final", "synthesize", "conclude", "submit"],
            "plan": ["plan", "decompose", "breakdown"],
            "fail": ["fail", "abort", "error", "cancel", "impossible"],
        ]
        let words = Set(lowered.split { !$0.isLetter }.map(String.init))
        for (decision, list) in synonyms where list.contains(where: words.contains) { return decision }
        return lowered
    }
}
