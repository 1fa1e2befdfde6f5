import AWPCore
import AWPStore
import AWPWorkflow
import Foundation

/// The A0/A1 engine: topological levels, nodes of a level in parallel (bounded), `depends_on`
/// conditions and `when` through `SafeExpression`, loops with `until_condition`, fan-out with merge or
/// concat, retries with back-off and `on_failure`, and state sharing that honours `share_output`,
/// `share_input` and non-shareable contract fields (the reference shows every agent everything).
struct DAGEngine {
    var context: RunContext
    var workflow: LoadedWorkflow
    var orchestration: Orchestration
    /// Agent definitions by id and by directory name, built once (the workflow's own accessor builds a
    /// fresh dictionary on every call).
    private let agents: [String: (directory: String, definition: AgentDefinition)]

    init(context: RunContext, workflow: LoadedWorkflow, orchestration: Orchestration) {
        self.context = context
        self.workflow = workflow
        self.orchestration = orchestration
        var agents: [String: (directory: String, definition: AgentDefinition)] = [:]
        for loaded in workflow.agents {
            guard let definition = loaded.definition else { continue }
            agents[loaded.directoryName] = (loaded.directoryName, definition)
            if agents[definition.id] == nil { agents[definition.id] = (loaded.directoryName, definition) }
        }
        self.agents = agents
    }

    /// Whether a node ended in an error.
    private static func failed(_ value: JSONValue?) -> Bool {
        guard let value else { return false }
        return value["error"].map { !$0.isNull } ?? false
    }

    func run() async -> EngineOutcome {
        let nodes = orchestration.graph.filter(\.isEnabled)
        let levels = Self.levels(nodes)
        var state: [String: JSONValue] = ["task": .string(context.task)]
        var skipped: Set<String> = []
        var errors: [String] = []
        let width = max(1, min(orchestration.execution.maxParallelAgents, 16))
        var iteration = 0
        for level in levels {
            if Task.isCancelled { return ending("aborted", "interrupted", state: state, iterations: iteration) }
            if let dimension = await context.ledger.exhaustedDimension {
                return ending("partial", dimension.terminationReason, state: state, iterations: iteration)
            }
            iteration += 1
            await context.emit(.iterationStarted(iteration: iteration))
            var runnable: [GraphNode] = []
            for node in level {
                if let reason = skipReason(node, state: state, skipped: skipped) {
                    skipped.insert(node.id)
                    await context.emit(.nodeSkipped(node: node.id, reason: reason))
                } else {
                    runnable.append(node)
                }
            }
            let snapshot = state
            var results: [(String, JSONValue)] = []
            await withTaskGroup(of: (String, JSONValue).self) { group in
                var pending = runnable[...]
                func launch() {
                    guard let node = pending.popFirst() else { return }
                    group.addTask { (node.id, await runNode(node, state: snapshot)) }
                }
                for _ in 0..<min(width, pending.count) { launch() }
                while let result = await group.next() {
                    results.append(result)
                    launch()
                }
            }
            for (id, value) in results.sorted(by: { $0.0 < $1.0 }) {
                state[id] = value
                if Self.failed(value) {
                    errors.append(id)
                    if let node = runnable.first(where: { $0.id == id }), node.onFailure == "abort" {
                        return ending("failed", "node '\(id)' failed and its on_failure is abort", state: state,
                                      iterations: iteration)
                    }
                }
                writeNodeOutput(id, value)
            }
            await context.emit(.iterationFinished(iteration: iteration, confidence: nil))
        }
        if let dimension = await context.ledger.exhaustedDimension {
            return ending("partial", dimension.terminationReason, state: state, iterations: iteration)
        }
        if !errors.isEmpty {
            return ending("partial", "node_errors: " + errors.joined(separator: ", "), state: state, iterations: iteration)
        }
        return ending("complete", "complete", state: state, iterations: iteration)
    }

    // MARK: Scheduling

    /// Levels: each level holds the nodes whose dependencies all sit in earlier levels, sorted by id.
    /// A cycle (which the validator reports) is run as one last level rather than dropped.
    static func levels(_ nodes: [GraphNode]) -> [[GraphNode]] {
        var remaining = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var levels: [[GraphNode]] = []
        while !remaining.isEmpty {
            let ready = remaining.values.filter { node in node.dependsOn.allSatisfy { remaining[$0.agent] == nil } }
                .sorted { $0.id < $1.id }
            if ready.isEmpty {
                levels.append(remaining.values.sorted { $0.id < $1.id })
                break
            }
            levels.append(ready)
            for node in ready { remaining.removeValue(forKey: node.id) }
        }
        return levels
    }

    /// Why a node does not run, or nil. A `when` that cannot be evaluated runs the node (fail-open,
    /// as the reference does), with a warning event.
    private func skipReason(_ node: GraphNode, state: [String: JSONValue], skipped: Set<String>) -> String? {
        // Built only for nodes that have an expression to evaluate: most nodes of a large graph have none.
        let hasExpression = node.when != nil || node.dependsOn.contains { $0.isConditional && $0.when != nil }
        let scope: [String: JSONValue] = hasExpression
            ? ["state": .object(state.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })] : [:]
        for dependency in node.dependsOn where dependency.isConditional {
            let dependencyFailed = Self.failed(state[dependency.agent])
            let ran = state[dependency.agent] != nil
            switch dependency.condition {
            case "success" where !ran || dependencyFailed: return "dependency '\(dependency.agent)' did not succeed"
            case "failure" where !dependencyFailed: return "dependency '\(dependency.agent)' did not fail"
            default: break
            }
            if let when = dependency.when, !evaluate(when, scope: scope, node: node.id) {
                return "condition on '\(dependency.agent)' is false: \(when)"
            }
        }
        if let when = node.when, !evaluate(when, scope: scope, node: node.id) { return "when_condition: \(when)" }
        return nil
    }

    private func evaluate(_ source: String, scope: [String: JSONValue], node: String) -> Bool {
        do {
            return try SafeExpression(source).isTrue(scope)
        } catch {
            let events = context.events
            let runID = context.runID
            Task { await events.emit(RunEvent(runID: runID, .log(level: "warning",
                                                                  message: "\(node): condition '\(source)' failed (\(error)); running the node"))) }
            return true
        }
    }

    // MARK: Nodes

    /// loop(fan_out(retry(agent))).
    private func runNode(_ node: GraphNode, state: [String: JSONValue]) async -> JSONValue {
        await context.emit(.workerStarted(worker: node.id, iteration: nil, role: "agent"))
        var state = state
        var output: JSONValue = .null
        var history: [JSONValue] = []
        let iterations = node.isLooping ? max(1, node.loop?.maxIterations ?? 1) : 1
        for iteration in 0..<iterations {
            output = await fanOut(node, state: state, iteration: iteration)
            history.append(output)
            state[node.id] = output
            guard node.isLooping, let until = node.loop?.untilCondition, !until.isEmpty else { continue }
            let scope: [String: JSONValue] = ["state": .object(state.map { (key: $0.key, value: $0.value) })]
            // The reference's rule: a truthy until_condition continues the loop; false or an error stops it.
            guard (try? SafeExpression(until).isTrue(scope)) == true else { break }
        }
        if node.isLooping, case .object(var pairs) = output {
            pairs += [(key: "_loop_iterations", value: .integer(history.count)), (key: "_loop_history", value: .array(history))]
            output = .object(pairs)
        }
        let failed = Self.failed(output)
        await context.emit(.workerFinished(worker: node.id, status: failed ? "error" : "ok",
                                           confidence: output["confidence"]?.doubleValue))
        return output
    }

    private func fanOut(_ node: GraphNode, state: [String: JSONValue], iteration: Int) async -> JSONValue {
        guard let fan = node.fanOut, fan.isEnabled else {
            return await attempt(node, state: state, step: "node-\(node.id)/iteration-\(iteration)")
        }
        var path = fan.sourceField
        if path.hasPrefix("state.") { path.removeFirst(6) }
        var source: JSONValue? = .object(state.map { (key: $0.key, value: $0.value) })
        for part in path.split(separator: ".") { source = source?[String(part)] }
        let items: [JSONValue] = source?.arrayValue ?? source?.objectValue?.map(\.value) ?? []
        if items.isEmpty {
            return ["confidence": 0, "error": .string("fan_out source '\(fan.sourceField)' empty"), "_fan_out_count": 0,
                    "items": []]
        }
        var outputs: [(Int, JSONValue)] = []
        await withTaskGroup(of: (Int, JSONValue).self) { group in
            var pending = Array(items.enumerated())[...]
            func launch() {
                guard let (index, item) = pending.popFirst() else { return }
                var copy = state
                copy["fan_out_item"] = item
                copy["_fan_out_index"] = .integer(index)
                group.addTask { (index, await attempt(node, state: copy, step: "node-\(node.id)/iteration-\(iteration)/item-\(index)")) }
            }
            for _ in 0..<min(max(1, fan.maxParallel), pending.count) { launch() }
            while let result = await group.next() {
                outputs.append(result)
                launch()
            }
        }
        let ordered = outputs.sorted { $0.0 < $1.0 }.map(\.1)
        let confidences = ordered.compactMap { $0["confidence"]?.doubleValue }
        let confidence = confidences.isEmpty ? 0 : confidences.reduce(0, +) / Double(confidences.count)
        var merged: [(key: String, value: JSONValue)] = []
        if fan.aggregation == "concat" {
            var lists: [(String, [JSONValue])] = []
            for output in ordered {
                for (key, value) in output.objectValue ?? [] where key != "confidence" && key != "_fan_out_index" {
                    let values = value.arrayValue ?? [value]
                    if let index = lists.firstIndex(where: { $0.0 == key }) { lists[index].1 += values } else { lists.append((key, values)) }
                }
            }
            merged = lists.map { (key: $0.0, value: .array($0.1)) }
        }
        merged += [(key: "items", value: .array(ordered)), (key: "confidence", value: .number(confidence)),
                   (key: "_fan_out_count", value: .integer(ordered.count))]
        return .object(merged)
    }

    private func attempt(_ node: GraphNode, state: [String: JSONValue], step: String) async -> JSONValue {
        let retries = node.retry > 0 ? node.retry : orchestration.execution.maxRetries
        let agentName = node.agent ?? node.id
        guard let (directory, definition) = agents[agentName] else {
            return ["error": "Agent directory not found", "confidence": 0]
        }
        let invocation = AgentInvocation(context: context, agent: definition,
                                         agentDirectory: workflow.directory + "/agents/" + directory,
                                         workflowDirectory: workflow.directory)
        var lastError = ""
        for attempt in 0...max(0, retries) {
            if attempt > 0 {
                let delay = orchestration.execution.retryDelay * pow(2, Double(attempt - 1))
                try? await Task.sleep(for: .milliseconds(Int(min(delay, 60) * 1000)))
            }
            do {
                try await context.ledger.charge(.workers)
                return try await invocation.run(nodeID: node.id, contextSection: contextSection(for: node, state: state),
                                                stepPrefix: "\(step)/attempt-\(attempt)",
                                                extraUser: state["fan_out_item"].map { "## Item\n\n" + $0.serialized(pretty: true) })
            } catch let error as BudgetExhausted {
                return ["error": .string("\(error)"), "confidence": 0]
            } catch {
                lastError = "\(error)"
                if Task.isCancelled { break }
            }
        }
        return ["error": .string(lastError), "confidence": 0]
    }

    // MARK: State sharing

    /// What `node` may see of earlier results: `share_input` when it declares one, else the results of
    /// its ancestors (the nodes it depends on, transitively), each filtered by its producer's
    /// `share_output` and stripped of non-shareable contract fields. The reference shows every agent
    /// every result, which leaks data between unrelated branches and grows prompts with the square of
    /// the graph; the whole section is also capped at `context_budget.total_chars`.
    func contextSection(for node: GraphNode, state: [String: JSONValue]) -> String {
        var sections: [String] = []
        let producers = Dictionary(orchestration.graph.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let requested = Dictionary(node.shareInput.map { ($0.agent, $0.fields) }, uniquingKeysWith: { first, _ in first })
        var ancestors = Set<String>()
        var frontier = node.dependsOn.map(\.agent)
        while let next = frontier.popLast() {
            guard ancestors.insert(next).inserted else { continue }
            frontier += producers[next]?.dependsOn.map(\.agent) ?? []
        }
        var used = 0
        let visible = state.keys.filter { requested.isEmpty ? ancestors.contains($0) : requested[$0] != nil }
        for key in visible.sorted() where key != "task" && !key.hasPrefix("_") && key != "fan_out_item" && key != node.id {
            guard var value = state[key], value.objectValue != nil else { continue }
            if !requested.isEmpty {
                guard let fields = requested[key] else { continue }
                value = .object(value.objectValue!.filter { fields.contains($0.key) })
            }
            if let producer = producers[key] {
                if !producer.shareOutput.isEmpty {
                    value = .object(value.objectValue!.filter { producer.shareOutput.contains($0.key) || $0.key == "confidence" })
                }
                let agentName = producer.agent ?? producer.id
                if let definition = agents[agentName]?.definition {
                    let hidden = Set(definition.output.contract.filter { !$0.isShareable || $0.isSensitive }.map(\.name))
                    value = .object(value.objectValue!.filter { !hidden.contains($0.key) })
                }
            }
            let text = value.serialized(pretty: true)
            let budget = max(orchestration.contextBudget.totalChars / max(1, visible.count), orchestration.contextBudget.minPerEntry)
            let shown = text.count <= budget ? text : String(text.prefix(orchestration.contextBudget.previewChars)) + "\n…(truncated)"
            if used + shown.count > orchestration.contextBudget.totalChars {
                sections.append("### Context: \(key)\n(omitted: the context budget of \(orchestration.contextBudget.totalChars) characters is used up; see output/nodes/\(key).json)")
                continue
            }
            used += shown.count
            sections.append("### Context: \(key)\n```json\n\(shown)\n```")
        }
        return sections.joined(separator: "\n\n")
    }

    // MARK: Results

    private func writeNodeOutput(_ id: String, _ value: JSONValue) {
        let reader = WorkspaceWriter(workspace: context.workspace)
        reader.write("output/nodes/\(id).json", value.serialized(pretty: true))
    }

    private func ending(_ status: String, _ reason: String, state: [String: JSONValue], iterations: Int) -> EngineOutcome {
        let result = JSONValue.object(state.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
        WorkspaceWriter(workspace: context.workspace).write("output/final.json", result.serialized(pretty: true))
        return EngineOutcome(status: status, reason: reason, result: result, iterations: iterations)
    }
}
