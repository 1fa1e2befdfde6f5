import AWPCore
import AWPRuntime
import AWPStore
import AWPTestSupport
import Foundation
import Testing

/// A greedy fake manager tries to go past each budget dimension in turn. Every run must end with that
/// dimension as its reason, and the usage recorded must stay within the cap.
@Suite(.serialized) struct BudgetAdversaryTests {
    static func greedyRun(_ limits: BudgetLimits, fake: [String: String], in dir: URL) async throws -> RunReport {
        var options = RunOptions()
        options.home = dir.appendingPathComponent("home").path
        options.binaryDirectory = TestSupport.productsDirectory.path
        options.budget = limits
        options.cachePolicy = .disabled
        options.environment = ProcessInfo.processInfo.environment.merging(["AWP_FAKE_MODE": "greedy"].merging(fake) { $1 }) { $1 }
        options.currentDirectory = dir.path
        return try await WorkflowRunner.runTask("Use as much as you can.", options: options)
    }

    @Test(.timeLimit(.minutes(1))) func loops() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try await Self.greedyRun(BudgetLimits(maxLoops: 3), fake: [:], in: dir)
            #expect(report.status == "partial")
            #expect(report.terminationReason == "max_loops")
            #expect(report.usage.loops <= 3)
        }
    }

    @Test(.timeLimit(.minutes(1))) func workersInAWideIteration() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try await Self.greedyRun(BudgetLimits(maxWorkers: 5), fake: ["AWP_FAKE_WORKERS": "4"], in: dir)
            #expect(report.terminationReason == "max_total_workers")
            #expect(report.usage.workers == 5)
        }
    }

    @Test(.timeLimit(.minutes(1))) func tokens() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try await Self.greedyRun(BudgetLimits(maxTokens: 12_000), fake: ["AWP_FAKE_WORKERS": "3"], in: dir)
            #expect(report.terminationReason == "max_total_tokens")
            #expect(report.usage.inputTokens + report.usage.outputTokens <= 12_000)
        }
    }

    @Test(.timeLimit(.minutes(1))) func cost() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            // $10 per million tokens in and out: a few thousand tokens cost a few cents.
            let report = try await Self.greedyRun(BudgetLimits(maxCostUSD: 0.05),
                                                  fake: ["AWP_FAKE_PRICE_IN": "10", "AWP_FAKE_PRICE_OUT": "10", "AWP_FAKE_WORKERS": "2"],
                                                  in: dir)
            #expect(report.terminationReason == "max_cost_usd")
            #expect(report.usage.costUSD <= 0.05 + 1e-9)
            #expect(report.usage.costUSD > 0)
        }
    }

    @Test(.timeLimit(.minutes(1))) func wallTime() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try await Self.greedyRun(BudgetLimits(maxWallSeconds: 1.5), fake: ["AWP_FAKE_LATENCY_MS": "200"], in: dir)
            #expect(report.terminationReason == "max_wall_time")
            #expect(report.status == "partial")
            // The ledger's deadline is set before the run record is created, so no call may start later than
            // 1.5 s after the recorded start (an invariant of the stored times, not a timing of this test).
            let store = try await RunStore.open(home: StoreHome(directory: dir.appendingPathComponent("home")),
                                                options: StoreOptions(createIfMissing: false))
            let run = try await store.run(report.runID)
            let calls = try await store.llmCalls(report.runID)
            #expect(!calls.isEmpty)
            #expect(calls.allSatisfy { $0.startedAt <= run.startedAt + 1_500 })
        }
    }

    @Test(.timeLimit(.minutes(1))) func toolCallsAcrossParallelWorkers() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try await Self.greedyRun(BudgetLimits(maxToolCalls: 7),
                                                  fake: ["AWP_FAKE_WORKERS": "4", "AWP_FAKE_TOOL_CALLS": "5"], in: dir)
            #expect(report.terminationReason == "max_tool_calls")
            #expect(report.usage.toolCalls == 7)
        }
    }

    @Test(.timeLimit(.minutes(1))) func depth() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try await Self.greedyRun(BudgetLimits(maxDepth: 2), fake: ["AWP_FAKE_SUBMANAGERS": "1"], in: dir)
            #expect(report.terminationReason == "max_depth")
            let store = try await RunStore.open(home: StoreHome(directory: dir.appendingPathComponent("home")),
                                                options: StoreOptions(createIfMissing: false))
            let children = try await store.childRuns(of: report.runID)
            #expect(children.count == 1)
            #expect(try await store.childRuns(of: children[0].id).isEmpty)
        }
    }
}

@Suite struct AgentWorkflowTests {
    @Test(.timeLimit(.minutes(1))) func theSwiftAPIRunsATaskOnACSV() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let csv = dir.appendingPathComponent("readings.csv")
            try "sensor,value\na,1\nb,3\n".write(to: csv, atomically: true, encoding: .utf8)
            var options = RunOptions()
            options.home = dir.appendingPathComponent("home").path
            options.binaryDirectory = TestSupport.productsDirectory.path
            let report = try await AgentWorkflow(inputs: ["readings": csv.path], task: "Profile the readings", options: options).run()
            #expect(report.status == "complete")
            let summary = try JSONParser.parse(try String(contentsOfFile: report.outputDirectory + "/summary.json", encoding: .utf8))
            #expect(summary["readings.csv"]?["numeric"]?["value"]?["mean"] == 2)
        }
    }
}
