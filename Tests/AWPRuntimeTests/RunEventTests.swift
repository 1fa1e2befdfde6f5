import AWPCore
import AWPRuntime
import AWPStore
import Testing

@Suite struct RunEventTests {
    @Test func payloadsAreFlatAndOmitMissingMembers() {
        let event = RunEvent(runID: "r1", depth: 2, at: 5, .workerFinished(worker: "w", status: "ok", confidence: nil))
        #expect(event.kind.rawValue == "worker.finished")
        #expect(event.payload == ["worker": "w", "status": "ok", "depth": 2])
    }

    @Test func policyAndBudgetEventsAreAudited() {
        #expect(RunEvent(runID: "r", .policyDecision(subject: "w", action: "tool:x", allowed: false, reason: "no")).isAudited)
        #expect(RunEvent(runID: "r", .budget(dimension: "tokens", action: "refused", used: 1, limit: 1)).isAudited)
        #expect(!RunEvent(runID: "r", .log(level: "info", message: "m")).isAudited)
    }
}
