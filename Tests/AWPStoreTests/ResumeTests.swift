import AWPCore
import AWPStore
import Testing

/// The durable point of synthetic interrupted runs (the engine that consumes it comes later).
@Suite struct ResumeTests {
    /// A run cut off mid-way: two LLM calls done, one in flight; a read-only and a mutating tool
    /// call done; a mutating tool call in flight.
    static func makeInterruptedRun(_ store: RunStore) async throws {
        _ = try await store.createRun(NewRun(id: "r", workflow: "w", provider: "fake", model: "fake-1", processID: 999))
        try await StoreFixtures.paidCall(store, run: "r", step: "manager/1/llm-0", prompt: "plan")
        try await StoreFixtures.paidCall(store, run: "r", step: "w1/1/llm-0", prompt: "work")
        _ = try await store.beginLLMCall(NewLLMCall(runID: "r", stepKey: "manager/2/llm-0", request: StoreFixtures.request("next")))

        let read = try await store.beginToolCall(
            NewToolCall(runID: "r", stepKey: "w1/1/tool-0", plugin: "fs", tool: "file.read", isMutating: false, arguments: ["path": "in.csv"])
        )
        try await store.completeToolCall(runID: "r", seq: read.seq, result: ["text": "a,b"], latencyMs: 2)
        let write = try await store.beginToolCall(
            NewToolCall(runID: "r", stepKey: "w1/1/tool-1", plugin: "fs", tool: "file.write", isMutating: true, arguments: ["path": "out.csv"])
        )
        try await store.completeToolCall(runID: "r", seq: write.seq, result: ["ok": true], latencyMs: 2)
        _ = try await store.beginToolCall(
            NewToolCall(runID: "r", stepKey: "w1/1/tool-2", plugin: "git", tool: "commit", isMutating: true, arguments: [:])
        )
        try await store.appendEvent("r", kind: .iterationStarted, payload: ["iteration": 2])
    }

    @Test func theDurablePointSeparatesReplayableSkippedAndRerunWork() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeInterruptedRun(store)
            let point = try await store.resumePoint("r")
            #expect(point.isResumable)
            #expect(Set(point.completedLLMCalls.keys) == ["manager/1/llm-0", "w1/1/llm-0"])
            #expect(Set(point.completedReadOnlyToolCalls.keys) == ["w1/1/tool-0"])
            #expect(Set(point.completedMutatingToolCalls.keys) == ["w1/1/tool-1"])
            #expect(point.inFlightLLMCalls.map(\.stepKey) == ["manager/2/llm-0"])
            #expect(point.inFlightToolCalls.map(\.stepKey) == ["w1/1/tool-2"])
            #expect(point.stepsToRerun == ["manager/2/llm-0", "w1/1/tool-2"])
            #expect(point.lastEventSeq == 2)
            #expect(point.subRuns.isEmpty)
        }
    }

    @Test func markingResumedInterruptsInFlightCallsAndMaySwitchProvider() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeInterruptedRun(store)
            let point = try await store.markResumed("r", provider: "openai", model: "gpt-x", processID: 1234)
            #expect(point.inFlightLLMCalls.count == 1)
            let run = try await store.run("r")
            #expect(run.status == .running && run.resumeCount == 1)
            #expect(run.provider == "openai" && run.model == "gpt-x" && run.processID == 1234)
            #expect(try await store.llmCalls("r").map(\.status) == [.completed, .completed, .interrupted])
            let resumed = try await store.events("r", kinds: [.runResumed])
            #expect(resumed.first?.payload["interruptedCalls"] == 2)
            #expect(resumed.first?.payload["provider"] == "openai")

            // Replaying costs nothing new; the interrupted step runs again as attempt 2.
            let before = try await store.usage(of: "r")
            let replay = try await store.completedLLMCall(runID: "r", stepKey: "manager/1/llm-0")
            #expect(replay?.response == ["content": "answer to plan"])
            let rerun = try await store.beginLLMCall(
                NewLLMCall(runID: "r", stepKey: "manager/2/llm-0", request: StoreFixtures.request("next", model: "gpt-x"))
            )
            #expect(rerun.attempt == 2)
            try await store.completeLLMCall(
                runID: "r", seq: rerun.seq, response: ["content": "done"], usage: TokenUsage(inputTokens: 5, outputTokens: 1),
                costUSD: 0, latencyMs: 1
            )
            let after = try await store.usage(of: "r")
            #expect(after.inputTokens == before.inputTokens + 5)

            // After the rerun completes, the step is no longer in flight.
            let again = try await store.resumePoint("r")
            #expect(again.inFlightLLMCalls.isEmpty)
            #expect(again.completedLLMCalls["manager/2/llm-0"]?.attempt == 2)
            #expect(again.inFlightToolCalls.map(\.stepKey) == ["w1/1/tool-2"])
        }
    }

    @Test func anAbortedRunIsResumableAndACompleteOneIsNot() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "a", workflow: "w"))
            _ = try await store.createRun(NewRun(id: "a-sub-1", workflow: "w", parentRunID: "a"))
            try await store.finishRun("a", status: .aborted, terminationReason: "sigint")
            #expect(try await store.resumePoint("a").subRuns.map(\.id) == ["a-sub-1"])
            #expect(try await store.resumePoint("a").isResumable)
            _ = try await store.markResumed("a")
            #expect(try await store.run("a").terminationReason == nil)

            _ = try await store.createRun(NewRun(id: "c", workflow: "w"))
            try await store.finishRun("c", status: .complete)
            #expect(try await store.resumePoint("c").isResumable == false)
            await #expect(throws: StoreError.self) { try await store.markResumed("c") }
            #expect(try await store.run("c").status == .complete)
        }
    }

    /// A completed sub-run runs again when its parent resumes (so the parent's ledger is charged what it
    /// consumed): `allowingComplete` reopens it as a new life, with the `run.resumed` event that tells its
    /// lives apart, while a plain `markResumed` still refuses it.
    @Test func aCompletedSubRunIsReopenedForItsResumingParent() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "p", workflow: "w"))
            _ = try await store.createRun(NewRun(id: "p-sub-1", workflow: "w", parentRunID: "p"))
            try await store.finishRun("p-sub-1", status: .complete)
            await #expect(throws: StoreError.self) { try await store.markResumed("p-sub-1") }
            let point = try await store.markResumed("p-sub-1", allowingComplete: true)
            #expect(point.run.status == .complete)
            let reopened = try await store.run("p-sub-1")
            #expect(reopened.status == .running)
            #expect(reopened.resumeCount == 1)
            #expect(try await store.events("p-sub-1").last?.kind == .runResumed)
            #expect(try await store.verifyAudit("p-sub-1").isOK)
        }
    }

    @Test func resumeIsAuditedAndTheChainStillVerifies() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await Self.makeInterruptedRun(store)
            _ = try await store.markResumed("r")
            #expect(try await store.auditEntries("r").map(\.kind) == ["run.started", "run.resumed"])
            #expect(try await store.verifyAudit("r").isOK)
        }
    }

    /// A resumed run executes again from the start, so its second life logs `worker.started` and
    /// `iteration.started` again for the work its first life did. The run's usage counts each worker
    /// and loop once: the furthest life, not the sum of the lives.
    @Test func usageCountsWorkersAndLoopsOnceAcrossResumes() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            func life(workers: Int) async throws {
                try await store.appendEvent("r", kind: .iterationStarted, payload: ["iteration": 1])
                for worker in 0..<workers {
                    try await store.appendEvent("r", kind: .workerStarted, payload: ["worker": .string("w\(worker)"), "iteration": 1])
                }
            }
            try await life(workers: 2)
            #expect(try await store.usage(of: "r").workers == 2)
            _ = try await store.markResumed("r")
            try await life(workers: 1)  // killed again before the second worker started
            _ = try await store.markResumed("r")
            try await life(workers: 2)
            try await store.appendEvent("r", kind: .iterationStarted, payload: ["iteration": 2])
            try await store.appendEvent("r", kind: .workerStarted, payload: ["worker": "w0", "iteration": 2])
            let usage = try await store.usage(of: "r")
            #expect(usage.workers == 3)
            #expect(usage.loops == 2)
        }
    }
}
