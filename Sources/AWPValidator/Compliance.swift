internal import AWPCore
public import AWPWorkflow

/// AWP autonomy levels A0–A4.
public enum AutonomyLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case a0 = 0, a1, a2, a3, a4

    /// `A0 Prescribed`, `A1 Adaptive`, …
    public var title: String {
        switch self {
        case .a0: "Prescribed"
        case .a1: "Adaptive"
        case .a2: "Delegating"
        case .a3: "Self-Tooling"
        case .a4: "Self-Organizing"
        }
    }

    public var description: String { "A\(rawValue)" }

    public static func < (lhs: AutonomyLevel, rhs: AutonomyLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses `A0`…`A4` and the legacy `L0`…`L5` (L5 is A4), case-insensitively.
    public init?(parsing text: String) {
        let upper = text.uppercased()
        guard upper.count == 2, let digit = Int(upper.dropFirst()) else { return nil }
        switch upper.first {
        case "A" where (0...4).contains(digit): self.init(rawValue: digit)
        case "L" where (0...5).contains(digit): self.init(rawValue: min(digit, 4))
        default: return nil
        }
    }
}

/// What `awp compliance` reports: the level reached and every check behind it.
public struct ComplianceReport: Sendable {
    public var workflow: String
    public var target: AutonomyLevel
    /// The highest level whose checks pass together with every lower level's; nil when A0 fails.
    public var achieved: AutonomyLevel?
    /// Every check by name, in the order they were made.
    public var checks: [(name: String, passed: Bool)]
    public var crossCutting: [(name: String, passed: Bool)]
    public var errors: [String]
    public var warnings: [String]

    /// True when the achieved level reaches the target.
    public var meetsTarget: Bool { achieved.map { $0 >= target } ?? false }
}

/// Decides which autonomy level a workflow reaches (digest §C.6), monotonically.
///
/// The checks are the reference's, but a level counts only when every lower level holds too: the
/// reference lets a DAG with dynamic tools reach A3 while A2 fails, and A4 while A3 fails.
public enum ComplianceChecker {
    public static func check(_ workflow: LoadedWorkflow, target: AutonomyLevel = .a4) -> ComplianceReport {
        var report = ComplianceReport(
            workflow: workflow.name, target: target, achieved: nil, checks: [], crossCutting: [], errors: [], warnings: []
        )
        guard let manifest = workflow.manifest, workflow.isReadable else {
            report.errors = workflow.diagnostics.filter(\.isError).map(\.description)
            return report
        }
        let agents = workflow.definitions.sorted { $0.key < $1.key }
        let orchestration = manifest.orchestration
        let loop = orchestration?.isDelegationLoop == true ? orchestration?.delegationLoop : nil
        var passed: [AutonomyLevel: Bool] = [:]

        func record(_ name: String, _ value: Bool) -> Bool {
            report.checks.append((name, value))
            return value
        }

        // A0: a readable manifest with agents that declare what they produce.
        var a0 = record("manifest_present", true)
        a0 = record("awp_version_set", !manifest.awp.isEmpty) && a0
        a0 = record("workflow_name_valid", AWPFormat.isWorkflowName(manifest.workflow.name)) && a0
        if !record("at_least_one_agent", !agents.isEmpty) {
            a0 = false
            report.errors.append("A0: At least one agent is required")
        }
        for (name, agent) in agents {
            let hasContract = !agent.output.contract.isEmpty || agent.output.format != "json"
            if !record("agent_\(name)_has_contract", hasContract) {
                a0 = false
                report.errors.append("A0: Agent '\(name)' must have an output contract")
            }
        }
        passed[.a0] = a0

        // A1: an orchestration with adaptive features or several agents.
        var a1 = record("has_orchestration", orchestration != nil)
        if orchestration == nil { report.errors.append("A1: Orchestration config required") }
        let graph = orchestration?.graph ?? []
        let isLoop = orchestration?.isDelegationLoop == true
        a1 = record("has_graph_or_delegation", !graph.isEmpty || isLoop) && a1
        let adaptive = isLoop || graph.contains { node in
            node.when != nil || node.isLooping || node.fanOut?.isEnabled == true || node.dependsOn.contains { $0.when != nil }
        }
        if !record("has_adaptive_features", adaptive) {
            if !record("multi_agent_dag", graph.count >= 2) {
                a1 = false
                report.errors.append("A1: Requires adaptive features (when, loop, fan_out) or multi-agent DAG")
            }
        }
        passed[.a1] = a1

        // A2: a delegation loop with its configuration.
        let a2Engine = record("delegation_loop_engine", isLoop)
        let a2Config = record("delegation_loop_config", orchestration?.delegationLoop != nil)
        if !(a2Engine && a2Config) { report.errors.append("A2: Requires engine=delegation_loop with delegation_loop config") }
        let a2Budget = record("has_budget", orchestration?.delegationLoop != nil)
        passed[.a2] = a2Engine && a2Config && a2Budget

        // A3: tools created at run time.
        let dynamic = record("dynamic_tools_enabled", manifest.dynamicTools?.isEnabled == true)
        let creator = record(
            "has_tool_creator_agent",
            agents.contains { $0.value.capabilities?.codemode?.toolCreation == true }
        )
        let delegated = record(
            "delegation_allows_tool_creation",
            loop?.workerPolicy.managerControlled.contains("codemode.tool_creation") == true
        )
        var a3 = dynamic || creator || delegated
        if !a3 {
            report.errors.append(
                "A3: Requires dynamic_tools.enabled, agent with tool_creation, or delegation loop with tool_creation"
            )
        }
        if loop != nil { a3 = record("has_safety_envelope", true) && a3 }
        passed[.a3] = a3

        // A4: recursive delegation, observed.
        var a4 = loop != nil
        if let loop {
            a4 = record("allows_recursive_delegation", loop.budget.maxDepth > 1) && a4
            a4 = record("observability_required_a4", manifest.observability != nil) && a4
        } else {
            report.errors.append("A4: Requires a delegation loop with max_depth > 1 and observability")
        }
        passed[.a4] = a4

        for level in AutonomyLevel.allCases {
            guard passed[level] == true else { break }
            report.achieved = level
        }

        let security = manifest.security != nil
        let observability = manifest.observability != nil
        report.crossCutting = [("security_configured", security), ("observability_configured", observability)]
        if !security { report.warnings.append("Security config recommended for all workflows") }
        if !observability { report.warnings.append("Observability config recommended for all workflows") }
        if let declared = manifest.workflow.declaredAutonomy, let level = AutonomyLevel(parsing: declared),
            level != report.achieved
        {
            report.warnings.append(
                "workflow.autonomy declares \(level) but the workflow reaches \(report.achieved?.description ?? "no level")"
            )
        }
        // Only errors about levels up to the target matter for the verdict shown.
        report.errors = report.errors.filter { error in
            guard let level = AutonomyLevel(parsing: String(error.prefix(2))) else { return true }
            return level <= target
        }
        return report
    }
}
