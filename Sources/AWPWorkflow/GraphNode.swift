public import AWPCore
internal import AWPYAML

/// One node of a DAG: an agent, its dependencies and how it runs (digest §B.5.1).
///
/// The node id is also the agent's directory name under `agents/` and its key in the run state.
public struct GraphNode: Sendable {
    public var id: String
    /// The documented agent path; the reference never reads it (the directory is always `agents/<id>`).
    public var agent: String?
    public var isEnabled: Bool
    public var dependsOn: [Dependency]
    /// `share_input`: fields this node reads from other agents' outputs, in written order.
    public var shareInput: [(agent: String, fields: [String])]
    public var shareOutput: [String]
    public var description: String
    /// `continue`, `skip` or `abort`.
    public var onFailure: String
    /// A safe expression that gates the node.
    public var when: String?
    public var loop: LoopConfig?
    public var fanOut: FanOutConfig?
    public var timeout: Int?
    public var retry: Int
    public var type: String?
    public var config: JSONValue?
    /// Position in `orchestration.graph`.
    public var index: Int
    public var locations: FieldLocations

    /// True when the node loops (`loop.enabled`).
    public var isLooping: Bool { loop?.isEnabled == true }
}

/// A `depends_on` entry: a plain agent id, or `{agent, condition, when}`.
public struct Dependency: Sendable {
    public var agent: String
    /// `success`, `failure`, `always` or an expression; shown by `visualize`.
    public var condition: String
    public var when: String?
    /// True for the object form (the visualizer labels those edges).
    public var isConditional: Bool
    public var location: SourceLocation
}

/// `loop`: repeat a node until a condition holds.
public struct LoopConfig: Sendable {
    public var isEnabled: Bool = false
    public var maxIterations: Int = 5
    public var untilCondition: String = ""
    /// `standard` or `interactive`.
    public var mode: String = "standard"
    public var pollInterval: Double = 2.0
}

/// `fan_out`: run a node once per item of a list field.
public struct FanOutConfig: Sendable {
    public var isEnabled: Bool = false
    public var sourceField: String = ""
    public var agentTemplate: String = ""
    public var maxParallel: Int = 4
    /// `merge` or `concat`.
    public var aggregation: String = "merge"
}

extension GraphNode {
    static func read(_ reader: MappingReader, index: Int) -> GraphNode {
        let context = reader.context
        let id = reader.string("id", required: true) ?? ""
        if reader.contains("id"), !id.isEmpty, !AWPFormat.isAgentID(id) {
            context.error(invalidAgentIDMessage(id, path: reader.childPath("id")), at: reader.value("id"))
        }
        if reader.contains("id"), !reader.contains("agent") {
            context.error("'\(reader.childPath("agent"))' is required", at: reader.node)
        }
        var dependencies: [Dependency] = []
        for (position, item) in (reader.list("depends_on") ?? []).enumerated() {
            if let dependency = Dependency.read(item, path: "\(reader.childPath("depends_on"))[\(position)]", context: context) {
                dependencies.append(dependency)
            }
        }
        var shareInput: [(agent: String, fields: [String])] = []
        if let share = reader.mapping("share_input") {
            for source in share.keys {
                let fields = share.strings(source) ?? []
                shareInput.append((agent: source, fields: fields))
            }
            share.finish()
        }
        let onFailure = reader.string("on_failure") ?? "continue"
        let node = GraphNode(
            id: id,
            agent: reader.string("agent"),
            isEnabled: reader.bool("enabled", default: true),
            dependsOn: dependencies,
            shareInput: shareInput,
            shareOutput: reader.strings("share_output", default: []),
            description: reader.string("description", default: ""),
            onFailure: onFailure,
            when: reader.string("when"),
            loop: reader.mapping("loop").map(LoopConfig.read),
            fanOut: reader.mapping("fan_out").map(FanOutConfig.read),
            timeout: reader.int("timeout"),
            retry: reader.int("retry", default: 0),
            type: reader.string("type"),
            config: reader.json("config"),
            index: index,
            locations: reader.locations
        )
        if !["continue", "skip", "abort"].contains(onFailure) {
            context.warning(
                "'\(reader.childPath("on_failure"))' is '\(onFailure)'; only continue, skip and abort are defined "
                    + "(anything else behaves as continue)",
                at: reader.value("on_failure")
            )
        }
        reader.finish(note: "ignored by the engine")
        return node
    }
}

extension Dependency {
    static func read(_ node: YAMLNode, path: String, context: LoadContext) -> Dependency? {
        if node.scalar != nil {
            guard let text = node.scalar?.text, node.implicitType == .string || node.scalar?.style != .plain else {
                context.error("'\(path)' must be an agent id or {agent, condition, when}, got \(describe(node))", at: node)
                return nil
            }
            return Dependency(agent: text, condition: "success", when: nil, isConditional: false, location: context.location(of: node))
        }
        guard let entry = MappingReader(node, path: path, context: context) else { return nil }
        if !entry.contains("agent"), entry.contains("id") {
            context.error(
                "'\(path)' uses {id, expr}; AWP 1.0 engines read conditional dependencies as {agent, condition, when}",
                at: node
            )
            _ = entry.value("id")
            _ = entry.value("expr")
            entry.finish()
            return nil
        }
        guard let agent = entry.string("agent", required: true) else {
            entry.finish()
            return nil
        }
        if !AWPFormat.isAgentID(agent) {
            context.error(invalidAgentIDMessage(agent, path: entry.childPath("agent")), at: entry.value("agent"))
        }
        let dependency = Dependency(
            agent: agent,
            condition: entry.string("condition") ?? "success",
            when: entry.string("when"),
            isConditional: true,
            location: context.location(of: node)
        )
        entry.finish()
        return dependency
    }
}

extension LoopConfig {
    static func read(_ reader: MappingReader) -> LoopConfig {
        var loop = LoopConfig()
        loop.isEnabled = reader.bool("enabled", default: false)
        loop.maxIterations = reader.int("max_iterations", default: loop.maxIterations)
        loop.untilCondition = reader.string("until_condition", default: "")
        loop.mode = reader.string("mode", default: loop.mode)
        loop.pollInterval = reader.double("poll_interval", default: loop.pollInterval)
        reader.finish()
        return loop
    }
}

extension FanOutConfig {
    static func read(_ reader: MappingReader) -> FanOutConfig {
        var fanOut = FanOutConfig()
        fanOut.isEnabled = reader.bool("enabled", default: false)
        fanOut.sourceField = reader.string("source_field", default: "")
        fanOut.agentTemplate = reader.string("agent_template", default: "")
        fanOut.maxParallel = reader.int("max_parallel", default: fanOut.maxParallel)
        fanOut.aggregation = reader.string("aggregation", default: fanOut.aggregation)
        reader.finish()
        return fanOut
    }
}

func invalidAgentIDMessage(_ id: String, path: String) -> String {
    var message =
        "invalid agent id '\(id)' in '\(path)': use snake_case (lowercase letters, digits and '_', starting with "
        + "a letter, not ending with '_', at most 48 characters)"
    if id.contains("{{") { message += "; it looks like an unfilled template placeholder" }
    return message
}
