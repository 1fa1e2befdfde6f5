import AWPCore
import AWPStore
import AWPTestSupport
import Foundation
import Synchronization

/// A clock that starts at a fixed instant and advances 10 ms each time it is read, so stored
/// times are deterministic and strictly increasing.
final class SteppingClock: Sendable {
    private let current: Mutex<Int64>

    init(start: Int64 = 1_767_225_600_000) {  // 2026-01-01T00:00:00Z
        current = Mutex(start)
    }

    func read() -> Int64 {
        current.withLock { value in
            value += 10
            return value
        }
    }

    /// Moves the clock forward by `milliseconds`.
    func advance(_ milliseconds: Int64) {
        current.withLock { $0 += milliseconds }
    }
}

enum StoreFixtures {
    /// Opens a store in a fresh temporary directory with a stepping clock, runs `body`, cleans up.
    @discardableResult
    static func withStore<T>(
        maximumBlobBytes: Int = 1 << 20,
        _ body: (RunStore, SteppingClock, URL) async throws -> T
    ) async throws -> T {
        try await TestSupport.withTemporaryDirectory { directory in
            let clock = SteppingClock()
            let options = StoreOptions(maximumBlobBytes: maximumBlobBytes, clock: { clock.read() })
            let store = try await RunStore.open(home: StoreHome(directory: directory), options: options)
            return try await body(store, clock, directory)
        }
    }

    static func request(_ prompt: String, model: String = "fake-1") -> CanonicalRequest {
        CanonicalRequest(
            provider: "fake",
            model: model,
            messages: [["role": "user", "content": .string(prompt)]],
            sampling: ["temperature": 0.0, "max_tokens": 256]
        )
    }

    /// Begins and completes one LLM call; returns its record.
    @discardableResult
    static func paidCall(
        _ store: RunStore,
        run: String,
        step: String,
        prompt: String,
        tokens: (Int, Int) = (100, 20),
        agent: String? = nil,
        iteration: Int? = nil
    ) async throws -> LLMCallRecord {
        let call = try await store.beginLLMCall(
            NewLLMCall(runID: run, stepKey: step, request: request(prompt), agent: agent, iteration: iteration)
        )
        return try await store.completeLLMCall(
            runID: run,
            seq: call.seq,
            response: ["content": .string("answer to \(prompt)")],
            usage: TokenUsage(inputTokens: tokens.0, outputTokens: tokens.1),
            costUSD: Double(tokens.0 + tokens.1) / 1_000_000,
            latencyMs: 50
        )
    }
}
