import AWPCore
@testable import AWPStore
import AWPTestSupport
import Foundation
import Testing

@Suite struct RunStoreTests {
    @Test func createFinishAndReadBackARun() async throws {
        try await StoreFixtures.withStore { store, _, directory in
            let run = try await store.createRun(
                NewRun(
                    id: "r1",
                    workflow: "demo",
                    task: "sum",
                    provider: "fake",
                    model: "fake-1",
                    budget: ["max_total_tokens": 1000],
                    outputDirectory: "/tmp/out",
                    cachePolicy: .readOnly,
                    processID: 42
                )
            )
            #expect(run.status == .running)
            #expect(run.processID == 42)
            #expect(run.cachePolicy == .readOnly)
            #expect(run.budget == ["max_total_tokens": 1000])
            try await store.finishRun("r1", status: .complete, terminationReason: "success", result: ["answer": 42])
            let finished = try await store.run("r1")
            #expect(finished.status == .complete)
            #expect(finished.terminationReason == "success")
            #expect(finished.result == ["answer": 42])
            #expect(finished.processID == nil)
            #expect(finished.endedAt! > finished.startedAt)
            let kinds = try await store.events("r1").map(\.kind)
            #expect(kinds == [.runStarted, .runFinished])
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("awp.sqlite").path))
        }
    }

    @Test func runIDsAreGeneratedSortableAndUnique() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            let a = try await store.createRun(NewRun(workflow: "w"))
            let b = try await store.createRun(NewRun(workflow: "w"))
            #expect(a.id != b.id)
            #expect(a.id.wholeMatch(of: /\d{8}-\d{6}-[0-9a-f]{6}/) != nil)
        }
        #expect(RunID.generate(now: Date(timeIntervalSince1970: 1_767_225_600)).hasPrefix("20260101-000000-"))
    }

    @Test func resolveLatestExactAndPrefix() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            await #expect(throws: StoreError.noRuns(database: store.path)) { try await store.resolveRun("latest") }
            _ = try await store.createRun(NewRun(id: "alpha-1", workflow: "w"))
            _ = try await store.createRun(NewRun(id: "alpha-2", workflow: "w"))
            _ = try await store.createRun(NewRun(id: "beta-1", workflow: "w", parentRunID: "alpha-2"))
            #expect(try await store.resolveRun("latest").id == "alpha-2")  // sub-runs are not "latest"
            #expect(try await store.resolveRun("alpha-1").id == "alpha-1")
            #expect(try await store.resolveRun("bet").id == "beta-1")
            await #expect(throws: StoreError.ambiguousRun(reference: "alpha", matches: ["alpha-1", "alpha-2"])) {
                try await store.resolveRun("alpha")
            }
            await #expect(throws: StoreError.runNotFound(reference: "%", database: store.path)) {
                try await store.resolveRun("%")
            }
            let error = StoreError.runNotFound(reference: "x", database: "/h/awp.sqlite")
            #expect(error.description == "no run 'x' in /h/awp.sqlite")
        }
    }

    @Test func runsListsNewestFirstAndHidesSubRunsByDefault() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            for index in 1...5 { _ = try await store.createRun(NewRun(id: "r\(index)", workflow: "w")) }
            _ = try await store.createRun(NewRun(id: "child", workflow: "w", parentRunID: "r5"))
            #expect(try await store.runs(limit: 3).map(\.id) == ["r5", "r4", "r3"])
            #expect(try await store.runs(limit: 10, includingSubRuns: true).count == 6)
            #expect(try await store.childRuns(of: "r5").map(\.id) == ["child"])
        }
    }

    @Test func aSubRunNeedsAnExistingParent() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            await #expect(throws: StoreError.runNotFound(reference: "ghost", database: store.path)) {
                try await store.createRun(NewRun(workflow: "w", parentRunID: "ghost"))
            }
        }
    }

    @Test func usageSumsCallsWorkersAndLoopsIncludingSubRuns() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "root", workflow: "w"))
            _ = try await store.createRun(NewRun(id: "sub", workflow: "w", parentRunID: "root"))
            try await StoreFixtures.paidCall(store, run: "root", step: "a", prompt: "one", tokens: (100, 10))
            try await StoreFixtures.paidCall(store, run: "sub", step: "a", prompt: "two", tokens: (50, 5))
            try await store.appendEvents(
                "root",
                [
                    (.iterationStarted, ["iteration": 1]), (.workerStarted, ["worker": "w1"]),
                    (.workerStarted, ["worker": "w2"]),
                ]
            )
            let tool = try await store.beginToolCall(
                NewToolCall(runID: "root", stepKey: "t", plugin: "fs", tool: "file.read", isMutating: false, arguments: [:])
            )
            try await store.completeToolCall(runID: "root", seq: tool.seq, result: ["text": "x"], latencyMs: 3)
            let total = try await store.usage(of: "root")
            #expect(total.llmCalls == 2)
            #expect(total.inputTokens == 150)
            #expect(total.outputTokens == 15)
            #expect(abs(total.costUSD - 165.0 / 1_000_000) < 1e-12)
            #expect(total.workers == 2)
            #expect(total.loops == 1)
            #expect(total.toolCalls == 1)
            let own = try await store.usage(of: "root", includingSubRuns: false)
            #expect(own.inputTokens == 100)
            let keys = total.json.objectValue!.map(\.key)
            #expect(Array(keys.prefix(8)) == ["llmCalls", "inputTokens", "outputTokens", "costUSD", "workers", "loops", "toolCalls", "wallMs"])
        }
    }

    @Test func eventsAreNumberedWithoutGapsAndFilterable() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            for index in 0..<5 { try await store.appendEvent("r", kind: "custom.tick", payload: ["i": .integer(index)]) }
            let all = try await store.events("r")
            #expect(all.map(\.seq) == Array(1...6))
            #expect(try await store.events("r", afterSeq: 4).map(\.seq) == [5, 6])
            #expect(try await store.events("r", kinds: ["custom.tick"], limit: 2).map(\.seq) == [2, 3])
            #expect(all[1].payload == ["i": 0])
            await #expect(throws: StoreError.runNotFound(reference: "nope", database: store.path)) {
                try await store.appendEvent("nope", kind: "x")
            }
        }
    }

    @Test func eventsCannotBeUpdatedOrDeletedButGoWithTheirRun() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            try await store.finishRun("r", status: .failed)
            try await store.withDatabase { database throws in
                #expect(throws: StoreError.self) { try database.run("UPDATE events SET kind = 'x'") }
                #expect(throws: StoreError.self) { try database.run("DELETE FROM events") }
                #expect(throws: StoreError.self) { try database.run("UPDATE audit SET kind = 'x'") }
                #expect(throws: StoreError.self) { try database.run("DELETE FROM audit") }
                try database.run("DELETE FROM runs WHERE id = 'r'")
                #expect(try database.query("SELECT * FROM events").isEmpty)
                #expect(try database.query("SELECT * FROM audit").isEmpty)
            }
        }
    }

    @Test func blobsAreStoredOnceAndCapped() async throws {
        try await StoreFixtures.withStore(maximumBlobBytes: 1000) { store, _, _ in
            let bytes = Array("hello".utf8)
            let first = try await store.putBlob(bytes)
            let again = try await store.putBlob(bytes)
            #expect(first == again)
            #expect(first.sha256 == SHA256.hexDigest(of: bytes))
            #expect(try await store.blob(first.sha256) == bytes)
            #expect(try await store.statistics().blobs == 1)
            await #expect(throws: StoreError.blobTooLarge(size: 1001, limit: 1000)) {
                try await store.putBlob([UInt8](repeating: 0, count: 1001))
            }
            await #expect(throws: StoreError.blobMissing(sha256: "0")) { try await store.blob("0") }
        }
    }

    @Test func artifactsRecordSizeAndDigestOfTheFile() async throws {
        try await StoreFixtures.withStore { store, _, directory in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            let file = directory.appendingPathComponent("report.md")
            try "# Result\n".write(to: file, atomically: true, encoding: .utf8)
            let record = try await store.recordArtifact("r", file: file, as: "output/report.md")
            #expect(record.size == 9)
            #expect(record.sha256 == SHA256.hexDigest(of: "# Result\n"))
            try await store.recordArtifact("r", path: "output/report.md", size: 1, sha256: "ab")
            #expect(try await store.artifacts("r").map(\.size) == [1])
            #expect(try await store.events("r", kinds: [.artifactRecorded]).count == 2)
        }
    }

    @Test func aClosedStoreRefusesWork() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            await store.close()
            await #expect(throws: StoreError.self) { try await store.runs() }
        }
    }

    @Test func homeResolutionPrefersFlagThenEnvironmentThenDefault() {
        let flag = StoreHome.resolve(explicit: "/a", environment: ["AWP_HOME": "/b"], currentDirectory: "/c")
        #expect(flag.directory.path == "/a")
        let environment = StoreHome.resolve(explicit: nil, environment: ["AWP_HOME": "/b"], currentDirectory: "/c")
        #expect(environment.databasePath == "/b/awp.sqlite")
        let fallback = StoreHome.resolve(explicit: nil, environment: [:], currentDirectory: "/c")
        #expect(fallback.databasePath == "/c/.awp/awp.sqlite")
        #expect(fallback.traceFile("r1").path == "/c/.awp/runs/r1/trace.otlp.json")
    }
}

@Suite struct TimestampTests {
    @Test func formatsMillisecondsExactlyInUTC() {
        #expect(Timestamp.iso8601(1_767_225_600_123) == "2026-01-01T00:00:00.123Z")
        #expect(Timestamp.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.iso8601(1_767_225_600_999) == "2026-01-01T00:00:00.999Z")
    }
}
