import AWPCore
import AWPStore
import Foundation

/// A home with recorded runs, written through the store API as the runtime will write them.
enum StoreFixture {
    static let first = "20260101-000000-aaaaaa"
    static let second = "20260101-000100-bbbbbb"
    static let sub = "20260101-000005-cccccc"
    static let crashed = "20260101-000200-dddddd"

    /// `first`: complete, two LLM calls (miss), a worker with a tool call and a sandbox run, a
    /// policy decision, an artifact and a sub-run. `second`: the same prompts, served from cache.
    /// `crashed`: left running by a process that is gone.
    static func populate(_ home: URL) async throws {
        let store = try await RunStore.open(home: StoreHome(directory: home))
        for (runID, task) in [(first, "summarise <data> & \"report\""), (second, "summarise <data> & \"report\"")] {
            _ = try await store.createRun(NewRun(id: runID, workflow: "demo", task: task, provider: "fake", model: "fake-1"))
            try await store.appendEvent(runID, kind: .iterationStarted, payload: ["iteration": 1])
            for (index, prompt) in ["plan", "work"].enumerated() {
                let request = CanonicalRequest(provider: "fake", model: "fake-1", messages: [["role": "user", "content": .string(prompt)]])
                let lookup = try await store.cacheLookup(namespace: "demo", request: request, policy: .auto, isMutating: false)
                let call = try await store.beginLLMCall(
                    NewLLMCall(runID: runID, stepKey: "manager/1/llm-\(index)", request: request, agent: "manager", iteration: 1,
                               cacheDecision: lookup.decision)
                )
                if let cached = lookup.response {
                    try await store.completeLLMCall(runID: runID, seq: call.seq, response: cached, usage: .zero, costUSD: 0, latencyMs: 1, source: .cache)
                } else {
                    let reply: JSONValue = ["content": .string("<b>\(prompt)</b>")]
                    let usage = TokenUsage(inputTokens: 1200, outputTokens: 300)
                    try await store.completeLLMCall(runID: runID, seq: call.seq, response: reply, usage: usage, costUSD: 0.0042, latencyMs: 850)
                    try await store.cacheStore(
                        namespace: "demo", request: request, policy: .auto, isMutating: false, response: reply, usage: usage,
                        costUSD: 0.0042, sourceRunID: runID, sourceSeq: call.seq
                    )
                }
            }
            try await store.appendEvent(runID, kind: .workerStarted, payload: ["worker": "w1", "iteration": 1])
            let tool = try await store.beginToolCall(
                NewToolCall(runID: runID, stepKey: "w1/tool-0", plugin: "builtin", tool: "code.execute", isMutating: false,
                            arguments: ["code": "print(1)"], agent: "w1", iteration: 1)
            )
            try await store.completeToolCall(runID: runID, seq: tool.seq, result: ["stdout": "1"], latencyMs: 40)
            try await store.appendEvent(
                runID, kind: .policyDecision, payload: ["subject": "w1", "action": "network:<evil.example>", "allowed": false],
                audited: true
            )
            try await store.appendEvent(runID, kind: .workerFinished, payload: ["worker": "w1", "status": "complete"])
            try await store.recordArtifact(runID, path: "output/summary.md", size: 12, sha256: String(repeating: "ab", count: 32))
            if runID == first {
                _ = try await store.createRun(NewRun(id: sub, workflow: "demo", parentRunID: first))
                try await store.finishRun(sub, status: .complete)
            }
            try await store.appendEvent(runID, kind: .iterationFinished, payload: ["iteration": 1])
            try await store.finishRun(runID, status: .complete, terminationReason: "success", result: .string("The total is 42."))
        }
        _ = try await store.createRun(NewRun(id: crashed, workflow: "demo", processID: try deadProcessID()))
    }

    /// The pid of a process that has exited and been reaped.
    static func deadProcessID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }
}
