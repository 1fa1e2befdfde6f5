import AWPCore
import AWPStore
import Testing

@Suite struct CallTests {
    @Test func anLLMCallIsStartedThenCompletedWithItsBlobs() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            let request = StoreFixtures.request("hi")
            let started = try await store.beginLLMCall(
                NewLLMCall(runID: "r", stepKey: "manager/1/llm-0", request: request, agent: "manager", iteration: 1)
            )
            #expect(started.status == .started)
            #expect(started.seq == 1 && started.attempt == 1)
            #expect(started.requestHash == request.hash)
            #expect(try await store.blob(started.requestBlob!) == request.canonicalBytes)
            #expect(try await store.completedLLMCall(runID: "r", stepKey: "manager/1/llm-0") == nil)

            let done = try await store.completeLLMCall(
                runID: "r", seq: 1, response: ["content": "hello"], usage: TokenUsage(inputTokens: 7, outputTokens: 3),
                costUSD: 0.5, latencyMs: 12
            )
            #expect(done.status == .completed)
            #expect(done.usage.outputTokens == 3)
            #expect(done.source == .provider)
            let replay = try await store.completedLLMCall(runID: "r", stepKey: "manager/1/llm-0")
            #expect(replay?.response == ["content": "hello"])
            #expect(replay?.record.agent == "manager")
        }
    }

    @Test func aCompletedStepCannotBePaidForAgain() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            try await StoreFixtures.paidCall(store, run: "r", step: "s", prompt: "p")
            await #expect(throws: StoreError.self) {
                try await store.beginLLMCall(NewLLMCall(runID: "r", stepKey: "s", request: StoreFixtures.request("p")))
            }
            await #expect(throws: StoreError.self) {
                try await store.completeLLMCall(runID: "r", seq: 1, response: [:], usage: .zero, costUSD: 0, latencyMs: 0)
            }
        }
    }

    @Test func aRetryAfterFailureIsASecondAttempt() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            let first = try await store.beginLLMCall(NewLLMCall(runID: "r", stepKey: "s", request: StoreFixtures.request("p")))
            let failed = try await store.failLLMCall(runID: "r", seq: first.seq, error: "rate_limited", latencyMs: 5)
            #expect(failed.status == .failed && failed.error == "rate_limited")
            let second = try await store.beginLLMCall(NewLLMCall(runID: "r", stepKey: "s", request: StoreFixtures.request("p")))
            #expect(second.attempt == 2 && second.seq == 2)
        }
    }

    @Test func aDanglingAttemptIsMarkedInterruptedWhenTheStepStartsAgain() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            _ = try await store.beginLLMCall(NewLLMCall(runID: "r", stepKey: "s", request: StoreFixtures.request("p")))
            _ = try await store.beginLLMCall(NewLLMCall(runID: "r", stepKey: "s", request: StoreFixtures.request("p")))
            #expect(try await store.llmCalls("r").map(\.status) == [.interrupted, .started])
        }
    }

    @Test func finishingARunMarksWhatWasStillInFlightInterrupted() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            try await StoreFixtures.paidCall(store, run: "r", step: "done", prompt: "p")
            _ = try await store.beginLLMCall(NewLLMCall(runID: "r", stepKey: "cut", request: StoreFixtures.request("q")))
            _ = try await store.beginToolCall(NewToolCall(runID: "r", stepKey: "t", plugin: "p", tool: "t", isMutating: true,
                                                          arguments: [:]))
            try await store.finishRun("r", status: .aborted, terminationReason: "interrupted")
            #expect(try await store.llmCalls("r").map(\.status) == [.completed, .interrupted])
            #expect(try await store.toolCalls("r").map(\.status) == [.interrupted])
            // An interrupted call is not an attempt that counts: only the paid call does.
            #expect(try await store.usage(of: "r").llmCalls == 1)
        }
    }

    @Test func callsCannotBeRecordedOnAFinishedRun() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            try await store.finishRun("r", status: .complete)
            await #expect(throws: StoreError.self) {
                try await store.beginToolCall(
                    NewToolCall(runID: "r", stepKey: "t", plugin: "p", tool: "t", isMutating: true, arguments: [:])
                )
            }
        }
    }

    @Test func toolCallsKeepMutatingFlagErrorResultAndArguments() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            let call = try await store.beginToolCall(
                NewToolCall(
                    runID: "r", stepKey: "w1/tool-0", plugin: "builtin", tool: "file.write", isMutating: true,
                    arguments: ["path": "out.txt"], agent: "w1", iteration: 2
                )
            )
            #expect(try await store.jsonBlob(call.argumentsBlob!) == ["path": "out.txt"])
            let done = try await store.completeToolCall(runID: "r", seq: call.seq, result: ["error": "disk full"], isError: true, latencyMs: 4)
            #expect(done.isMutating && done.isError && done.status == .completed)
            let replay = try await store.completedToolCall(runID: "r", stepKey: "w1/tool-0")
            #expect(replay?.response == ["error": "disk full"])

            let other = try await store.beginToolCall(
                NewToolCall(runID: "r", stepKey: "w1/tool-1", plugin: "builtin", tool: "code.execute", isMutating: false, arguments: [:])
            )
            let failed = try await store.failToolCall(runID: "r", seq: other.seq, error: "plugin_crashed", latencyMs: 9)
            #expect(failed.status == .failed)
            #expect(try await store.toolCalls("r").count == 2)
        }
    }

    @Test func identicalPayloadsShareOneBlob() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            try await StoreFixtures.paidCall(store, run: "r", step: "a", prompt: "same")
            try await StoreFixtures.paidCall(store, run: "r", step: "b", prompt: "same")
            // One request blob and one response blob, each referenced twice.
            #expect(try await store.statistics().blobs == 2)
        }
    }
}
