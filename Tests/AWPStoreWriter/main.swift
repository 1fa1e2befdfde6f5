// awp-store-writer: a test helper that writes to a run store from its own process, so the tests
// can run writers concurrently and kill one in the middle of a transaction.
//
//   awp-store-writer runs <db> <prefix> <count> <events>   write <count> complete runs, print each id
//   awp-store-writer churn <db> <prefix> <events>          write runs until killed, print each id
//   awp-store-writer hold <db> <events>                    open a big transaction, print "in-transaction", wait to be killed
//   awp-store-writer bench <db> <count>                    print store throughput figures (build with -c release)
import AWPCore
import AWPStore
import Foundation

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// One run as the runtime writes it: created, a batch of events, two calls, finished.
func writeRun(_ store: RunStore, id: String, events: Int) async throws {
    _ = try await store.createRun(NewRun(id: id, workflow: "stress", processID: getpid()))
    let batch = (0..<events).map { index in
        (kind: EventKind(rawValue: "stress.tick"), payload: JSONValue.object([("i", .integer(index)), ("pad", .string(String(repeating: "x", count: 64)))]))
    }
    try await store.appendEvents(id, batch)
    let request = CanonicalRequest(provider: "fake", model: "m", messages: [["role": "user", "content": .string(id)]])
    let call = try await store.beginLLMCall(NewLLMCall(runID: id, stepKey: "llm-0", request: request))
    try await store.completeLLMCall(
        runID: id, seq: call.seq, response: ["content": .string("reply \(id)")],
        usage: TokenUsage(inputTokens: 10, outputTokens: 5), costUSD: 0.001, latencyMs: 1
    )
    try await store.appendEvent(id, kind: .policyDecision, payload: ["allowed": true, "subject": .string(id)], audited: true)
    try await store.finishRun(id, status: .complete, result: .string(id))
}

let arguments = CommandLine.arguments
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: awp-store-writer runs|churn|hold <db> ...\n".utf8))
    exit(64)
}
let path = arguments[2]
do {
    switch arguments[1] {
    case "runs":
        let store = try await RunStore.open(at: path)
        for index in 0..<(Int(arguments[4]) ?? 1) {
            let id = "\(arguments[3])-\(index)"
            try await writeRun(store, id: id, events: Int(arguments[5]) ?? 10)
            say(id)
        }
    case "churn":
        let store = try await RunStore.open(at: path)
        var index = 0
        while true {
            let id = "\(arguments[3])-\(index)"
            try await writeRun(store, id: id, events: Int(arguments[4]) ?? 10)
            say(id)
            index += 1
        }
    case "hold":
        // The raw connection, so the transaction can be left open: a run and thousands of events,
        // more than the page cache holds, so uncommitted pages spill into the WAL before the kill.
        let database = try Database(path: path)
        try database.execute("BEGIN IMMEDIATE")
        try database.run(
            "INSERT INTO runs (id, workflow, status, cache_policy, started_at, audit_head) VALUES ('torn', 'w', 'running', 'auto', 0, ?1)",
            [.text(AuditChain.genesisHash)]
        )
        let padding = String(repeating: "y", count: 400)
        for seq in 1...(Int(arguments[3]) ?? 20_000) {
            try database.run(
                "INSERT INTO events (run_id, seq, at, kind, payload) VALUES ('torn', ?1, 0, 'torn.tick', ?2)",
                [.int(seq), .text("{\"pad\":\"\(padding)\"}")]
            )
        }
        say("in-transaction")
        while true { sleep(60) }
    case "bench":
        let store = try await RunStore.open(at: path)
        let count = Int(arguments[3]) ?? 2000
        let clock = ContinuousClock()
        func rate(_ label: String, _ operations: Int, _ body: () async throws -> Void) async throws {
            let elapsed = try await clock.measure { try await body() }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            say("\(label): \(operations) in \(String(format: "%.3f", seconds)) s = \(Int(Double(operations) / seconds))/s")
        }
        _ = try await store.createRun(NewRun(id: "bench", workflow: "bench"))
        try await rate("appendEvent (one transaction each)", count) {
            for index in 0..<count { try await store.appendEvent("bench", kind: "bench.tick", payload: ["i": .integer(index)]) }
        }
        try await rate("appendEvents (batches of 100)", count * 10) {
            for batch in 0..<(count / 10) {
                try await store.appendEvents("bench", (0..<100).map { (kind: "bench.tick", payload: ["b": .integer(batch), "i": .integer($0)]) })
            }
        }
        try await rate("LLM call begin + complete (two transactions, two blobs)", count) {
            for index in 0..<count {
                let request = CanonicalRequest(provider: "fake", model: "m", messages: [["content": .string("prompt \(index)")]])
                let call = try await store.beginLLMCall(NewLLMCall(runID: "bench", stepKey: "s\(index)", request: request))
                try await store.completeLLMCall(
                    runID: "bench", seq: call.seq, response: ["content": .string("reply \(index)")], usage: .zero, costUSD: 0, latencyMs: 1
                )
            }
        }
        try await rate("cacheLookup (hit)", count) {
            let request = CanonicalRequest(provider: "fake", model: "m", messages: [["content": "cached"]])
            try await store.cacheStore(namespace: "n", request: request, policy: .auto, isMutating: false, response: ["x": 1], usage: .zero, costUSD: 0)
            for _ in 0..<count { _ = try await store.cacheLookup(namespace: "n", request: request, policy: .auto, isMutating: false) }
        }
        try await rate("resumePoint of a run with \(count) calls", 10) {
            for _ in 0..<10 { _ = try await store.resumePoint("bench") }
        }
        try await rate("audited appendEvent", count) {
            for index in 0..<count { try await store.appendEvent("bench", kind: .policyDecision, payload: ["i": .integer(index)], audited: true) }
        }
        try await rate("verifyAudit of \(count + 1) entries", 1) { _ = try await store.verifyAudit("bench") }
        try await rate("OTLP trace of the run", 1) { _ = try await store.traceOTLP("bench") }
    default:
        FileHandle.standardError.write(Data("unknown mode \(arguments[1])\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("awp-store-writer: \(error)\n".utf8))
    exit(1)
}
