import AWPCore
import Foundation

/// The fake provider's agent behaviour: enough to drive every AWP engine for real, offline.
///
/// It recognises its role from what the runtime offers, never from hidden hints:
/// - **manager** (the `delegate`/`complete` decision tools are offered): delegates one analyst
///   worker (with tool creation when the prompt says it is allowed, or a sub-manager when
///   sub-managers are allowed and this is the root manager), then completes once worker results
///   are in the history;
/// - **worker or DAG agent with tools** (`code__execute` offered): creates a tool when asked to and
///   calls it, runs a real Python analysis of `/workspace/inputs` that writes `output/summary.json`
///   and `output/summary.md`, then answers with JSON (shaped by the response schema when one is given).
/// Everything is a pure function of the request, so the same request gets the same answer.
enum FakeAgent {
    static func respond(_ params: GenerateParams, settings: FakeSettings) -> GenerateResult? {
        let tools = Set(params.tools.map(\.name))
        if settings.greedy { return greedy(params, tools: tools, settings: settings) }
        if tools.contains("delegate") && tools.contains("complete") { return manager(params) }
        if tools.contains("code__execute") || tools.contains("tool__create") { return worker(params, tools: tools) }
        return nil
    }

    // MARK: Greedy adversary

    /// A manager that never stops delegating and workers that use every tool call they may.
    private static func greedy(_ params: GenerateParams, tools: Set<String>, settings: FakeSettings) -> GenerateResult? {
        if tools.contains("delegate") {
            let envelopes: [JSONValue] = (1...max(1, settings.greedyWorkers)).map { index in
                ["worker_id": .string("greedy_\(index)"), "instructions": "Use every tool call you can.",
                 "as_submanager": .bool(settings.greedySubmanagers), "tools_allowed": ["file.list", "file.read"]]
            }
            return call("delegate", ["reasoning": "More.", "delegations": .array(envelopes)])
        }
        guard tools.contains("file__list") else { return nil }
        let made = params.messages.filter { $0.role == .assistant }.flatMap(\.toolCalls).count
        if made < settings.greedyToolCalls { return call("file__list", ["path": "inputs"]) }
        return GenerateResult(stopReason: .endTurn, message: .assistant(#"{"summary": "listed", "confidence": 0.5}"#),
                              usage: TokenUsage())
    }

    // MARK: Manager

    private static func manager(_ params: GenerateParams) -> GenerateResult {
        let system = params.messages.first { $0.role == .system }?.text ?? ""
        let user = params.messages.last { $0.role == .user }?.text ?? ""
        if let range = user.range(of: "Worker results:") {
            let findings = user[range.upperBound...].split(separator: "\n").filter { $0.hasPrefix("- ") }.prefix(10)
                .map { String($0.dropFirst(2).prefix(400)) }
            let result: JSONValue = [
                "summary": .string("Completed after the workers reported: " + findings.joined(separator: " | ")),
                "findings": .array(findings.map(JSONValue.string)),
                "confidence": 0.85,
            ]
            return call("complete", ["reasoning": "The workers produced the deliverables.", "final_result": result,
                                     "confidence": 0.85])
        }
        let isRoot = system.contains("You are the manager")
        if isRoot && system.contains("Sub-managers: allowed") {
            let envelope: JSONValue = [
                "worker_id": "research_lead", "as_submanager": true, "submanager_budget_fraction": 0.4,
                "instructions": "Own the data analysis: profile every input file and report the key figures.",
            ]
            return call("delegate", ["reasoning": "A whole sub-question for a sub-manager.", "delegations": [envelope]])
        }
        var envelope: [(key: String, value: JSONValue)] = [
            ("worker_id", "analyst"),
            ("instructions", .string("Profile every input file with Python: row counts, columns and numeric statistics. "
                + "Write output/summary.json and output/summary.md.")),
            ("tools_allowed", ["code.execute", "file.read", "file.list", "file.write"]),
            ("output_contract", ["required_fields": ["summary", "files"]]),
        ]
        if let namespace = computeNamespace(in: system) {
            envelope.append(("codemode", ["enabled": true, "tool_creation": true, "tool_creation_namespace": .string(namespace)]))
        }
        return call("delegate", ["reasoning": "One analyst can profile the inputs.", "delegations": [.object(envelope)]])
    }

    /// The first namespace the prompt lists as compute-only under "Tool creation: allowed in namespaces:".
    private static func computeNamespace(in system: String) -> String? {
        guard let line = system.split(separator: "\n").first(where: { $0.hasPrefix("Tool creation: allowed in namespaces:") })
        else { return nil }
        let list = line.dropFirst("Tool creation: allowed in namespaces:".count).split(separator: ";")
        let entries = list.map { $0.trimmingCharacters(in: .whitespaces) }
        let pick = entries.first { $0.hasSuffix("(compute)") } ?? entries.first
        return pick.map { String($0.prefix { $0 != " " && $0 != "(" }) }
    }

    // MARK: Worker

    private static func worker(_ params: GenerateParams, tools: Set<String>) -> GenerateResult {
        let called = params.messages.filter { $0.role == .assistant }.flatMap(\.toolCalls).map(\.name)
        let results = params.messages.filter { $0.role == .tool }.flatMap { message in
            message.content.compactMap { if case .toolResult(let result) = $0 { result } else { nil } }
        }
        let system = params.messages.first { $0.role == .system }?.text ?? ""
        let user = params.messages.first { $0.role == .user }?.text ?? ""
        if tools.contains("tool__create"), !called.contains("tool__create"), let namespace = quoted(after: "in namespace '", in: system) {
            return call("tool__create", [
                "name": .string("\(namespace).column_stats"),
                "description": "Row count and per-column numeric statistics of a CSV file in the workspace.",
                "parameters": ["type": "object", "properties": ["path": ["type": "string", "description": "workspace-relative CSV path"]],
                               "required": ["path"]],
                "code": .string(columnStatsTool),
            ])
        }
        if let created = called.firstIndex(of: "tool__create"), created < results.count, !results[created].isError,
           let name = quoted(after: "\"registered\":\"", in: results[created].content, terminator: "\""),
           !called.contains(wireName(name)), let csv = firstCSV(in: user) {
            return call(wireName(name), ["path": .string(csv)])
        }
        if tools.contains("code__execute"), !called.contains("code__execute") {
            return call("code__execute", ["code": .string(analysisScript)])
        }
        let printed = results.last.map { String($0.content.prefix(600)) } ?? ""
        if case .jsonSchema(_, let schema, _) = params.responseFormat {
            var value = SchemaExample(root: schema).value(for: schema)
            if case .object(var pairs) = value, let index = pairs.firstIndex(where: { $0.key == "confidence" }) {
                pairs[index].value = 0.9
                value = .object(pairs)
            }
            return GenerateResult(stopReason: .endTurn, message: .assistant(value.serialized()), usage: TokenUsage())
        }
        let answer: JSONValue = [
            "summary": .string("Profiled the inputs with Python in the sandbox. Tool output: " + printed),
            "files": ["output/summary.json", "output/summary.md"],
            "confidence": 0.9,
        ]
        return GenerateResult(stopReason: .endTurn, message: .assistant(answer.serialized()), usage: TokenUsage())
    }

    /// AWP tool names on the provider wire: dots become `__` (the runtime's `ToolWireName`).
    private static func wireName(_ name: String) -> String { name.replacingOccurrences(of: ".", with: "__") }

    private static func call(_ name: String, _ arguments: JSONValue) -> GenerateResult {
        let request = ToolCallRequest(id: "call_\(name)", name: name, arguments: arguments)
        return GenerateResult(stopReason: .toolUse, message: ChatMessage(role: .assistant, content: [.toolCall(request)]),
                              usage: TokenUsage())
    }

    private static func quoted(after marker: String, in text: String, terminator: Character = "'") -> String? {
        guard let range = text.range(of: marker) else { return nil }
        let value = text[range.upperBound...].prefix { $0 != terminator }
        return value.isEmpty ? nil : String(value)
    }

    private static func firstCSV(in text: String) -> String? {
        let words = text.split { " \n\t`()[]\"',|".contains($0) }
        return words.first { $0.hasPrefix("inputs/") && $0.lowercased().hasSuffix(".csv") }.map(String.init)
    }

    /// A dynamic tool in a compute namespace: only `csv`, `json` and `math`, no `os`.
    static let columnStatsTool = """
        import csv
        import json


        def handler(*, path="", _workspace_dir="/workspace"):
            if not path:
                return {"ok": False, "error": "path is required"}
            with open(_workspace_dir + "/" + path, newline="", encoding="utf-8", errors="replace") as handle:
                rows = list(csv.reader(handle))
            header, body = (rows[0], rows[1:]) if rows else ([], [])
            stats = {}
            for index, column in enumerate(header):
                values = []
                for row in body:
                    try:
                        values.append(float(row[index]))
                    except (ValueError, IndexError):
                        pass
                if values:
                    stats[column] = {"count": len(values), "min": min(values), "max": max(values),
                                     "mean": round(sum(values) / len(values), 4)}
            with open(_workspace_dir + "/output/column_stats.json", "w") as out:
                json.dump({"path": path, "rows": len(body), "columns": stats}, out, indent=2)
            return {"ok": True, "rows": len(body), "numeric_columns": sorted(stats), "file": "output/column_stats.json"}
        """

    /// What the fake worker runs through `code.execute`: a real profile of every input file.
    static let analysisScript = """
        import csv, json, os
        inputs, out = "/workspace/inputs", "/workspace/output"
        os.makedirs(out, exist_ok=True)
        report = {}
        for root, _dirs, files in os.walk(inputs):
            for name in sorted(files):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, inputs)
                info = {"bytes": os.path.getsize(path)}
                lower = name.lower()
                if lower.endswith((".csv", ".tsv")):
                    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
                        rows = list(csv.reader(handle, delimiter="\\t" if lower.endswith(".tsv") else ","))
                    header, body = (rows[0], rows[1:]) if rows else ([], [])
                    numeric = {}
                    for index, column in enumerate(header):
                        values = []
                        for row in body:
                            try:
                                values.append(float(row[index]))
                            except (ValueError, IndexError):
                                pass
                        if values:
                            numeric[column] = {"count": len(values), "min": min(values), "max": max(values),
                                               "mean": round(sum(values) / len(values), 4)}
                    info.update(kind="table", rows=len(body), columns=header, numeric=numeric)
                elif lower.endswith(".json"):
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        data = json.load(handle)
                    info.update(kind="json", type=type(data).__name__,
                                keys=sorted(data)[:50] if isinstance(data, dict) else None)
                else:
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        text = handle.read()
                    info.update(kind="text", lines=text.count("\\n") + 1, words=len(text.split()))
                report[rel] = info
        with open(os.path.join(out, "summary.json"), "w") as handle:
            json.dump(report, handle, indent=2)
        lines = ["# Input summary", ""]
        for rel, info in report.items():
            lines.append("## " + rel)
            if info.get("kind") == "table":
                lines.append("%d rows; columns: %s" % (info["rows"], ", ".join(info["columns"])))
                for column, stats in info["numeric"].items():
                    lines.append("- %s: mean %s (min %s, max %s)" % (column, stats["mean"], stats["min"], stats["max"]))
            elif info.get("kind") == "text":
                lines.append("%d lines, %d words" % (info["lines"], info["words"]))
            lines.append("")
        with open(os.path.join(out, "summary.md"), "w") as handle:
            handle.write("\\n".join(lines))
        print(json.dumps({"inputs": len(report), "files": ["output/summary.json", "output/summary.md"]}))
        """
}
