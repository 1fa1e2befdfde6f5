internal import AWPCore
internal import AWPWorkflow

/// The graph checks: duplicate ids (R2), dangling dependencies (R6), cycles (R7) and orphans.
///
/// Unlike the reference, a dangling dependency is not also reported as a cycle, a cycle names
/// exactly the agents on it (not every agent downstream of it), and a delegation-loop workflow
/// is not told that its graph is empty.
enum GraphRules {
    static func check(_ orchestration: Orchestration, engineIsKnown: Bool) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let graph = orchestration.graph
        if graph.isEmpty {
            if !orchestration.isDelegationLoop && engineIsKnown {
                diagnostics.append(
                    .error(
                        "DAG workflow has no graph nodes: 'orchestration.graph' needs at least one node "
                            + "(or set engine: delegation_loop)",
                        at: orchestration.locations["graph"] ?? orchestration.locations.node
                    )
                )
            }
            return diagnostics
        }
        var seen: [String: GraphNode] = [:]
        for node in graph where !node.id.isEmpty {
            if seen[node.id] != nil {
                diagnostics.append(.error(rule: "R2", "Duplicate agent ID: '\(node.id)'", at: node.locations["id"]))
            } else {
                seen[node.id] = node
            }
        }
        for node in graph {
            for dependency in node.dependsOn {
                if dependency.agent == node.id {
                    diagnostics.append(
                        .error(
                            rule: "R7",
                            "Agent '\(node.id)' depends on itself (the reference reports this only as a cycle)",
                            at: dependency.location
                        )
                    )
                } else if seen[dependency.agent] == nil {
                    diagnostics.append(
                        .error(
                            rule: "R6",
                            "Agent '\(node.id)' depends on '\(dependency.agent)' which doesn't exist",
                            at: dependency.location
                        )
                    )
                }
            }
        }
        let cycles = findCycles(graph, known: seen)
        for cycle in cycles {
            let first = graph.first { $0.id == cycle[0] }
            diagnostics.append(
                .error(
                    rule: "R7",
                    "Cycle detected involving agents: \(pythonList(cycle.sorted())) (\((cycle + [cycle[0]]).joined(separator: " -> ")))",
                    at: first?.locations["depends_on"] ?? first?.locations.node
                )
            )
        }
        let inCycle = Set(cycles.flatMap { $0 })
        let orphans = unreachable(graph, known: seen).filter { !inCycle.contains($0) }
        if !orphans.isEmpty {
            let first = graph.first { $0.id == orphans[0] }
            diagnostics.append(
                .warning("Orphan agents (unreachable from roots): \(pythonList(orphans))", at: first?.locations.node)
            )
        }
        return diagnostics
    }

    /// The dependency edges that take part in ordering: known targets, no self-loops, and not
    /// between two looping nodes (a loop between loop-enabled agents is allowed, as in the reference).
    static func edges(_ graph: [GraphNode], known: [String: GraphNode]) -> [String: [String]] {
        var edges: [String: [String]] = [:]
        for node in graph {
            for dependency in node.dependsOn where dependency.agent != node.id {
                guard let source = known[dependency.agent] else { continue }
                if source.isLooping && node.isLooping { continue }
                edges[dependency.agent, default: []].append(node.id)
            }
        }
        return edges
    }

    /// Strongly connected components with more than one node (Tarjan's algorithm), each in graph order.
    static func findCycles(_ graph: [GraphNode], known: [String: GraphNode]) -> [[String]] {
        let edges = edges(graph, known: known)
        let order = graph.map(\.id).filter { !$0.isEmpty }
        var index = 0
        var indices: [String: Int] = [:]
        var lowlinks: [String: Int] = [:]
        var stack: [String] = []
        var onStack: Set<String> = []
        var components: [[String]] = []

        // Iterative to stay safe on very large graphs.
        for start in order where indices[start] == nil {
            var work: [(node: String, next: Int)] = [(start, 0)]
            indices[start] = index
            lowlinks[start] = index
            index += 1
            stack.append(start)
            onStack.insert(start)
            while let (node, next) = work.last {
                let successors = edges[node] ?? []
                if next < successors.count {
                    work[work.count - 1].next += 1
                    let successor = successors[next]
                    if indices[successor] == nil {
                        indices[successor] = index
                        lowlinks[successor] = index
                        index += 1
                        stack.append(successor)
                        onStack.insert(successor)
                        work.append((successor, 0))
                    } else if onStack.contains(successor) {
                        lowlinks[node] = min(lowlinks[node]!, indices[successor]!)
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last?.node { lowlinks[parent] = min(lowlinks[parent]!, lowlinks[node]!) }
                if lowlinks[node] == indices[node] {
                    var component: [String] = []
                    while let top = stack.popLast() {
                        onStack.remove(top)
                        component.append(top)
                        if top == node { break }
                    }
                    if component.count > 1 {
                        let members = Set(component)
                        components.append(order.filter { members.contains($0) })
                    }
                }
            }
        }
        return components.sorted { order.firstIndex(of: $0[0])! < order.firstIndex(of: $1[0])! }
    }

    /// Nodes that cannot be reached from a root (a node without dependencies), in graph order.
    static func unreachable(_ graph: [GraphNode], known: [String: GraphNode]) -> [String] {
        let edges = edges(graph, known: known)
        var reached: Set<String> = []
        var queue = graph.filter { $0.dependsOn.isEmpty }.map(\.id)
        while let node = queue.popLast() {
            guard reached.insert(node).inserted else { continue }
            queue += edges[node] ?? []
        }
        return graph.map(\.id).filter { !$0.isEmpty && !reached.contains($0) }
    }

    /// Topological levels (Kahn's algorithm); nodes on cycles come last, together, as the reference does.
    static func levels(_ graph: [GraphNode]) -> [[String]] {
        var known: [String: GraphNode] = [:]
        for node in graph where known[node.id] == nil { known[node.id] = node }
        let edges = edges(graph, known: known)
        var indegree: [String: Int] = [:]
        for id in known.keys { indegree[id] = 0 }
        for (_, targets) in edges { for target in targets { indegree[target, default: 0] += 1 } }
        var levels: [[String]] = []
        var remaining = Set(known.keys)
        while !remaining.isEmpty {
            let ready = remaining.filter { indegree[$0] == 0 }.sorted()
            guard !ready.isEmpty else {
                levels.append(remaining.sorted())
                break
            }
            levels.append(ready)
            for id in ready {
                remaining.remove(id)
                for target in edges[id] ?? [] { indegree[target, default: 0] -= 1 }
            }
        }
        return levels
    }
}

/// A list the way Python prints one (`['a', 'b']`), so messages read like the reference's.
func pythonList(_ items: [String]) -> String {
    "[" + items.map { "'\($0)'" }.joined(separator: ", ") + "]"
}
