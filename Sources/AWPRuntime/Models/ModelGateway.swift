public import AWPCore
public import AWPPlugins
public import AWPStore
import Foundation

/// One LLM call as an engine asks for it.
public struct LLMRequest: Sendable {
    public var agent: String
    /// Names the call's place in the run, identically on a re-run (see `NewLLMCall.stepKey`).
    public var stepKey: String
    public var iteration: Int?
    public var model: ModelReference
    public var messages: [ChatMessage]
    public var tools: [ProviderTool]
    public var toolChoice: ToolChoice?
    public var responseFormat: ResponseFormat?
    public var temperature: Double?
    public var maxTokens: Int

    public init(agent: String, stepKey: String, iteration: Int? = nil, model: ModelReference, messages: [ChatMessage],
                tools: [ProviderTool] = [], toolChoice: ToolChoice? = nil, responseFormat: ResponseFormat? = nil,
                temperature: Double? = nil, maxTokens: Int = 4096) {
        self.agent = agent
        self.stepKey = stepKey
        self.iteration = iteration
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
        self.temperature = temperature
        self.maxTokens = maxTokens
    }
}

/// The way every LLM call leaves the runtime: budget reservation, replay on resume, the response
/// cache, the provider plugin (with retries), the call log and the usage event, in that order.
public actor ModelGateway {
    private let catalog: PluginCatalog
    private let hostOptions: PluginHostOptions
    private let store: RunStore
    private let cachePolicy: CachePolicy
    private let redact: @Sendable (String) -> String
    private var clients: [String: PluginClient] = [:]
    private var pricing: [ModelReference: ModelPricing?] = [:]
    /// Attempts per call for retryable provider errors (rate limits, overload, outages).
    public var maximumAttempts = 3

    public init(catalog: PluginCatalog, hostOptions: PluginHostOptions, store: RunStore, cachePolicy: CachePolicy,
                redact: @escaping @Sendable (String) -> String) {
        self.catalog = catalog
        self.hostOptions = hostOptions
        self.store = store
        self.cachePolicy = cachePolicy
        self.redact = redact
    }

    /// Sends `request` on behalf of `runID`, charging `ledger`.
    ///
    /// - Throws: `BudgetExhausted` before anything is sent when the ledger refuses; `PluginError`
    ///   when the provider fails for good; `CancellationError` when the run is cancelled.
    public func generate(_ request: LLMRequest, runID: String, ledger: BudgetLedger, events: EventBroadcaster,
                         depth: Int) async throws -> GenerateResult {
        try Task.checkCancellation()
        let messages = request.messages.map { redactMessage($0) }
        let price = try await price(of: request.model)
        let estimate = TokenEstimate.prompt(messages: messages, tools: request.tools, responseFormat: request.responseFormat)
        let reservation: BudgetLedger.LLMReservation
        do {
            reservation = try await ledger.reserveLLMCall(promptTokens: estimate, requestedMaxTokens: request.maxTokens,
                                                          pricing: price)
        } catch {
            await events.emit(RunEvent(runID: runID, depth: depth, .budget(dimension: error.dimension.rawValue, action: "refused",
                                                                            used: error.used, limit: error.limit)))
            throw error
        }
        let params = GenerateParams(model: request.model.model, messages: messages, tools: request.tools,
                                    toolChoice: request.toolChoice, responseFormat: request.responseFormat,
                                    sampling: request.temperature.map { Sampling(temperature: $0) },
                                    maxTokens: reservation.maxTokens, stream: false)
        let canonical = CanonicalRequest(provider: request.model.provider, model: request.model.model,
                                         messages: .array(messages.map(\.json)), tools: .array(request.tools.map(\.json)),
                                         responseFormat: request.responseFormat?.json ?? .null,
                                         sampling: [("temperature", request.temperature.map(JSONValue.number) ?? .null),
                                                    ("maxTokens", .integer(request.maxTokens)),
                                                    ("toolChoice", request.toolChoice?.json ?? .null)].jsonObject)
        let started = ContinuousClock.now
        do {
            // Resume: a step that completed before the crash is answered from the log, not paid again.
            if let replay = try await store.completedLLMCall(runID: runID, stepKey: request.stepKey),
               let result = try? GenerateResult(json: replay.response) {
                // The run paid for this call in its earlier life, so it counts against the envelope again
                // (a crash must not buy a run more budget), and the ledger ends where the uninterrupted run's
                // would have: the prompts that follow, which show it, come out the same.
                let record = replay.record
                let served = record.source == .cache ? (record.cacheDecision?.savedUsage ?? .zero) : record.usage
                await ledger.commitLLMCall(reservation, inputTokens: served.inputTokens, outputTokens: served.outputTokens,
                                           costUSD: record.source == .cache ? 0 : record.costUSD)
                await emitCall(request, result: result, usage: .zero, cost: 0, started: started, source: "replay",
                               runID: runID, depth: depth, events: events)
                return result
            }
            let lookup = try await store.cacheLookup(namespace: "llm", request: canonical, policy: cachePolicy, isMutating: false)
            if let cached = lookup.response, let result = try? GenerateResult(json: cached) {
                let call = try await store.beginLLMCall(NewLLMCall(runID: runID, stepKey: request.stepKey, request: canonical,
                                                                   agent: request.agent, iteration: request.iteration,
                                                                   cacheDecision: lookup.decision))
                try await store.completeLLMCall(runID: runID, seq: call.seq, response: cached, usage: .zero, costUSD: 0,
                                                latencyMs: started.elapsedMilliseconds, source: .cache)
                // A hit costs nothing, but its tokens count against `max_total_tokens` as if it had run: the
                // token envelope bounds how much model output a run consumes, so a warm cache makes a run free,
                // not different (the manager's budget line, and so its next prompt, match the cold run's).
                let served = lookup.decision.savedUsage ?? .zero
                await ledger.commitLLMCall(reservation, inputTokens: served.inputTokens, outputTokens: served.outputTokens,
                                           costUSD: 0)
                await emitCall(request, result: result, usage: .zero, cost: 0, started: started, source: "cache",
                               runID: runID, depth: depth, events: events)
                return result
            }
            let result = try await send(params, request: request, canonical: canonical, decision: lookup.decision,
                                        runID: runID, price: price, started: started)
            let cost = result.costUSD ?? price?.cost(of: result.usage) ?? 0
            await ledger.commitLLMCall(reservation, inputTokens: result.usage.inputTokens,
                                       outputTokens: result.usage.outputTokens, costUSD: cost)
            let stored = AWPStore.TokenUsage(inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens,
                                             cachedInputTokens: result.usage.cachedInputTokens)
            try await store.cacheStore(namespace: "llm", request: canonical, policy: cachePolicy, isMutating: false,
                                       response: result.json, usage: stored, costUSD: cost, sourceRunID: runID)
            await emitCall(request, result: result, usage: stored, cost: cost, started: started, source: "provider",
                           runID: runID, depth: depth, events: events)
            return result
        } catch {
            await ledger.commitLLMCall(reservation, inputTokens: 0, outputTokens: 0, costUSD: 0)
            throw error
        }
    }

    /// The messages the completed call at `stepKey` was sent with, as recorded; nil when that step has not
    /// completed (a fresh run, or a step the crash cut off).
    ///
    /// A resumed agent continues its conversation from these instead of from a prompt it builds again:
    /// a prompt can show state that changed since (a worker's first prompt lists the output files, and the
    /// files its replayed code wrote before the crash are there now), and a history that differs from the
    /// recorded one would make every later call of the agent a different, differently priced request.
    public func recordedMessages(runID: String, stepKey: String) async -> [ChatMessage]? {
        guard let replay = try? await store.completedLLMCall(runID: runID, stepKey: stepKey),
              let hash = replay.record.requestBlob,
              let request = try? await store.jsonBlob(hash),
              let messages = request["messages"]?.arrayValue
        else { return nil }
        return try? messages.map { json throws(WireFormatError) in try ChatMessage(json: json) }
    }

    /// Stops every provider plugin this gateway started.
    public func shutdown() async {
        for client in clients.values { await client.shutdown() }
        clients.removeAll()
    }

    /// The model's prices, from the provider's `provider/describe` (nil when unknown).
    public func price(of model: ModelReference) async throws -> ModelPricing? {
        if let known = pricing[model] { return known }
        let description = try await client(for: model.provider).describeProvider()
        let info = description.models.first { $0.id == model.model } ?? (description.models.count == 1 ? description.models.first : nil)
        pricing[model] = info?.pricing
        return info?.pricing
    }

    // MARK: Internals

    private func send(_ params: GenerateParams, request: LLMRequest, canonical: CanonicalRequest, decision: CacheDecision,
                      runID: String, price: ModelPricing?, started: ContinuousClock.Instant) async throws -> GenerateResult {
        let client = try client(for: request.model.provider)
        var attempt = 0
        while true {
            attempt += 1
            let call = try await store.beginLLMCall(NewLLMCall(runID: runID, stepKey: request.stepKey, request: canonical,
                                                               agent: request.agent, iteration: request.iteration,
                                                               cacheDecision: decision))
            do {
                var result = try await client.generate(params)
                result.message = redactMessage(result.message)
                let cost = result.costUSD ?? price?.cost(of: result.usage) ?? 0
                let usage = AWPStore.TokenUsage(inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens,
                                                cachedInputTokens: result.usage.cachedInputTokens)
                try await store.completeLLMCall(runID: runID, seq: call.seq, response: result.json, usage: usage, costUSD: cost,
                                                latencyMs: started.elapsedMilliseconds)
                return result
            } catch {
                // Cut off by a stop (Ctrl-C, the wall clock): no answer, not a failure. The call stays `started`
                // until the run is finished, which marks it `interrupted`; a resume asks again.
                if Task.isCancelled { throw error }
                let message = redact("\(error)")
                _ = try? await store.failLLMCall(runID: runID, seq: call.seq, error: message, latencyMs: started.elapsedMilliseconds)
                guard let pluginError = error as? PluginError, pluginError.retryable, attempt < maximumAttempts,
                      !Task.isCancelled else { throw error }
                let wait = pluginError.retryAfterMs ?? (250 << (attempt - 1))
                try await Task.sleep(for: .milliseconds(min(wait, 30_000)))
            }
        }
    }

    private func client(for provider: String) throws -> PluginClient {
        if let client = clients[provider] { return client }
        guard let manifest = catalog.plugin(named: provider) else {
            let known = catalog.plugins.filter { $0.kinds.contains(.provider) }.map(\.name).sorted()
            throw PluginError(.invalidRequest, plugin: provider,
                              "no provider plugin named '\(provider)' (installed: \(known.joined(separator: ", ")))")
        }
        let client = PluginClient(manifest: manifest, options: hostOptions)
        clients[provider] = client
        return client
    }

    private func redactMessage(_ message: ChatMessage) -> ChatMessage {
        var copy = message
        copy.content = message.content.map { part in
            switch part {
            case .text(let text): .text(redact(text))
            case .toolResult(let result):
                .toolResult(ToolResultContent(toolCallId: result.toolCallId, content: redact(result.content), isError: result.isError))
            default: part
            }
        }
        return copy
    }

    private func emitCall(_ request: LLMRequest, result: GenerateResult, usage: AWPStore.TokenUsage, cost: Double,
                          started: ContinuousClock.Instant, source: String, runID: String, depth: Int,
                          events: EventBroadcaster) async {
        await events.emit(RunEvent(runID: runID, depth: depth,
                                   .llmCall(agent: request.agent, model: request.model.description,
                                            inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costUSD: cost,
                                            latencyMs: started.elapsedMilliseconds, source: source)))
    }
}

extension ContinuousClock.Instant {
    /// Whole milliseconds since this instant.
    var elapsedMilliseconds: Int {
        let elapsed = ContinuousClock.now - self
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}

extension Array where Element == (String, JSONValue) {
    var jsonObject: JSONValue { .object(map { (key: $0.0, value: $0.1) }) }
}
