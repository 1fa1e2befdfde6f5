public import AWPCore
import AWPStore
import Foundation

/// How an engine ended.
public struct EngineOutcome: Sendable {
    /// `complete`, `partial`, `failed` or `aborted`.
    public var status: String
    public var reason: String
    public var result: JSONValue
    public var iterations: Int

    public init(status: String, reason: String, result: JSONValue, iterations: Int) {
        self.status = status
        self.reason = reason
        self.result = result
        self.iterations = iterations
    }
}

/// The A2–A4 engine: each iteration the manager decides; delegated envelopes run as workers (or,
/// within `max_depth`, as sub-managers with a carved-out child budget), their validated results go
/// into the history the manager sees next; the loop ends on complete, fail or an exhausted budget.
///
/// Budget is checked before everything, not only between iterations: the loop counts itself, each
/// spawn and each tool call before it happens, and every LLM call reserves first. A wide iteration
/// therefore cannot overshoot; when any dimension runs out, the loop ends with that dimension's
/// reason at the next decision point.
struct DelegationLoop {
    var context: RunContext
    var settings: DelegationSettings
    var quota: SubmanagerQuota
    var task: String

    func run() async -> EngineOutcome {
        var history: [IterationRecord] = []
        var notes: [String] = []
        var failures = 0
        var iteration = 0
        while true {
            if Task.isCancelled { return await stopped(history, iteration) }
            if let dimension = await context.ledger.exhaustedDimension {
                return partial(dimension.terminationReason, history: history, iterations: iteration)
            }
            do {
                try await context.ledger.charge(.loops)
            } catch {
                await context.emit(.budget(dimension: error.dimension.rawValue, action: "exhausted", used: error.used,
                                           limit: error.limit))
                return partial(error.dimension.terminationReason, history: history, iterations: iteration)
            }
            iteration += 1
            await context.emit(.iterationStarted(iteration: iteration))
            let decision: ManagerDecision
            do {
                decision = try await managerTurn(iteration: iteration, history: history, notes: notes)
            } catch let error as BudgetExhausted {
                return partial(error.dimension.terminationReason, history: history, iterations: iteration)
            } catch {
                if Task.isCancelled { return await stopped(history, iteration) }
                decision = .unparseable("the manager call failed: \(error)")
            }
            notes = []
            var record = IterationRecord(iteration: iteration, decision: decision.name)
            switch decision {
            case .unparseable(let why):
                failures += 1
                await context.emit(.decision(manager: "manager", iteration: iteration, decision: "unparseable", workers: [],
                                             reasoning: why))
                if failures >= settings.maxConsecutiveManagerFailures {
                    return partial("circuit_breaker_manager_failures", history: history, iterations: iteration)
                }
                notes.append("Your last reply could not be used (\(why)). Reply with exactly one decision.")
            case .plan(let reasoning, let subtasks):
                failures = 0
                await context.emit(.decision(manager: "manager", iteration: iteration, decision: "plan", workers: [],
                                             reasoning: reasoning))
                record.decision = "plan: " + String(subtasks.serialized().prefix(1500))
                notes.append("Your plan is recorded. Now delegate its first subtasks.")
            case .fail(let reason, let partialResult):
                await context.emit(.decision(manager: "manager", iteration: iteration, decision: "fail", workers: [],
                                             reasoning: reason))
                return EngineOutcome(status: "failed", reason: "fail",
                                     result: ["error": .string(reason), "partial_result": partialResult ?? .null,
                                              "confidence": 0],
                                     iterations: iteration)
            case .complete(let reasoning, let result, let confidence):
                await context.emit(.decision(manager: "manager", iteration: iteration, decision: "complete", workers: [],
                                             reasoning: reasoning))
                var final = result
                if case .object(var pairs) = final, final["confidence"] == nil {
                    pairs.append((key: "confidence", value: .number(confidence)))
                    final = .object(pairs)
                }
                await context.emit(.iterationFinished(iteration: iteration, confidence: confidence))
                return EngineOutcome(status: "complete", reason: "complete", result: final, iterations: iteration)
            case .delegate(let reasoning, let envelopes):
                failures = 0
                let accepted = Array(envelopes.prefix(settings.maxWorkersPerIteration))
                await context.emit(.decision(manager: "manager", iteration: iteration, decision: "delegate",
                                             workers: accepted.map(\.workerID), reasoning: reasoning))
                if envelopes.count > accepted.count {
                    notes.append("\(envelopes.count - accepted.count) envelopes were deferred: at most "
                        + "\(settings.maxWorkersPerIteration) workers per iteration.")
                }
                record.results = await dispatch(accepted, iteration: iteration)
                let confidences = record.results.compactMap(\.confidence)
                record.confidence = confidences.isEmpty ? nil : confidences.reduce(0, +) / Double(confidences.count)
            }
            history.append(record)
            await context.emit(.iterationFinished(iteration: iteration, confidence: record.confidence))
        }
    }

    // MARK: Manager

    private func managerTurn(iteration: Int, history: [IterationRecord], notes: [String]) async throws -> ManagerDecision {
        let ledger = context.ledger
        let budget = await budgetLine(ledger)
        let system = DelegationPrompts.managerSystem(settings: settings, context: context, maxDepth: ledger.limits.maxDepth,
                                                     isSubmanager: context.depth > 1)
        let user = DelegationPrompts.managerUser(task: task, context: context, iteration: iteration, history: history,
                                                 budget: budget, notes: notes)
        let model = context.model(settings.managerModel)
        let request = LLMRequest(agent: "manager", stepKey: "iteration-\(iteration)/manager", iteration: iteration, model: model,
                                 messages: [.system(system), .user(user)], tools: ManagerDecision.tools, toolChoice: .auto,
                                 temperature: 0.2, maxTokens: settings.managerMaxTokens)
        let result = try await context.models.generate(request, runID: context.runID, ledger: ledger, events: context.events,
                                                       depth: context.depth - 1)
        return ManagerDecision.parse(result.message)
    }

    private func budgetLine(_ ledger: BudgetLedger) async -> String {
        let used = await ledger.usage
        let limits = ledger.limits
        func part(_ name: String, _ used: Int, _ limit: Int?) -> String {
            limit.map { "\(name) \(used)/\($0)" } ?? "\(name) \(used)"
        }
        return [part("loops", used.loops, limits.maxLoops), part("workers", used.workers, limits.maxWorkers),
                part("tokens", used.tokens, limits.maxTokens), part("tool calls", used.toolCalls, limits.maxToolCalls)]
            .joined(separator: ", ")
    }

    // MARK: Workers

    /// Runs the envelopes, at most `max_parallel_workers` at a time. Each spawn is charged first, in
    /// envelope order; once the ledger refuses, no further envelope starts.
    private func dispatch(_ envelopes: [Envelope], iteration: Int) async -> [WorkerReport] {
        let candidates = envelopes.filter(\.asSubmanager).count
        var started: [(Int, Envelope)] = []
        var refused: [WorkerReport] = []
        for (index, envelope) in envelopes.enumerated() {
            do {
                try await context.ledger.charge(.workers)
                started.append((index, envelope))
            } catch {
                await context.emit(.budget(dimension: error.dimension.rawValue, action: "refused", used: error.used,
                                           limit: error.limit))
                refused.append(WorkerReport(worker: envelope.workerID, status: "not_started", confidence: nil,
                                            summary: "not started: \(error)", result: ["error": .string("\(error)")]))
                break
            }
        }
        let width = max(1, settings.maxParallelWorkers)
        var reports: [(Int, WorkerReport)] = []
        await withTaskGroup(of: (Int, WorkerReport).self) { group in
            var pending = started[...]
            func launch() {
                guard let (index, envelope) = pending.popFirst() else { return }
                group.addTask {
                    (index, await runEnvelope(envelope, iteration: iteration, ordinal: index, candidates: candidates))
                }
            }
            for _ in 0..<min(width, pending.count) { launch() }
            while let finished = await group.next() {
                reports.append(finished)
                launch()
            }
        }
        return reports.sorted { $0.0 < $1.0 }.map(\.1) + refused
    }

    private func runEnvelope(_ envelope: Envelope, iteration: Int, ordinal: Int, candidates: Int) async -> WorkerReport {
        // A sub-manager request always goes to the ledger, so one past max_depth is refused (and ends the
        // run with max_depth) instead of being quietly demoted to a worker. Only the quota on concurrent and
        // total sub-managers demotes: that is a scheduling limit, not a budget.
        if envelope.asSubmanager, await quota.acquire() {
            let report = await runSubmanager(envelope, iteration: iteration, candidates: candidates)
            await quota.release()
            return report
        }
        return await WorkerRunner(context: context, settings: settings, task: task)
            .run(envelope, iteration: iteration, ordinal: ordinal)
    }

    /// A sub-manager: its own run record (`<parent>-sub-<n>`), its own loop one level deeper, funded
    /// by a child ledger carved from what remains here; unused budget returns when it settles. It
    /// shares the workspace, so its output files are already where the parent looks.
    private func runSubmanager(_ envelope: Envelope, iteration: Int, candidates: Int) async -> WorkerReport {
        let fraction = envelope.budgetFraction ?? min(0.3, 0.8 / Double(max(1, candidates)))
        let child: BudgetLedger
        do {
            child = try await context.ledger.carveChild(fraction: fraction)
        } catch {
            await context.emit(.budget(dimension: error.dimension.rawValue, action: "refused", used: error.used,
                                       limit: error.limit))
            return WorkerReport(worker: envelope.workerID, status: "not_started", confidence: nil,
                                summary: "sub-manager not started: \(error)", result: ["error": .string("\(error)")])
        }
        let number = await context.subRunCounter.next()
        let childID = "\(context.runID)-sub-\(number)"
        var childContext = context
        childContext.runID = childID
        childContext.depth = context.depth + 1
        childContext.ledger = child
        childContext.gate = context.gate.forRun(childID, depth: context.depth)
        if (try? await context.store.run(childID)) != nil {
            // This run is resuming, and executing again it has reached a sub-run its earlier life created: the
            // sub-run continues under its record, as a new life (its cut-off calls marked interrupted, a
            // `run.resumed` event), and runs again even if it had completed, replaying its calls, so that
            // this run's ledger is charged what it consumed.
            _ = try? await context.store.markResumed(childID, allowingComplete: true)
        } else {
            _ = try? await context.store.createRun(NewRun(id: childID, workflow: context.workflowName, task: envelope.instructions,
                                                          parentRunID: context.runID, budget: child.limits.json))
        }
        await context.emit(.subManager(worker: envelope.workerID, childRunID: childID, depth: childContext.depth, status: nil))
        let subTask = """
            You have been spawned as a sub-manager at depth \(childContext.depth) of max \(child.limits.maxDepth ?? childContext.depth). \
            Your budget is a share of the parent's: \(child.limits.json.serialized()).
            Overall task: \(task)

            Your sub-task: \(envelope.instructions)
            """
        let outcome = await DelegationLoop(context: childContext, settings: settings, quota: quota, task: subTask).run()
        await context.ledger.settle(child: child)
        let status = RunStatus(rawValue: outcome.status) ?? .failed
        _ = try? await context.store.finishRun(childID, status: status, terminationReason: outcome.reason, result: outcome.result)
        await context.emit(.subManager(worker: envelope.workerID, childRunID: childID, depth: childContext.depth,
                                       status: outcome.status))
        var result = outcome.result
        if case .object(var pairs) = result {
            pairs += [(key: "_submanager", value: true), (key: "_submanager_run_id", value: .string(childID)),
                      (key: "_submanager_depth", value: .integer(childContext.depth))]
            result = .object(pairs)
        }
        let confidence = result["confidence"]?.doubleValue ?? (outcome.status == "complete" ? 0.5 : 0)
        let summary = (result["summary"]?.stringValue ?? result.serialized()).prefix(1500)
        return WorkerReport(worker: envelope.workerID, status: outcome.status, confidence: confidence,
                            // Named relative to this run, not by its run id: the manager's next prompt stays the same
                            // from one run to the next, so an identical re-run is served from the cache.
                            summary: "sub-manager sub-\(number) (\(outcome.reason)): \(summary)", result: result)
    }

    // MARK: Endings

    private func partial(_ reason: String, history: [IterationRecord], iterations: Int) -> EngineOutcome {
        let last = history.last?.confidence ?? 0
        let summary: [JSONValue] = history.map { ["iteration": .integer($0.iteration), "confidence": .number($0.confidence ?? 0)] }
        let latest = history.last { !$0.results.isEmpty }?.results.map { ["worker": .string($0.worker), "result": $0.result] as JSONValue }
        return EngineOutcome(status: "partial", reason: reason,
                             result: ["partial": true, "termination_reason": .string(reason),
                                      "iterations_completed": .integer(iterations), "confidence": .number(last),
                                      "history_summary": .array(summary), "latest_results": .array(latest ?? [])],
                             iterations: iterations)
    }

    private func stopped(_ history: [IterationRecord], _ iterations: Int) async -> EngineOutcome {
        var dimension = await context.ledger.exhaustedDimension
        if dimension == nil {
            do { try await context.ledger.checkDeadline() } catch { dimension = .wallTime }
        }
        if let dimension {
            return partial(dimension.terminationReason, history: history, iterations: iterations)
        }
        var outcome = partial("interrupted", history: history, iterations: iterations)
        outcome.status = "aborted"
        return outcome
    }
}
