import AWPCore
import AWPTestSupport
import AWPValidator
import AWPWorkflow
import Foundation
import Testing

/// The graph: duplicate ids (R2), dangling dependencies (R6), cycles (R7), orphans, empty DAGs, engines.
@Suite struct GraphRuleTests {
    @Test func theMinimalFixtureIsValidWithoutAnyDiagnostic() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(in: dir)
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
            #expect(report.isValid)
            #expect(report.workflow == "demo")
        }
    }

    @Test func aDuplicateNodeIdIsR2AtTheSecondId() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(in: dir, manifest: Fixture.manifest(Fixture.dag("writer", "writer")))
            #expect(report.errors.rules == ["R2"])
            let error = try #require(report.errors.first)
            #expect(error.message == "Duplicate agent ID: 'writer'")
            #expect(error.location == at(manifestFile, 11, 11))
            #expect(!report.isValid)
        }
    }

    @Test func aDanglingDependencyIsR6OnlyWithNoCycleReported() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(
                in: dir,
                manifest: Fixture.manifest(Fixture.dag("writer") + "      depends_on: [ghost]\n")
            )
            #expect(report.errors.rules == ["R6"])
            let error = try #require(report.errors.first)
            #expect(error.severity == .error)
            #expect(error.message == "Agent 'writer' depends on 'ghost' which doesn't exist")
            #expect(error.location == at(manifestFile, 11, 20))
            #expect(report.diagnostics.rule("R7").isEmpty)
        }
    }

    static let cycle = """
        orchestration:
          graph:
            - id: a
              agent: a
            - id: b
              agent: b
              depends_on: [a, c]
            - id: c
              agent: c
              depends_on: [b]
            - id: d
              agent: d
              depends_on: [c]

        """

    @Test func aCycleIsR7NamingExactlyTheAgentsOnIt() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(
                in: dir,
                manifest: Fixture.manifest(Self.cycle),
                agents: Fixture.agents("a", "b", "c", "d")
            )
            #expect(report.errors.rules == ["R7"])
            let error = try #require(report.errors.first)
            // `d` is downstream of the cycle but not on it.
            #expect(error.message == "Cycle detected involving agents: ['b', 'c'] (b -> c -> b)")
            #expect(error.location == at(manifestFile, 12, 19))
            #expect(report.warnings.isEmpty)
        }
    }

    @Test func aSelfDependencyIsR7AtTheDependency() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(
                in: dir,
                manifest: Fixture.manifest(Fixture.dag("writer") + "      depends_on: [writer]\n")
            )
            #expect(report.errors.rules == ["R7"])
            let error = try #require(report.errors.first)
            #expect(error.message == "Agent 'writer' depends on itself (the reference reports this only as a cycle)")
            #expect(error.location == at(manifestFile, 11, 20))
        }
    }

    static func mutualDependency(cLoops: Bool) -> String {
        """
        orchestration:
          graph:
            - id: a
              agent: a
            - id: b
              agent: b
              depends_on: [a, c]
              loop: {enabled: true, until_condition: "state.b.done"}
            - id: c
              agent: c
              depends_on: [a, b]
              loop: {enabled: \(cLoops)}

        """
    }

    @Test(arguments: [true, false])
    func aMutualDependencyIsAllowedOnlyBetweenLoopingNodes(cLoops: Bool) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(
                in: dir,
                manifest: Fixture.manifest(Self.mutualDependency(cLoops: cLoops)),
                agents: Fixture.agents("a", "b", "c")
            )
            if cLoops {
                #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
            } else {
                #expect(report.errors.rules == ["R7"])
                #expect(report.errors.first?.message == "Cycle detected involving agents: ['b', 'c'] (b -> c -> b)")
            }
        }
    }

    @Test func nodesUnreachableFromAnyRootAreAnOrphanWarning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            // b and c only depend on each other, and that edge is ignored between looping nodes.
            let manifest = Fixture.manifest(
                """
                orchestration:
                  graph:
                    - id: a
                      agent: a
                    - id: b
                      agent: b
                      depends_on: [c]
                      loop: {enabled: true}
                    - id: c
                      agent: c
                      depends_on: [b]
                      loop: {enabled: true}

                """
            )
            let report = try Fixture.validate(in: dir, manifest: manifest, agents: Fixture.agents("a", "b", "c"))
            #expect(report.isValid)
            #expect(report.diagnostics.count == 1)
            let warning = try #require(report.warnings.first)
            #expect(warning.rule == nil)
            #expect(warning.message == "Orphan agents (unreachable from roots): ['b', 'c']")
            #expect(warning.location == at(manifestFile, 10, 7))
        }
    }

    @Test func anEmptyDAGIsAnErrorAtTheGraph() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(in: dir, manifest: Fixture.manifest("orchestration:\n  engine: dag\n  graph: []\n"))
            #expect(report.errors.count == 1)
            let error = try #require(report.errors.first)
            #expect(error.rule == nil)
            #expect(error.message.hasPrefix("DAG workflow has no graph nodes: 'orchestration.graph' needs at least one node"))
            #expect(error.location == at(manifestFile, 8, 10))
        }
    }

    @Test func aDelegationLoopWithoutAGraphHasNoGraphError() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(
                in: dir,
                manifest: Fixture.manifest(Fixture.delegationLoop()),
                agents: Fixture.agents("manager")
            )
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        }
    }

    @Test(arguments: [true, false])
    func anUnknownEngineIsOneErrorAtTheEngine(withGraph: Bool) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let body = withGraph ? Fixture.dag("writer").edited("engine: dag", to: "engine: swarm") : "orchestration:\n  engine: swarm\n"
            let report = try Fixture.validate(in: dir, manifest: Fixture.manifest(body))
            // Without a graph there is no "empty DAG" error on top: the engine is what is wrong.
            #expect(report.errors.count == 1)
            let error = try #require(report.errors.first)
            #expect(error.rule == nil)
            #expect(error.message.hasPrefix("orchestration.engine must be 'dag' or 'delegation_loop', got 'swarm'"))
            #expect(error.location == at(manifestFile, 7, 11))
        }
    }

    @Test func aReadingErrorSuppressesTheRulePasses() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            // `Writer` is not a valid id and has no directory, but only the id error is reported.
            let report = try Fixture.validate(in: dir, manifest: Fixture.manifest(Fixture.dag("Writer")))
            #expect(report.diagnostics.count == 1)
            let error = try #require(report.errors.first)
            #expect(error.rule == nil)
            #expect(error.message.hasPrefix("invalid agent id 'Writer' in 'orchestration.graph[0].id'"))
            #expect(error.location == at(manifestFile, 9, 11))
            #expect(report.diagnostics.rule("R5/R9").isEmpty)
        }
    }
}
