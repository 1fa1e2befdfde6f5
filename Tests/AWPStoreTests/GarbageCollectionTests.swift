import AWPCore
import AWPStore
import Testing

@Suite struct GarbageCollectionTests {
    @Test func oldFinishedRunsGoWithTheirRowsAndBlobsButRunningOnesStay() async throws {
        try await StoreFixtures.withStore { store, clock, _ in
            _ = try await store.createRun(NewRun(id: "old", workflow: "w"))
            _ = try await store.createRun(NewRun(id: "old-sub", workflow: "w", parentRunID: "old"))
            try await StoreFixtures.paidCall(store, run: "old", step: "s", prompt: "only in old")
            try await StoreFixtures.paidCall(store, run: "old-sub", step: "s", prompt: "only in old-sub")
            try await store.finishRun("old", status: .complete)
            _ = try await store.createRun(NewRun(id: "crashed", workflow: "w"))
            try await StoreFixtures.paidCall(store, run: "crashed", step: "s", prompt: "kept")
            clock.advance(10 * 86_400_000)
            _ = try await store.createRun(NewRun(id: "new", workflow: "w"))
            try await store.finishRun("new", status: .complete)

            let before = try await store.statistics()
            let report = try await store.collectGarbage(GarbageCollection(keepDays: 7))
            #expect(report.deletedRunIDs == ["old", "old-sub"])
            #expect(report.runsDeleted == 2)
            #expect(report.blobsDeleted == 4)  // request + response of each deleted call
            let after = try await store.statistics()
            #expect(after.runs == 2)
            #expect(after.blobs == before.blobs - 4)
            #expect(try await store.runs(limit: 10).map(\.id).sorted() == ["crashed", "new"])
            #expect(try await store.completedLLMCall(runID: "crashed", stepKey: "s") != nil)
            #expect(try await store.integrityCheck() == ["ok"])
        }
    }

    @Test func aByteBudgetEvictsLeastRecentlyUsedCacheEntriesOnly() async throws {
        try await StoreFixtures.withStore { store, clock, _ in
            let big = String(repeating: "x", count: 10_000)
            for name in ["a", "b", "c"] {
                try await store.cacheStore(
                    namespace: "ns", request: StoreFixtures.request(name), policy: .auto, isMutating: false,
                    response: ["content": .string(name + big)], usage: .zero, costUSD: 0
                )
                clock.advance(1000)
            }
            // "a" is used again, so "b" is now the least recently used.
            _ = try await store.cacheLookup(namespace: "ns", request: StoreFixtures.request("a"), policy: .auto, isMutating: false)
            let report = try await store.collectGarbage(GarbageCollection(maximumBlobBytes: 25_000))
            #expect(report.cacheEntriesEvicted == 1)
            #expect(report.blobBytesKept <= 25_000)
            let b = try await store.cacheLookup(namespace: "ns", request: StoreFixtures.request("b"), policy: .auto, isMutating: false)
            #expect(b.decision.reason == .notCached)
            let a = try await store.cacheLookup(namespace: "ns", request: StoreFixtures.request("a"), policy: .auto, isMutating: false)
            #expect(a.decision.outcome == .hit)
        }
    }

    @Test func blobsOfKeptRunsSurviveAnyBudget() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            _ = try await store.createRun(NewRun(id: "r", workflow: "w"))
            try await StoreFixtures.paidCall(store, run: "r", step: "s", prompt: "p")
            let report = try await store.collectGarbage(GarbageCollection(maximumBlobBytes: 0))
            #expect(report.blobsDeleted == 0)
            #expect(report.blobBytesKept > 0)
            #expect(try await store.completedLLMCall(runID: "r", stepKey: "s")?.response == ["content": "answer to p"])
        }
    }

    @Test func orphanBlobsAreCollected() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            try await store.putBlob(Array("nobody refers to me".utf8))
            let report = try await store.collectGarbage(GarbageCollection())
            #expect(report.blobsDeleted == 1)
            #expect(try await store.statistics().blobs == 0)
        }
    }
}
