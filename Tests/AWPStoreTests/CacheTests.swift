import AWPCore
import AWPStore
import Testing

@Suite struct CacheTests {
    @Test func theKeyIgnoresKeyOrderAndNumberSpellingButNotContent() throws {
        let a = CanonicalRequest(
            provider: "fake", model: "m", messages: [["role": "user", "content": "hi"]],
            sampling: ["temperature": 1.0, "max_tokens": 10]
        )
        let b = CanonicalRequest(
            provider: "fake", model: "m", messages: [["content": "hi", "role": "user"]],
            sampling: ["max_tokens": 10.0, "temperature": 1]
        )
        #expect(a.hash == b.hash)
        var c = a
        c.sampling = ["temperature": 0.7, "max_tokens": 10]
        #expect(c.hash != a.hash)
        var d = a
        d.model = "m2"
        #expect(d.hash != a.hash)
        var e = a
        e.tools = [["name": "file.read"]]
        #expect(e.hash != a.hash)
        #expect(a.hash.count == 64)
    }

    @Test func theCanonicalEncodingIsSortedAndCompact() {
        let request = CanonicalRequest(provider: "p", model: "m", messages: [["b": 1, "a": 2.5]])
        let text = String(decoding: request.canonicalBytes, as: UTF8.self)
        #expect(
            text
                == #"{"messages":[{"a":2.5,"b":1}],"model":"m","provider":"p","responseFormat":null,"sampling":{},"tools":[]}"#
        )
        #expect(request.hash == SHA256.hexDigest(of: text))
    }

    @Test(arguments: [
        ("auto", CachePolicy.auto), ("disabled", .disabled), ("read_only", .readOnly), ("read-only", .readOnly),
        ("refresh", .refresh),
    ])
    func policiesParseFromTheFlag(text: String, policy: CachePolicy) {
        #expect(CachePolicy(parsing: text) == policy)
    }

    @Test func unknownPoliciesDoNotParse() {
        #expect(CachePolicy(parsing: "always") == nil)
        #expect(CachePolicy.spellings == "auto|disabled|read_only|refresh")
    }

    @Test func eachPolicyReadsAndWritesAsDocumented() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            let request = StoreFixtures.request("q")
            let response: JSONValue = ["content": "a"]
            func lookup(_ policy: CachePolicy, mutating: Bool = false) async throws -> CacheDecision {
                try await store.cacheLookup(namespace: "ns", request: request, policy: policy, isMutating: mutating).decision
            }
            func save(_ policy: CachePolicy, mutating: Bool = false) async throws -> Bool {
                try await store.cacheStore(
                    namespace: "ns", request: request, policy: policy, isMutating: mutating, response: response,
                    usage: TokenUsage(inputTokens: 10, outputTokens: 2), costUSD: 0.01
                )
            }
            #expect(try await lookup(.auto).reason == .notCached)
            #expect(try await save(.disabled) == false)
            #expect(try await save(.readOnly) == false)
            #expect(try await save(.auto, mutating: true) == false)
            #expect(try await lookup(.auto).outcome == .miss)
            #expect(try await save(.auto) == true)

            let hit = try await store.cacheLookup(namespace: "ns", request: request, policy: .auto, isMutating: false)
            #expect(hit.decision.outcome == .hit && hit.decision.reason == .found)
            #expect(hit.response == response)
            #expect(hit.decision.savedUsage == TokenUsage(inputTokens: 10, outputTokens: 2))
            #expect(try await lookup(.readOnly).outcome == .hit)
            #expect(try await lookup(.disabled).reason == .policyDisabled)
            #expect(try await lookup(.refresh).reason == .policyRefresh)
            #expect(try await lookup(.auto, mutating: true).reason == .mutatingCall)
            #expect(try await save(.refresh) == true)
            let other = try await store.cacheLookup(namespace: "other", request: request, policy: .auto, isMutating: false)
            #expect(other.decision.reason == .notCached)
        }
    }

    /// Must show: a second identical run is served entirely from cache and costs zero tokens;
    /// explain-cache data says why, per call.
    @Test func aSecondIdenticalRunIsServedFromTheCacheAtZeroTokens() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            let prompts = ["plan", "work", "summarise"]
            for runID in ["first", "second"] {
                _ = try await store.createRun(NewRun(id: runID, workflow: "w", provider: "fake"))
                for (index, prompt) in prompts.enumerated() {
                    let request = StoreFixtures.request(prompt)
                    let lookup = try await store.cacheLookup(namespace: "w", request: request, policy: .auto, isMutating: false)
                    let call = try await store.beginLLMCall(
                        NewLLMCall(runID: runID, stepKey: "step-\(index)", request: request, cacheDecision: lookup.decision)
                    )
                    if let cached = lookup.response {
                        try await store.completeLLMCall(
                            runID: runID, seq: call.seq, response: cached, usage: .zero, costUSD: 0, latencyMs: 0, source: .cache
                        )
                    } else {
                        let reply: JSONValue = ["content": .string("reply to \(prompt)")]
                        let usage = TokenUsage(inputTokens: 100, outputTokens: 25)
                        try await store.completeLLMCall(
                            runID: runID, seq: call.seq, response: reply, usage: usage, costUSD: 0.001, latencyMs: 30
                        )
                        try await store.cacheStore(
                            namespace: "w", request: request, policy: .auto, isMutating: false, response: reply,
                            usage: usage, costUSD: 0.001, sourceRunID: runID, sourceSeq: call.seq
                        )
                    }
                }
                try await store.finishRun(runID, status: .complete)
            }
            let first = try await store.usage(of: "first")
            let second = try await store.usage(of: "second")
            #expect(first.inputTokens == 300 && first.cacheHits == 0)
            #expect(second.inputTokens == 0 && second.outputTokens == 0 && second.costUSD == 0)
            #expect(second.cacheHits == 3 && second.llmCalls == 3)

            let explained = try await store.cacheExplanations("second")
            #expect(explained.count == 3)
            for (offset, entry) in explained.enumerated() {
                #expect(entry.decision?.outcome == .hit)
                #expect(entry.decision?.sourceRunID == "first")
                #expect(entry.decision?.sourceSeq == offset + 1)
                #expect(entry.decision?.explanation.contains("first answered by run first") == true)
                #expect(entry.decision?.explanation.contains("saved 100 input + 25 output tokens") == true)
            }
            let firstExplained = try await store.cacheExplanations("first")
            #expect(firstExplained.allSatisfy { $0.decision?.reason == .notCached })
        }
    }

    @Test func aGarbageCollectedResponseIsAnIncompleteEntryNotAHit() async throws {
        try await StoreFixtures.withStore { store, _, _ in
            let request = StoreFixtures.request("q")
            try await store.cacheStore(
                namespace: "ns", request: request, policy: .auto, isMutating: false, response: ["x": 1],
                usage: .zero, costUSD: 0
            )
            try await store.withDatabase { database throws in
                try database.execute("DELETE FROM blobs")
            }
            let lookup = try await store.cacheLookup(namespace: "ns", request: request, policy: .auto, isMutating: false)
            #expect(lookup.decision.reason == .entryIncomplete)
            #expect(lookup.response == nil)
        }
    }

    @Test func decisionsRenderAsJSON() {
        let decision = CacheDecision(outcome: .bypass, reason: .mutatingCall, namespace: "n", key: "abc")
        #expect(decision.json["reason"] == "mutating_call")
        #expect(decision.json["explanation"]?.stringValue?.contains("never served from the cache") == true)
    }
}
