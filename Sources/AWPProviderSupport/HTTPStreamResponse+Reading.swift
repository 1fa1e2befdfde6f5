public import AWPCore
internal import AWPPluginKit
internal import Foundation

/// Reading a successful provider response: a whole JSON body, or a stream of server-sent events.
///
/// Both turn transport trouble into the `unavailable` failure the runtime retries, so each provider
/// plugin only has to understand its own dialect.
extension HTTPStreamResponse {
    /// The whole body parsed as JSON (at most `limit` bytes).
    ///
    /// - Throws: `PluginFailure(.unavailable)` when the body is not JSON or the connection breaks.
    public func json(limit: Int = 64 << 20) async throws -> JSONValue {
        let data: Data
        do {
            data = try await collect(limit: limit)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw PluginFailure(.unavailable, "the response broke off: \(error.localizedDescription)")
        }
        do {
            return try JSONParser.parse(Array(data))
        } catch {
            throw PluginFailure(.unavailable, "the provider answered with malformed JSON: \(error)")
        }
    }

    /// Feeds each server-sent event to `handle` as it arrives, until the body ends or `handle` returns false.
    ///
    /// An event left without its closing blank line when the connection ends is still delivered: some
    /// servers close straight after the last `data:` line.
    ///
    /// - Throws: what `handle` throws; `PluginFailure(.unavailable)` when the connection breaks;
    ///   `CancellationError` when the calling task is cancelled.
    public func forEachEvent(_ handle: (ServerSentEvent) throws -> Bool) async throws {
        var parser = ServerSentEventParser()
        do {
            for try await chunk in body {
                for event in parser.feed(chunk) where try !handle(event) { return }
            }
            for event in parser.finish() where try !handle(event) { return }
        } catch let failure as PluginFailure {
            throw failure
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw PluginFailure(.unavailable, "the stream broke off: \(error.localizedDescription)")
        }
    }
}

extension ServerSentEvent {
    /// The `data:` payload parsed as JSON.
    ///
    /// - Throws: `PluginFailure(.unavailable)`: a provider that sends half an object has broken the stream.
    public func json() throws -> JSONValue {
        do {
            return try JSONParser.parse(data)
        } catch {
            throw PluginFailure(.unavailable, "the stream sent malformed JSON: \(error)")
        }
    }
}
