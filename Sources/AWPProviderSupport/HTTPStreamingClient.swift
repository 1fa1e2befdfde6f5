public import Foundation
#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif

/// A response whose body arrives as it is received: status and headers first, then chunks.
public struct HTTPStreamResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: AsyncThrowingStream<Data, any Error>

    /// The whole body, up to `limit` bytes (the rest is dropped): for error responses.
    public func collect(limit: Int = 1 << 20) async throws -> Data {
        var data = Data()
        for try await chunk in body where data.count < limit {
            data.append(chunk.prefix(limit - data.count))
        }
        return data
    }
}

/// Streams HTTP responses with FoundationNetworking's delegate API.
///
/// On Linux `URLSession.bytes(for:)` does not exist, and the data-task completion API buffers the
/// whole body, so SSE needs the delegate callbacks bridged to an `AsyncThrowingStream`. One session per
/// request keeps the delegate simple and is invalidated when the request ends (a session retains its
/// delegate until then). Cancelling the consuming task cancels the transfer.
public enum HTTPStreamingClient {
    /// Sends `request` and returns once the response headers have arrived.
    ///
    /// - Parameter idleTimeout: whole seconds of silence after which libcurl gives up (corelibs truncates
    ///   sub-second values to zero, which would fail at once). The overall deadline is the caller's.
    public static func send(_ request: URLRequest, idleTimeout: Int = 300) async throws -> HTTPStreamResponse {
        var request = request
        request.timeoutInterval = TimeInterval(max(idleTimeout, 1))
        let delegate = StreamDelegate()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = TimeInterval(max(idleTimeout, 1))
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        let task = session.dataTask(with: request)
        delegate.session = session
        delegate.cancelOnTermination(task)
        return try await withTaskCancellationHandler {
            let response: HTTPURLResponse = try await withCheckedThrowingContinuation { continuation in
                delegate.start(responseContinuation: continuation)
                task.resume()
            }
            var headers: [String: String] = [:]
            for (key, value) in response.allHeaderFields {
                if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
            }
            let body = delegate.body
            return HTTPStreamResponse(status: response.statusCode, headers: headers, body: body)
        } onCancel: {
            task.cancel()
        }
    }
}

/// Bridges one data task's delegate callbacks to a continuation (headers) and a stream (body).
///
/// `@unchecked Sendable`: its mutable state is touched from the session's serial delegate queue and,
/// once, from `start` before the task is resumed; the lock makes those hand-overs explicit.
private final class StreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var responseContinuation: CheckedContinuation<HTTPURLResponse, any Error>?
    private let streamPair = AsyncThrowingStream<Data, any Error>.makeStream()
    var session: URLSession?

    var body: AsyncThrowingStream<Data, any Error> { streamPair.stream }

    /// A consumer that stops reading (or is cancelled, or hits its deadline) cancels the transfer.
    func cancelOnTermination(_ task: URLSessionTask) {
        streamPair.continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
    }

    func start(responseContinuation: CheckedContinuation<HTTPURLResponse, any Error>) {
        lock.withLock { self.responseContinuation = responseContinuation }
    }

    private func takeResponseContinuation() -> CheckedContinuation<HTTPURLResponse, any Error>? {
        lock.withLock {
            defer { responseContinuation = nil }
            return responseContinuation
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse {
            takeResponseContinuation()?.resume(returning: http)
        } else {
            takeResponseContinuation()?.resume(throwing: URLError(.badServerResponse))
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        streamPair.continuation.yield(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        // Both ends must finish here: a failure before the headers (connection refused) would
        // otherwise leave the caller waiting for a response that never comes.
        if let error {
            takeResponseContinuation()?.resume(throwing: error)
            streamPair.continuation.finish(throwing: error)
        } else {
            takeResponseContinuation()?.resume(throwing: URLError(.badServerResponse))
            streamPair.continuation.finish()
        }
        session.finishTasksAndInvalidate()
        self.session = nil
    }
}
