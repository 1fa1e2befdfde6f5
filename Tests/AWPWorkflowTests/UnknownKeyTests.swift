import AWPCore
import AWPTestSupport
import AWPWorkflow
import Foundation
import Testing

/// Keys AWP 1.0 does not define are warnings at the key, with a suggestion for likely typos, and are kept.
@Suite struct UnknownKeyTests {
    @Test func aMisspeltTopLevelSectionIsAWarningSuggestingTheRealOneAndIsKept() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.header + """
                    orchestraton:
                      engine: dag
                    """
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .warning)
            #expect(
                diagnostic.message
                    == "unknown key 'orchestraton' in '(top level)'; did you mean 'orchestration'? "
                    + "(kept as data; AWP 1.0 does not define it)"
            )
            #expect(diagnostic.location == at(manifestFile, 6, 1))
            let manifest = try #require(workflow.manifest)
            #expect(manifest.orchestration == nil)
            #expect(manifest.extras == [ExtraField(key: "orchestraton", value: ["engine": "dag"], location: at(manifestFile, 6, 1))])
        }
    }

    @Test func anUnrelatedTopLevelKeyGetsNoSuggestion() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Fixture.manifest + "x_team: platform\n")
            #expect(
                workflow.diagnostics.map(\.message)
                    == ["unknown key 'x_team' in '(top level)' (kept as data; AWP 1.0 does not define it)"]
            )
            #expect(workflow.diagnostics.first?.severity == .warning)
            #expect(workflow.manifest?.extras.map(\.key) == ["x_team"])
            #expect(workflow.manifest?.extras.first?.value == "platform")
        }
    }

    @Test func aMisspeltDependsOnInAGraphNodeSuggestsDependsOn() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited("      agent: writer\n", to: "      agent: writer\n      depnds_on: [planner]\n")
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .warning)
            #expect(
                diagnostic.message
                    == "unknown key 'depnds_on' in 'orchestration.graph[0]'; did you mean 'depends_on'? (ignored by the engine)"
            )
            #expect(diagnostic.location == at(manifestFile, 11, 7))
            #expect(workflow.manifest?.orchestration?.graph.first?.dependsOn.isEmpty == true)
        }
    }

    @Test func anUnknownAgentKeyIsAWarningAndKeptInTheAgentsExtras() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, agent: Fixture.agent() + "team: blue\n")
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .warning)
            #expect(diagnostic.message == "unknown key 'team' in '(top level)' (kept as data; AWP 1.0 does not define it)")
            #expect(diagnostic.location == at(agentFile, 21, 1))
            let agent = try #require(workflow.definitions["writer"])
            #expect(agent.extras == [ExtraField(key: "team", value: "blue", location: at(agentFile, 21, 1))])
        }
    }
}
