import AWPCore
@testable import AWPStore
import AWPTestSupport
import Foundation
import Testing

/// Must show: the store survives concurrent writers and a writer killed mid-transaction.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RobustnessTests {
    static let eventsPerRun = 40

    /// Checks every `stress` run is in one of the states the writer's transactions allow, that its
    /// audit chain verifies, and returns the complete runs.
    static func checkInvariants(_ store: RunStore) async throws -> Set<String> {
        #expect(try await store.integrityCheck() == ["ok"])
        let n = eventsPerRun
        var complete: Set<String> = []
        for run in try await store.runs(limit: 10_000) where run.workflow == "stress" {
            let events = try await store.events(run.id).count
            #expect([1, 1 + n, 2 + n, 3 + n].contains(events), "run \(run.id) has \(events) events: a transaction was torn")
            #expect((run.status == .complete) == (events == 3 + n), "run \(run.id) is \(run.status) with \(events) events")
            #expect(try await store.verifyAudit(run.id).isOK, "audit chain of \(run.id)")
            let calls = try await store.llmCalls(run.id)
            #expect(calls.count <= 1)
            if run.status == .complete {
                #expect(calls.first?.status == .completed)
                complete.insert(run.id)
            }
        }
        #expect(try await store.runs(limit: 10_000).allSatisfy { $0.id != "torn" })
        return complete
    }

    @Test func twoConnectionsWritingAtOnceNeitherFailNorCorrupt() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("awp.sqlite").path
            let a = try await RunStore.open(at: path)
            let b = try await RunStore.open(at: path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (name, store) in [("a", a), ("b", b)] {
                    group.addTask {
                        for index in 0..<15 { try await Self.writeRun(store, id: "\(name)-\(index)") }
                    }
                }
                try await group.waitForAll()
            }
            let complete = try await Self.checkInvariants(a)
            #expect(complete.count == 30)
            #expect(try await b.statistics().runs == 30)
        }
    }

    @Test func twoProcessesAndThisOneWritingAtOnceNeitherFailNorCorrupt() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("awp.sqlite").path
            let store = try await RunStore.open(at: path)
            let writers = try ["p", "q"].map { prefix in
                try ChildProcess(Self.writer, ["runs", path, prefix, "20", "\(Self.eventsPerRun)"])
            }
            for index in 0..<10 { try await Self.writeRun(store, id: "local-\(index)") }
            for writer in writers {
                let result = await writer.waitForExit()
                #expect(result.status == 0, "writer failed: \(result.error)")
                #expect(result.output.split(separator: "\n").count == 20)
            }
            let complete = try await Self.checkInvariants(store)
            #expect(complete.count == 50)
        }
    }

    @Test func aWriterKilledInsideATransactionLeavesNoTraceAndNoDamage() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("awp.sqlite").path
            let store = try await RunStore.open(at: path)
            try await Self.writeRun(store, id: "before")
            let holder = try ChildProcess(Self.writer, ["hold", path, "20000"])
            #expect(await holder.readLine() == "in-transaction")

            // While the writer holds the lock, a short-timeout writer fails with a busy error...
            let impatient = try await RunStore.open(at: path, options: StoreOptions(busyTimeoutMilliseconds: 50))
            await #expect { try await impatient.createRun(NewRun(id: "waiting", workflow: "w")) } throws: { error in
                (error as? StoreError)?.isBusy == true
            }
            // ...and readers still see the last committed state.
            #expect(try await store.statistics().runs == 1)

            holder.kill()
            _ = await holder.waitForExit()
            let reopened = try await RunStore.open(at: path)
            let complete = try await Self.checkInvariants(reopened)
            #expect(complete == ["before"])
            #expect(try await reopened.withDatabase { database in
                try database.queryFirst("SELECT COUNT(*) AS n FROM events WHERE kind = 'torn.tick'")?.int("n")
            } == 0)
            _ = try await impatient.createRun(NewRun(id: "after", workflow: "w"))
            #expect(try await reopened.integrityCheck() == ["ok"])
        }
    }

    @Test func writersKilledAtRandomPointsNeverTearARun() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("awp.sqlite").path
            var reported: Set<String> = []
            for round in 0..<5 {
                let churn = try ChildProcess(Self.writer, ["churn", path, "round\(round)", "\(Self.eventsPerRun)"])
                for _ in 0..<Int.random(in: 1...3) {
                    if let id = await churn.readLine() { reported.insert(id) }
                }
                // A random extra moment so the kill lands anywhere in the write sequence.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...25)))
                churn.kill()
                let rest = await churn.waitForExit()
                reported.formUnion(rest.output.split(separator: "\n").map(String.init))

                let store = try await RunStore.open(at: path)
                let complete = try await Self.checkInvariants(store)
                // Every run the writer reported finished was durable despite the kill.
                #expect(reported.isSubset(of: complete), "lost: \(reported.subtracting(complete))")
            }
        }
    }

    static var writer: URL { TestSupport.productsDirectory.appendingPathComponent("awp-store-writer") }

    /// The same sequence as the helper writes.
    static func writeRun(_ store: RunStore, id: String) async throws {
        _ = try await store.createRun(NewRun(id: id, workflow: "stress"))
        try await store.appendEvents(id, (0..<eventsPerRun).map { (kind: EventKind(rawValue: "stress.tick"), payload: ["i": .integer($0)]) })
        let request = CanonicalRequest(provider: "fake", model: "m", messages: [["content": .string(id)]])
        let call = try await store.beginLLMCall(NewLLMCall(runID: id, stepKey: "llm-0", request: request))
        try await store.completeLLMCall(runID: id, seq: call.seq, response: ["x": 1], usage: .zero, costUSD: 0, latencyMs: 1)
        try await store.appendEvent(id, kind: .policyDecision, payload: ["allowed": true], audited: true)
        try await store.finishRun(id, status: .complete)
    }
}
