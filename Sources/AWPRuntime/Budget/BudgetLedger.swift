public import AWPCore

/// The single authority over a run's budget.
///
/// Everything is charged *before* it happens: a loop iteration, a worker spawn and a tool call are
/// counted first and refused when the cap is reached; an LLM call reserves its estimated prompt plus
/// its output cap (and the matching cost at the model's price), with the output cap lowered to what
/// is left, and commits the real usage afterwards. Sub-managers get a child ledger carved out of what
/// remains; the carved amount is held as a reservation until the child settles, so parallel work in
/// the parent and the child can never add up to more than the parent's cap.
///
/// The invariant: `committed + reserved ≤ cap` for every capped dimension, at every moment. The one
/// way past it is a provider reporting more tokens than reserved (a prompt that tokenized worse than
/// the conservative estimate); that usage is recorded as reported and the dimension is then exhausted.
public actor BudgetLedger {
    public nonisolated let limits: BudgetLimits
    /// The manager level this ledger funds: 1 for the root.
    public nonisolated let depth: Int
    /// When the run must stop; shared by child ledgers.
    public nonisolated let deadline: ContinuousClock.Instant?

    private var committed = BudgetUsage()
    private var reserved = BudgetUsage()
    private var reservations: [Int: BudgetUsage] = [:]
    private var children: [ObjectIdentifier: BudgetUsage] = [:]
    private var nextReservation = 0
    private var firstExhausted: BudgetDimension?

    public init(limits: BudgetLimits, depth: Int = 1, deadline: ContinuousClock.Instant? = nil) {
        self.limits = limits
        self.depth = depth
        if let deadline {
            self.deadline = deadline
        } else if let seconds = limits.maxWallSeconds {
            self.deadline = .now + .milliseconds(Int64(seconds * 1000))
        } else {
            self.deadline = nil
        }
    }

    /// A granted LLM reservation: send at most `maxTokens` output tokens.
    public struct LLMReservation: Sendable, Equatable {
        public var id: Int
        public var maxTokens: Int
        public var promptTokens: Int
    }

    // MARK: Counting

    /// Counts one loop iteration, worker spawn or tool call, or refuses it.
    public func charge(_ dimension: BudgetDimension, count: Int = 1) throws(BudgetExhausted) {
        try checkDeadline()
        var delta = BudgetUsage()
        switch dimension {
        case .loops: delta.loops = count
        case .workers: delta.workers = count
        case .toolCalls: delta.toolCalls = count
        case .llmCalls: delta.llmCalls = count
        default: preconditionFailure("charge(\(dimension)) is not a counted dimension")
        }
        try admit(delta)
        committed = committed + delta
    }

    /// Reserves an LLM call: the estimated prompt plus an output cap of at most `requestedMaxTokens`,
    /// lowered to what the token and cost budgets leave. Refuses when not even `minimumOutputTokens` fit.
    public func reserveLLMCall(promptTokens: Int, requestedMaxTokens: Int, pricing: ModelPricing?,
                               minimumOutputTokens: Int = 16) throws(BudgetExhausted) -> LLMReservation {
        try checkDeadline()
        var maxTokens = requestedMaxTokens
        var limiting = BudgetDimension.tokens
        if let cap = limits.maxTokens {
            let left = cap - committed.tokens - reserved.tokens - promptTokens
            if left < maxTokens { maxTokens = left }
        }
        if let cap = limits.maxCostUSD, let pricing, pricing.outputPerMillion > 0 {
            let left = cap - committed.costUSD - reserved.costUSD - Double(promptTokens) * pricing.inputPerMillion / 1e6
            let affordable = Int((left / pricing.outputPerMillion * 1e6).rounded(.down))
            if affordable < maxTokens {
                maxTokens = affordable
                limiting = .cost
            }
        }
        var delta = BudgetUsage()
        delta.llmCalls = 1
        delta.inputTokens = promptTokens
        delta.outputTokens = max(maxTokens, 0)
        delta.costUSD = pricing.map {
            (Double(promptTokens) * $0.inputPerMillion + Double(delta.outputTokens) * $0.outputPerMillion) / 1e6
        } ?? 0
        if maxTokens < min(minimumOutputTokens, requestedMaxTokens) {
            throw refusal(limiting, requested: limiting == .tokens ? Double(promptTokens + minimumOutputTokens) : delta.costUSD)
        }
        try admit(delta)
        nextReservation += 1
        reservations[nextReservation] = delta
        reserved = reserved + delta
        return LLMReservation(id: nextReservation, maxTokens: maxTokens, promptTokens: promptTokens)
    }

    /// Replaces a reservation with what the call really used. A failed call passes what the provider
    /// billed (usually nothing) and still counts as a call.
    public func commitLLMCall(_ reservation: LLMReservation, inputTokens: Int, outputTokens: Int, costUSD: Double) {
        guard let held = reservations.removeValue(forKey: reservation.id) else { return }
        reserved = reserved + held.negated
        var actual = BudgetUsage()
        actual.llmCalls = 1
        actual.inputTokens = inputTokens
        actual.outputTokens = outputTokens
        actual.costUSD = costUSD
        committed = committed + actual
        for dimension in [BudgetDimension.tokens, .cost] where isOver(dimension) { noteExhausted(dimension) }
    }

    // MARK: Child ledgers

    /// Carves a child ledger for a sub-manager one level deeper: each capped dimension gets
    /// `fraction` of what remains (at least one loop and one worker), the wall clock is shared, and the
    /// carved amounts stay reserved here until `settle(child:)`.
    public func carveChild(fraction: Double) throws(BudgetExhausted) -> BudgetLedger {
        try checkDeadline()
        if let maxDepth = limits.maxDepth, depth + 1 > maxDepth {
            throw refusal(.depth, requested: 1, used: Double(depth))
        }
        let fraction = min(max(fraction, 0.05), 0.95)
        var caps = limits
        var hold = BudgetUsage()
        func share(_ cap: Int?, _ used: Int, minimum: Int) -> Int? {
            guard let cap else { return nil }
            return max(minimum, Int((Double(cap - used) * fraction).rounded(.down)))
        }
        caps.maxLoops = share(limits.maxLoops, committed.loops + reserved.loops, minimum: 1)
        caps.maxWorkers = share(limits.maxWorkers, committed.workers + reserved.workers, minimum: 1)
        caps.maxLLMCalls = share(limits.maxLLMCalls, committed.llmCalls + reserved.llmCalls, minimum: 1)
        caps.maxToolCalls = share(limits.maxToolCalls, committed.toolCalls + reserved.toolCalls, minimum: 0)
        caps.maxTokens = share(limits.maxTokens, committed.tokens + reserved.tokens, minimum: 0)
        caps.maxCostUSD = limits.maxCostUSD.map { ($0 - committed.costUSD - reserved.costUSD) * fraction }
        hold.loops = caps.maxLoops ?? 0
        hold.workers = caps.maxWorkers ?? 0
        hold.llmCalls = caps.maxLLMCalls ?? 0
        hold.toolCalls = caps.maxToolCalls ?? 0
        hold.outputTokens = caps.maxTokens ?? 0
        hold.costUSD = caps.maxCostUSD ?? 0
        try admit(hold)
        let child = BudgetLedger(limits: caps, depth: depth + 1, deadline: deadline)
        children[ObjectIdentifier(child)] = hold
        reserved = reserved + hold
        return child
    }

    /// Releases a child's carve-out and charges what the child really used.
    public func settle(child: BudgetLedger) async {
        let used = await child.totalUsage
        // A sub-manager that tried to nest deeper than allowed ends the whole tree, not just itself.
        if await child.exhaustedDimension == .depth { noteExhausted(.depth) }
        guard let hold = children.removeValue(forKey: ObjectIdentifier(child)) else { return }
        reserved = reserved + hold.negated
        committed = committed + used
    }

    // MARK: Reading

    /// Committed usage (what really happened), excluding reservations.
    public var usage: BudgetUsage { committed }

    /// Committed plus reserved: what a parent must account for when this child settles.
    var totalUsage: BudgetUsage { committed + reserved }

    /// What is left of a dimension after commitments and reservations; nil when unlimited.
    public func remaining(_ dimension: BudgetDimension) -> Double? {
        if dimension == .wallTime {
            guard let deadline else { return nil }
            let left = ContinuousClock.now.duration(to: deadline)
            return max(0, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
        }
        guard let limit = limits.limit(dimension) else { return nil }
        return limit - committed.value(dimension) - reserved.value(dimension)
    }

    /// The first dimension this ledger found exhausted (a refused charge, a deadline, an overrun).
    public var exhaustedDimension: BudgetDimension? { firstExhausted }

    /// Throws when the wall-clock deadline has passed.
    public func checkDeadline() throws(BudgetExhausted) {
        guard let deadline, ContinuousClock.now >= deadline else { return }
        noteExhausted(.wallTime)
        throw BudgetExhausted(dimension: .wallTime, used: limits.maxWallSeconds ?? 0, limit: limits.maxWallSeconds ?? 0,
                              requested: 0)
    }

    // MARK: Internals

    private func admit(_ delta: BudgetUsage) throws(BudgetExhausted) {
        for dimension in [BudgetDimension.loops, .workers, .llmCalls, .tokens, .cost, .toolCalls] {
            let wanted = delta.value(dimension)
            guard wanted > 0, let limit = limits.limit(dimension) else { continue }
            let used = committed.value(dimension) + reserved.value(dimension)
            if used + wanted > limit + 1e-12 { throw refusal(dimension, requested: wanted) }
        }
    }

    private func refusal(_ dimension: BudgetDimension, requested: Double, used: Double? = nil) -> BudgetExhausted {
        noteExhausted(dimension)
        return BudgetExhausted(dimension: dimension,
                               used: used ?? committed.value(dimension) + reserved.value(dimension),
                               limit: limits.limit(dimension) ?? 0, requested: requested)
    }

    private func isOver(_ dimension: BudgetDimension) -> Bool {
        guard let limit = limits.limit(dimension) else { return false }
        return committed.value(dimension) > limit
    }

    private func noteExhausted(_ dimension: BudgetDimension) {
        if firstExhausted == nil { firstExhausted = dimension }
    }
}

extension BudgetUsage {
    var negated: BudgetUsage {
        var value = BudgetUsage()
        value.loops = -loops
        value.workers = -workers
        value.llmCalls = -llmCalls
        value.inputTokens = -inputTokens
        value.outputTokens = -outputTokens
        value.costUSD = -costUSD
        value.toolCalls = -toolCalls
        return value
    }
}
