public import AWPCore

extension PluginClient {
    /// The models the provider plugin offers, with their limits, abilities and prices.
    public nonisolated func describeProvider(timeout: Duration? = nil) async throws -> ProviderDescription {
        let result = try await request(PluginMethod.providerDescribe, timeout: timeout)
        do {
            return try ProviderDescription(json: result)
        } catch {
            throw PluginError(.protocolViolation, plugin: manifest.name, "malformed provider/describe result: \(error)",
                              method: PluginMethod.providerDescribe)
        }
    }

    /// Generates one assistant turn, streaming deltas to `onEvent` as the provider produces them.
    ///
    /// Events arrive on a reader thread, in `seq` order, before this returns; a malformed event is
    /// dropped and logged rather than failing the call (the final result is authoritative).
    /// Cancelling the calling task sends `notifications/cancelled` to the plugin.
    ///
    /// - Throws: `PluginError` with the provider's kind (`rate_limited` with `retryAfterMs`, `auth`, …).
    public nonisolated func generate(_ params: GenerateParams, timeout: Duration? = nil,
                                     onEvent: (@Sendable (ProviderEvent) -> Void)? = nil) async throws -> GenerateResult {
        let plugin = manifest.name
        let log = options.log
        var handler: (@Sendable (String, JSONValue) -> Void)?
        if let onEvent {
            handler = { method, params in
                guard method == PluginMethod.providerEvent else { return }
                do {
                    onEvent(try ProviderEvent(json: params))
                } catch {
                    log?(PluginLogRecord(plugin: plugin, source: .host, message: "dropped a malformed provider/event: \(error)"))
                }
            }
        }
        var params = params
        params.stream = params.stream && onEvent != nil
        let result = try await request(PluginMethod.providerGenerate, params: params.json, timeout: timeout,
                                       onNotification: handler)
        do {
            return try GenerateResult(json: result)
        } catch {
            throw PluginError(.protocolViolation, plugin: plugin, "malformed provider/generate result: \(error)",
                              method: PluginMethod.providerGenerate)
        }
    }

    /// `generate` as a stream of deltas followed by the result, for consumers that prefer `for await`.
    public nonisolated func generateStream(_ params: GenerateParams, timeout: Duration? = nil)
        -> AsyncThrowingStream<ProviderStreamElement, any Error>
    {
        let (stream, continuation) = AsyncThrowingStream<ProviderStreamElement, any Error>.makeStream()
        let task = Task {
            do {
                let result = try await generate(params, timeout: timeout) { continuation.yield(.delta($0.delta)) }
                continuation.yield(.result(result))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

/// An element of `generateStream`: deltas as they come, then the final result.
public enum ProviderStreamElement: Sendable {
    case delta(ProviderDelta)
    case result(GenerateResult)
}
