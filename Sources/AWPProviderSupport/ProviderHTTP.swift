public import AWPCore
public import AWPPluginKit
public import Foundation
#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif

/// What the provider plugins share around HTTP: retries as the official SDKs do them, an overall
/// deadline of our own (Linux URLSession does not enforce a resource timeout), and the mapping from
/// HTTP statuses to plugin error kinds.
public enum ProviderHTTP {
    /// Retries after the first attempt, as openai-python and anthropic-sdk-python default to.
    public static let defaultMaximumRetries = 2
    /// A `Retry-After` longer than this is not waited for: the call fails with `retryAfterMs` instead.
    public static let longestRetryWait: Duration = .seconds(120)

    /// Sends `request`, retrying connection failures, 408, 409, 429 and 5xx, and returns the first
    /// successful response with its body still streaming.
    ///
    /// - Parameter describe: turns an error response's status, headers and body into the failure to throw;
    ///   a `retryAfterMs` it sets is the wait when the headers name none.
    /// - Throws: `PluginFailure`.
    public static func send(_ request: URLRequest, deadline: ContinuousClock.Instant, maximumRetries: Int = defaultMaximumRetries,
                            describe: (Int, [String: String], Data) -> PluginFailure) async throws -> HTTPStreamResponse {
        var attempt = 0
        while true {
            let idle = max(1, Int((deadline - .now).components.seconds) + 1)
            var wait: Duration?
            var failure: PluginFailure
            do {
                let response = try await HTTPStreamingClient.send(request, idleTimeout: idle)
                if (200..<300).contains(response.status) { return response }
                let body = try await response.collect()
                failure = describe(response.status, response.headers, body)
                if failure.httpStatus == nil { failure.httpStatus = response.status }
                if shouldRetry(status: response.status, headers: response.headers) {
                    // Gemini puts its delay in the body (`RetryInfo.retryDelay`), which `describe` reads.
                    wait = retryAfter(response.headers) ?? failure.retryAfterMs.map { .milliseconds($0) } ?? backoff(attempt: attempt)
                    if let wait, wait > longestRetryWait {
                        failure.retryAfterMs = wait.wholeMilliseconds
                        throw failure
                    }
                } else {
                    throw failure
                }
            } catch let error as PluginFailure {
                throw error
            } catch is CancellationError {
                throw PluginFailure(.timeout, "cancelled")
            } catch {
                failure = PluginFailure(.unavailable, "cannot reach \(request.url?.host ?? "the provider"): \(error.localizedDescription)")
                wait = backoff(attempt: attempt)
            }
            attempt += 1
            guard attempt <= maximumRetries, let delay = wait, ContinuousClock.now + delay < deadline else {
                if let wait { failure.retryAfterMs = failure.retryAfterMs ?? wait.wholeMilliseconds }
                throw failure
            }
            try await Task.sleep(for: delay)
        }
    }

    /// Runs `body` and fails with `timeout` if it has not finished by `deadline`, cancelling it.
    public static func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant,
                                                 _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw PluginFailure(.timeout, "the provider did not finish before the deadline")
            }
            return value
        }
    }

    /// `x-should-retry` wins when present; otherwise 408, 409, 429 and 5xx are retried.
    public static func shouldRetry(status: Int, headers: [String: String]) -> Bool {
        switch headers["x-should-retry"] {
        case "true": return true
        case "false": return false
        default: return status == 408 || status == 409 || status == 429 || status >= 500
        }
    }

    /// `retry-after-ms`, else `retry-after` in seconds; nil when absent or unreadable.
    public static func retryAfter(_ headers: [String: String]) -> Duration? {
        if let text = headers["retry-after-ms"], let value = Double(text), value >= 0 { return .milliseconds(Int(value)) }
        if let text = headers["retry-after"], let value = Double(text), value >= 0 { return .milliseconds(Int(value * 1000)) }
        return nil
    }

    /// 0.5 s × 2^attempt, capped at 8 s, times a jitter factor between 0.75 and 1.
    public static func backoff(attempt: Int) -> Duration {
        let seconds = min(0.5 * pow(2, Double(min(attempt, 10))), 8) * Double.random(in: 0.75...1)
        return .milliseconds(Int(seconds * 1000))
    }

    /// The plugin error kind for an HTTP error status.
    public static func kind(forStatus status: Int) -> PluginErrorKind {
        switch status {
        case 401, 403: .auth
        case 408: .timeout
        case 413: .contextLength
        case 429: .rateLimited
        case 529: .overloaded
        case 400..<500: .invalidRequest
        default: .unavailable
        }
    }

    /// A setting from the environment parsed as a whole number.
    public static func integer(_ name: String, default fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? fallback
    }
}

extension URLRequest {
    /// A `POST` of `body` as JSON, accepting SSE when `streaming`.
    public static func postJSON(_ url: URL, body: JSONValue, streaming: Bool) -> URLRequest {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(streaming ? "text/event-stream" : "application/json", forHTTPHeaderField: "Accept")
        request.httpBody = Data(body.serializedUTF8())
        return request
    }
}
