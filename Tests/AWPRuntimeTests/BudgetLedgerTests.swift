import AWPCore
@testable import AWPRuntime
import Testing

@Suite struct BudgetLedgerTests {
    @Test func countedDimensionsRefuseAtTheCap() async throws {
        let ledger = BudgetLedger(limits: BudgetLimits(maxLoops: 2, maxWorkers: 1, maxToolCalls: 3))
        try await ledger.charge(.loops)
        try await ledger.charge(.loops)
        await #expect(throws: BudgetExhausted.self) { try await ledger.charge(.loops) }
        #expect(await ledger.usage.loops == 2)
        #expect(await ledger.exhaustedDimension == .loops)
        try await ledger.charge(.workers)
        do {
            try await ledger.charge(.workers)
            Issue.record("a second worker was admitted")
        } catch {
            #expect(error.dimension == .workers)
            #expect(error.dimension.terminationReason == "max_total_workers")
        }
    }

    @Test func llmReservationsCapTheOutputAndCommitRealUsage() async throws {
        let ledger = BudgetLedger(limits: BudgetLimits(maxTokens: 1000))
        let first = try await ledger.reserveLLMCall(promptTokens: 300, requestedMaxTokens: 4096, pricing: nil)
        #expect(first.maxTokens == 700)
        // While the first is in flight, nothing is left for a second.
        await #expect(throws: BudgetExhausted.self) {
            _ = try await ledger.reserveLLMCall(promptTokens: 10, requestedMaxTokens: 100, pricing: nil)
        }
        await ledger.commitLLMCall(first, inputTokens: 250, outputTokens: 50, costUSD: 0)
        #expect(await ledger.usage.tokens == 300)
        let second = try await ledger.reserveLLMCall(promptTokens: 100, requestedMaxTokens: 4096, pricing: nil)
        #expect(second.maxTokens == 600)
        #expect(await ledger.remaining(.tokens) == 0)
    }

    @Test func costIsReservedAtTheModelsPrice() async throws {
        let pricing = ModelPricing(inputPerMillion: 1_000, outputPerMillion: 10_000) // $0.001 in, $0.01 out per token
        let ledger = BudgetLedger(limits: BudgetLimits(maxCostUSD: 1.0))
        let reservation = try await ledger.reserveLLMCall(promptTokens: 100, requestedMaxTokens: 4096, pricing: pricing)
        // $0.10 for the prompt leaves $0.90: 90 output tokens at a cent each.
        #expect(reservation.maxTokens == 90)
        await ledger.commitLLMCall(reservation, inputTokens: 100, outputTokens: 90, costUSD: 1.0)
        do {
            _ = try await ledger.reserveLLMCall(promptTokens: 1, requestedMaxTokens: 10, pricing: pricing)
            Issue.record("a call past the cost cap was admitted")
        } catch {
            #expect(error.dimension == .cost)
        }
    }

    @Test func concurrentReservationsNeverExceedTheCap() async throws {
        let ledger = BudgetLedger(limits: BudgetLimits(maxTokens: 5_000, maxToolCalls: 37))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    if let r = try? await ledger.reserveLLMCall(promptTokens: 40, requestedMaxTokens: 60, pricing: nil) {
                        await ledger.commitLLMCall(r, inputTokens: 40, outputTokens: r.maxTokens, costUSD: 0)
                    }
                    try? await ledger.charge(.toolCalls)
                }
            }
        }
        let usage = await ledger.usage
        #expect(usage.tokens <= 5_000)
        #expect(usage.toolCalls == 37)
    }

    @Test func childLedgersAreCarvedHeldAndSettled() async throws {
        let parent = BudgetLedger(limits: BudgetLimits(maxLoops: 10, maxWorkers: 10, maxTokens: 10_000, maxDepth: 2))
        try await parent.charge(.loops)
        let child = try await parent.carveChild(fraction: 0.5)
        #expect(child.depth == 2)
        #expect(child.limits.maxLoops == 4) // half of the 9 left, rounded down
        #expect(child.limits.maxTokens == 5_000)
        #expect(await parent.remaining(.loops) == 5)
        // Depth 2 is the maximum: a grandchild is refused.
        await #expect(throws: BudgetExhausted.self) { _ = try await child.carveChild(fraction: 0.5) }
        try await child.charge(.loops)
        let r = try await child.reserveLLMCall(promptTokens: 100, requestedMaxTokens: 100, pricing: nil)
        await child.commitLLMCall(r, inputTokens: 100, outputTokens: 20, costUSD: 0)
        await parent.settle(child: child)
        #expect(await parent.usage.loops == 2)
        #expect(await parent.usage.tokens == 120)
        #expect(await parent.remaining(.loops) == 8)
    }

    @Test func theDeadlineExhaustsWallTime() async throws {
        let ledger = BudgetLedger(limits: BudgetLimits(maxWallSeconds: 0.05))
        try await Task.sleep(for: .milliseconds(80))
        do {
            try await ledger.charge(.loops)
            Issue.record("charged after the deadline")
        } catch {
            #expect(error.dimension == .wallTime)
        }
    }
}

@Suite struct PolicyGateTests {
    @Test func forbiddenWinsThenAllowListsApply() async {
        let events = EventBroadcaster(store: nil)
        let gate = PolicyGate(runID: "r", events: events, forbiddenTools: ["shell.*"], deniedByAgent: ["w1": ["file.write"]])
        #expect(gate.refusal(subject: "w2", tool: "shell.execute", allowed: nil) != nil)
        #expect(gate.refusal(subject: "w1", tool: "file.write", allowed: nil) != nil)
        #expect(gate.refusal(subject: "w2", tool: "file.write", allowed: ["file.*"]) == nil)
        #expect(gate.refusal(subject: "w2", tool: "code.execute", allowed: ["file.*"]) != nil)
        #expect(gate.refusal(subject: "w2", tool: "stats.mean", allowed: ["stats.*"], forbidden: ["stats.mean"]) != nil)
    }

    @Test func decisionsAreEmittedAsAuditedEvents() async {
        let events = EventBroadcaster(store: nil)
        let stream = await events.subscribe()
        let gate = PolicyGate(runID: "r", events: events)
        let allowed = await gate.authorizeTool(subject: "w", tool: "file.write", allowed: ["file.read"])
        #expect(!allowed)
        await events.finish()
        var seen: [RunEvent] = []
        for await event in stream { seen.append(event) }
        #expect(seen.count == 1)
        #expect(seen.first?.isAudited == true)
        #expect(seen.first?.payload["allowed"] == false)
    }
}

@Suite struct ManagerDecisionTests {
    @Test func nativeToolCallsAndJSONTextBothParse() {
        let call = ChatMessage(role: .assistant, content: [.toolCall(ToolCallRequest(id: "1", name: "delegate", arguments: [
            "delegations": [["worker_id": "Data Analyst", "instructions": "profile"]],
        ]))])
        guard case .delegate(_, let envelopes) = ManagerDecision.parse(call) else { Issue.record("not a delegation"); return }
        #expect(envelopes.map(\.workerID) == ["data_analyst"])
        let text = ChatMessage.assistant("Sure!\n```json\n{\"decision\": \"finish\", \"final_result\": {\"answer\": 42}}\n```")
        guard case .complete(_, let result, let confidence) = ManagerDecision.parse(text) else { Issue.record("not complete"); return }
        #expect(result["answer"] == 42)
        #expect(confidence == 0.8)
        guard case .unparseable = ManagerDecision.parse(.assistant("no idea")) else { Issue.record("parsed prose"); return }
        let aliased = ManagerDecision.parse(json: ["workers": [["id": "w", "task": "do it"]]])
        guard case .delegate(_, let aliasedEnvelopes) = aliased else { Issue.record("alias not read"); return }
        #expect(aliasedEnvelopes.first?.instructions == "do it")
    }

    @Test func lenientJSONFindsTheObjectInProse() {
        #expect(LenientJSON.object(in: "Here: {\"a\": \"}\", \"b\": [1, {\"c\": 2}]} thanks")?["b"]?.arrayValue?.count == 2)
        #expect(LenientJSON.object(in: "nothing here") == nil)
    }
}
