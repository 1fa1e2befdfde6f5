import AWPCore
import AWPTestSupport
import Foundation
import Testing

/// The response cache end to end: a second identical run of each example is served from the cache for
/// every LLM call, pays no tokens and no cost, gives the same result, and `awp explain-cache` says why.
@Suite(.serialized) struct CacheEndToEndTests {
    static let examples = ["a0-single-agent", "a1-review-pipeline", "a2-delegation-budget", "a3-dynamic-tools",
                           "a4-recursive-research"]

    @Test(.timeLimit(.minutes(3)), arguments: examples)
    func aSecondIdenticalRunCostsNothing(example: String) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = EndToEndTests.examples.appendingPathComponent(example).path
            let (first, firstOutput) = try RunEndToEndTests.run(["run", workflow], home: dir)
            #expect(firstOutput.status == 0, "stderr: \(firstOutput.err)")
            let firstCalls = try #require(first["usage"]?["llmCalls"]?.intValue)
            #expect((first["usage"]?["inputTokens"]?.intValue ?? 0) > 0)

            let (second, secondOutput) = try RunEndToEndTests.run(["run", workflow], home: dir)
            #expect(secondOutput.status == 0, "stderr: \(secondOutput.err)")
            #expect(second["status"] == "complete")
            let usage = try #require(second["usage"])
            #expect(usage["llmCalls"]?.intValue == firstCalls, "the second run took a different path")
            #expect(usage["inputTokens"] == 0, "usage: \(usage.serialized())")
            #expect(usage["outputTokens"] == 0)
            #expect(usage["costUSD"]?.doubleValue == 0)
            #expect(second["result"] == first["result"], "a warm cache changed the run's result")

            // Every call of the run and of its sub-runs says it was a hit on the first run's response.
            let firstID = try #require(first["runId"]?.stringValue)
            let secondID = try #require(second["runId"]?.stringValue)
            var explained = [try explain(secondID, home: dir)]
            if example.hasPrefix("a4") { explained.append(try explain(secondID + "-sub-1", home: dir)) }
            let calls = explained.flatMap { $0["calls"]?.arrayValue ?? [] }
            #expect(calls.count == firstCalls)
            for call in calls {
                let decision = call["decision"]
                #expect(call["source"] == "cache", "\(call.serialized())")
                #expect(decision?["outcome"] == "hit")
                #expect(decision?["reason"] == "found")
                #expect(decision?["sourceRunId"]?.stringValue?.hasPrefix(firstID) == true)
                #expect((decision?["savedInputTokens"]?.intValue ?? 0) > 0)
                #expect(decision?["explanation"]?.stringValue?.hasPrefix("hit: same request") == true)
            }
            #expect(explained.allSatisfy { $0["summary"]?["miss"] == 0 && $0["summary"]?["bypass"] == 0 })
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aDisabledCacheIsBypassedAndPaysAgain() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = EndToEndTests.examples.appendingPathComponent("a2-delegation-budget").path
            let (first, _) = try RunEndToEndTests.run(["run", workflow], home: dir)
            let (second, output) = try RunEndToEndTests.run(["run", workflow, "--cache-policy", "disabled"], home: dir)
            #expect(output.status == 0, "stderr: \(output.err)")
            #expect(second["usage"]?["inputTokens"] == first["usage"]?["inputTokens"])
            let explained = try explain(try #require(second["runId"]?.stringValue), home: dir)
            #expect(explained["cachePolicy"] == "disabled")
            for call in explained["calls"]?.arrayValue ?? [] {
                #expect(call["decision"]?["outcome"] == "bypass")
                #expect(call["decision"]?["reason"] == "policy_disabled", "\(call.serialized())")
            }
        }
    }

    func explain(_ runID: String, home: URL) throws -> JSONValue {
        let output = try EndToEndTests.spawn("awp", ["explain-cache", runID, "--json", "--home", home.path])
        #expect(output.status == 0, "stderr: \(output.err)")
        return try JSONParser.parse(output.out)
    }
}
