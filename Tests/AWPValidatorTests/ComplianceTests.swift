import AWPCore
import AWPTestSupport
import AWPValidator
import AWPWorkflow
import Foundation
import Testing

/// Autonomy levels A0–A4 (digest §C.6), counted monotonically.
@Suite struct ComplianceTests {
    static let examples: [(String, AutonomyLevel)] = [
        ("a0-single-agent", .a0), ("a1-review-pipeline", .a1), ("a2-delegation-budget", .a2),
        ("a3-dynamic-tools", .a3), ("a4-recursive-research", .a4),
    ]

    static func example(_ name: String) -> LoadedWorkflow {
        WorkflowLoader.load(directory: TestSupport.packageRoot.appendingPathComponent("Examples/\(name)").path)
    }

    @Test(arguments: examples)
    func eachExampleReachesExactlyItsLevel(name: String, level: AutonomyLevel) throws {
        let workflow = Self.example(name)
        #expect(ComplianceChecker.check(workflow).achieved == level)
        #expect(ComplianceChecker.check(workflow, target: level).meetsTarget)
        if let next = AutonomyLevel(rawValue: level.rawValue + 1) {
            #expect(!ComplianceChecker.check(workflow, target: next).meetsTarget)
        }
    }

    @Test(arguments: examples.map(\.0))
    func eachExampleIsValid(name: String) {
        let report = WorkflowValidator.validate(Self.example(name))
        #expect(report.errors.isEmpty, "\(report.errors)")
    }

    @Test func aSingleNodeDAGWithDynamicToolsReachesOnlyA0() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = Fixture.manifest(Fixture.dag("writer") + "dynamic_tools:\n  enabled: true\n")
            let root = try Fixture.write(in: dir, manifest: manifest)
            let report = ComplianceChecker.check(WorkflowLoader.load(directory: root.path))
            // A1 fails (one node, nothing adaptive), so the passing A3 check does not count.
            #expect(report.achieved == .a0)
            #expect(report.checks.contains { $0.name == "dynamic_tools_enabled" && $0.passed })
            #expect(report.checks.contains { $0.name == "multi_agent_dag" && !$0.passed })
            #expect(!ComplianceChecker.check(WorkflowLoader.load(directory: root.path), target: .a1).meetsTarget)
        }
    }

    @Test func aTwoNodeDAGWithDynamicToolsReachesA1NotA3() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = Fixture.manifest(Fixture.dag("writer", "reviewer") + "dynamic_tools:\n  enabled: true\n")
            let root = try Fixture.write(in: dir, manifest: manifest, agents: Fixture.agents("writer", "reviewer"))
            let report = ComplianceChecker.check(WorkflowLoader.load(directory: root.path))
            #expect(report.achieved == .a1)
        }
    }

    @Test func aDelegationLoopWithoutDelegatedToolCreationStopsAtA2() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let body = """
                orchestration:
                  engine: delegation_loop
                  delegation_loop:
                    manager: agents/manager
                    worker_policy:
                      manager_controlled: [instructions, skills, codemode.enabled]
                    budget:
                      max_depth: 3
                observability:
                  tracing:
                    enabled: true

                """
            let root = try Fixture.write(in: dir, manifest: Fixture.manifest(body), agents: Fixture.agents("manager"))
            let workflow = WorkflowLoader.load(directory: root.path)
            #expect(workflow.diagnostics.isEmpty, "\(workflow.diagnostics)")
            let report = ComplianceChecker.check(workflow)
            #expect(report.achieved == .a2)
            #expect(report.checks.contains { $0.name == "delegation_allows_tool_creation" && !$0.passed })
            // The A4 checks hold on their own, but A3 does not, so A4 is not reached.
            #expect(report.checks.contains { $0.name == "allows_recursive_delegation" && $0.passed })
            #expect(report.checks.contains { $0.name == "observability_required_a4" && $0.passed })
            #expect(!ComplianceChecker.check(workflow, target: .a3).meetsTarget)
        }
    }

    @Test func aWorkflowWithoutAgentsReachesNoLevel() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir, agents: [:])
            let report = ComplianceChecker.check(WorkflowLoader.load(directory: root.path), target: .a0)
            #expect(report.achieved == nil)
            #expect(!report.meetsTarget)
            #expect(report.errors.contains("A0: At least one agent is required"))
        }
    }

    @Test func anUnreadableWorkflowReachesNoLevelAndReportsTheReadingErrors() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir, manifest: Fixture.manifest(Fixture.dag("Writer")))
            let report = ComplianceChecker.check(WorkflowLoader.load(directory: root.path), target: .a0)
            #expect(report.achieved == nil)
            #expect(report.checks.isEmpty)
            #expect(report.errors.count == 1)
            #expect(report.errors.first?.contains("invalid agent id 'Writer'") == true)
        }
    }

    @Test func aDeclaredAutonomyTheWorkflowDoesNotReachIsAWarning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = Fixture.manifest().edited(
                "  description: \"A demo workflow\"\n",
                to: "  description: \"A demo workflow\"\n  autonomy: L3\n"
            )
            let root = try Fixture.write(in: dir, manifest: manifest)
            let report = ComplianceChecker.check(WorkflowLoader.load(directory: root.path))
            #expect(report.achieved == .a0)
            #expect(report.warnings.contains("workflow.autonomy declares A3 but the workflow reaches A0"))
        }
    }

    @Test(arguments: [
        ("a0", AutonomyLevel?.some(.a0)), ("A4", .a4), ("L5", .a4), ("l1", .a1), ("L0", .a0), ("bogus", nil),
        ("A5", nil), ("A", nil), ("", nil), ("A10", nil), ("L6", nil),
    ])
    func autonomyLevelsParseFromAAndLegacyLNames(text: String, level: AutonomyLevel?) {
        #expect(AutonomyLevel(parsing: text) == level)
    }

    @Test func autonomyLevelsDescribeThemselves() {
        #expect(AutonomyLevel.allCases.map(\.description) == ["A0", "A1", "A2", "A3", "A4"])
        #expect(AutonomyLevel.allCases.map(\.title) == ["Prescribed", "Adaptive", "Delegating", "Self-Tooling", "Self-Organizing"])
        #expect(AutonomyLevel.a1 < .a2)
    }
}
