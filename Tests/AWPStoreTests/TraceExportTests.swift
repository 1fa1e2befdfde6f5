import AWPCore
import AWPStore
import Foundation
import Testing

@Suite struct TraceExportTests {
    /// A root run with an iteration, a manager call, a worker with an LLM call, a tool call and a
    /// sandbox execution, a policy decision, and one sub-manager run.
    static func makeRun(_ store: RunStore) async throws {
        _ = try await store.createRun(NewRun(id: "root", workflow: "demo", task: "t", provider: "fake", model: "fake-1"))
        try await store.appendEvent("root", kind: .iterationStarted, payload: ["iteration": 1])
        try await StoreFixtures.paidCall(store, run: "root", step: "manager/1/llm-0", prompt: "plan", agent: "manager", iteration: 1)
        try await store.appendEvent("root", kind: .workerStarted, payload: ["worker": "w1", "iteration": 1, "role": "analyst"])
        try await StoreFixtures.paidCall(store, run: "root", step: "w1/llm-0", prompt: "work", agent: "w1", iteration: 1)
        let tool = try await store.beginToolCall(
            NewToolCall(runID: "root", stepKey: "w1/tool-0", plugin: "builtin", tool: "code.execute", isMutating: false,
                        arguments: ["code": "print(1)"], agent: "w1", iteration: 1)
        )
        try await store.appendEvent(
            "root", kind: .sandboxExec,
            payload: ["toolCallSeq": .integer(tool.seq), "startedAt": 1_767_225_600_200, "endedAt": 1_767_225_600_260, "status": "exited", "exitCode": 0]
        )
        try await store.completeToolCall(runID: "root", seq: tool.seq, result: ["stdout": "1\n"], latencyMs: 70)
        try await store.appendEvent("root", kind: .policyDecision, payload: ["subject": "w1", "action": "network", "allowed": false], audited: true)
        try await store.appendEvent("root", kind: .workerFinished, payload: ["worker": "w1", "status": "complete"])
        _ = try await store.createRun(NewRun(id: "sub", workflow: "demo", parentRunID: "root"))
        try await StoreFixtures.paidCall(store, run: "sub", step: "sub/llm-0", prompt: "deeper")
        try await store.finishRun("sub", status: .complete)
        try await store.appendEvent("root", kind: .iterationFinished, payload: ["iteration": 1])
        try await store.finishRun("root", status: .complete, result: ["answer": 1])
    }

    @Test func theTraceHasTheOTLPShapeAndTheExpectedSpanTree() async throws {
        try await StoreFixtures.withStore { store, _, directory in
            try await Self.makeRun(store)
            let trace = try await store.traceOTLP("root")
            // Round-trip through text, as a collector would read the file.
            let parsed = try JSONParser.parse(trace.serialized(pretty: true))
            let problems = OTLPShape.validate(parsed)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")

            let spans = OTLPShape.spans(parsed)
            let byID = Dictionary(uniqueKeysWithValues: spans.map { ($0["spanId"]!.stringValue!, $0) })
            func parentName(_ span: JSONValue) -> String? {
                span["parentSpanId"]?.stringValue.flatMap { byID[$0]?["name"]?.stringValue }
            }
            func span(_ name: String, where attribute: String? = nil, is value: String? = nil) -> JSONValue? {
                spans.first { span in
                    guard span["name"]?.stringValue == name else { return false }
                    guard let attribute, let value else { return true }
                    return OTLPShape.attribute(span, attribute) == .string(value)
                }
            }
            #expect(spans.count == 9)  // 2 runs, 1 iteration, 1 worker, 3 LLM calls, 1 tool, 1 sandbox
            let roots = spans.filter { $0["parentSpanId"] == nil }
            #expect(roots.count == 1)
            #expect(OTLPShape.attribute(roots[0], "awp.run.id") == "root")
            #expect(parentName(span("awp.iteration")!) == "awp.run")
            #expect(parentName(span("awp.worker")!) == "awp.iteration")
            #expect(parentName(span("chat fake-1", where: "awp.step_key", is: "manager/1/llm-0")!) == "awp.iteration")
            #expect(parentName(span("chat fake-1", where: "awp.step_key", is: "w1/llm-0")!) == "awp.worker")
            #expect(parentName(span("execute_tool code.execute")!) == "awp.worker")
            #expect(parentName(span("awp.sandbox.exec")!) == "execute_tool code.execute")
            let subLLM = span("chat fake-1", where: "awp.step_key", is: "sub/llm-0")!
            let subRun = byID[subLLM["parentSpanId"]!.stringValue!]!
            #expect(OTLPShape.attribute(subRun, "awp.run.id") == "sub")
            #expect(parentName(subRun) == "awp.run")

            let llm = span("chat fake-1", where: "awp.step_key", is: "w1/llm-0")!
            #expect(llm["kind"] == 3)
            #expect(OTLPShape.attribute(llm, "gen_ai.system") == "fake")
            #expect(OTLPShape.attribute(llm, "gen_ai.request.model") == "fake-1")
            #expect(OTLPShape.attribute(llm, "gen_ai.usage.input_tokens") == "100")
            #expect(OTLPShape.attribute(llm, "gen_ai.usage.output_tokens") == "20")
            #expect(OTLPShape.attribute(llm, "awp.cost_usd")?.doubleValue != nil)
            #expect(roots[0]["events"]?.arrayValue?.first?["name"] == "policy.decision")
            #expect(roots[0]["status"]?["code"] == 1)

            // Deterministic: exporting again gives the same bytes; the file lands in the run directory.
            #expect(try await store.traceOTLP("root") == trace)
            let file = try await store.writeTrace("root", home: StoreHome(directory: directory))
            #expect(file.path.hasSuffix("runs/root/trace.otlp.json"))
            #expect(try JSONParser.parse(String(contentsOf: file, encoding: .utf8)) == trace)
        }
    }

    @Test func aCrashedRunStillExportsWithOpenSpansEndingAtItsLastActivity() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            _ = try await store.beginLLMCall(NewLLMCall(runID: "r", stepKey: "s", request: StoreFixtures.request("x")))
            let trace = try await store.traceOTLP("r")
            #expect(OTLPShape.validate(trace).isEmpty)
            let spans = OTLPShape.spans(trace)
            #expect(spans.allSatisfy { $0["status"]?["code"] == 0 })
        }
    }

    @Test func theValidatorRejectsMalformedSpans() {
        let bad: JSONValue = [
            "resourceSpans": [[
                "resource": ["attributes": []],
                "scopeSpans": [[
                    "scope": ["name": "x"],
                    "spans": [[
                        "traceId": "XYZ", "spanId": "0000000000000000", "parentSpanId": "1111111111111111", "name": "",
                        "kind": 9, "startTimeUnixNano": 5, "endTimeUnixNano": "4",
                        "attributes": [["key": "a", "value": ["intValue": 3]]], "status": ["code": 7],
                    ]],
                ]],
            ]]
        ]
        let problems = OTLPShape.validate(bad)
        #expect(problems.count >= 8, "\(problems)")
    }

    @Test func metricsSummariseCallsTokensToolsAndCache() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeRun(store)
            let metrics = try await store.metrics("root")
            #expect(metrics["runs"] == 2)
            #expect(metrics["llm"]?["calls"] == 3)
            #expect(metrics["llm"]?["inputTokens"] == 300)
            #expect(metrics["llm"]?["latencyMs"]?["p50"] == 50)
            #expect(metrics["llm"]?["byModel"]?[0]?["calls"] == 3)
            #expect(metrics["tools"]?["byTool"] == [["tool": "code.execute", "calls": 1, "errors": 0]])
            #expect(metrics["workers"] == 1 && metrics["loops"] == 1)
            #expect(metrics["events"]?["policy.decision"] == 1)
        }
    }
}

extension JSONValue {
    fileprivate subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}
