import AWPCore
import AWPTestSupport
import AWPWorkflow
import Foundation
import Testing

/// Values of the wrong type are errors that name the file, line, column and the type expected.
@Suite struct TypeCheckTests {
    @Test func anIntegerVersionIsAnErrorAtItsLineAndColumnAskingForAString() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: """
                    awp: "1.0.0"
                    workflow:
                      name: demo
                      version: 1
                      description: "A demo workflow"
                    """
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.rule == nil)
            #expect(diagnostic.message == #"'workflow.version' must be a string, got the integer 1; quote it ("1")"#)
            #expect(diagnostic.location == at(manifestFile, 4, 12))
            #expect(diagnostic.description.hasPrefix("workflow.awp.yaml:4:12: error: 'workflow.version' must be a string"))
            #expect(workflow.manifest == nil)
            #expect(!workflow.isReadable)
        }
    }

    @Test func aWordWhereAnIntegerBelongsIsAnErrorAtItsLineAndColumn() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.header + """
                    orchestration:
                      graph:
                        - id: writer
                          agent: writer
                          loop:
                            enabled: true
                            max_iterations: fast
                    """
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(
                diagnostic.message
                    == #"'orchestration.graph[0].loop.max_iterations' must be an integer, got the string "fast""#
            )
            #expect(diagnostic.location == at(manifestFile, 12, 25))
            // The rest of the node is still read; the bad value takes its default.
            let node = try #require(workflow.manifest?.orchestration?.graph.first)
            #expect(node.isLooping)
            #expect(node.loop?.maxIterations == 5)
        }
    }

    @Test func aScalarWhereTheGraphListBelongsIsAnErrorAtItsLineAndColumn() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.header + """
                    orchestration:
                      graph: planner
                    """
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message == #"'orchestration.graph' must be a list, got the string "planner""#)
            #expect(diagnostic.location == at(manifestFile, 7, 10))
            #expect(workflow.manifest?.orchestration?.graph.isEmpty == true)
        }
    }

    @Test func aNullWhereARequiredStringBelongsIsAnError() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Fixture.manifest.edited("  name: demo\n", to: "  name:\n"))
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message == "'workflow.name' must be a string, got null")
            #expect(diagnostic.location?.file == manifestFile)
            #expect(diagnostic.location?.line == 3)
        }
    }

    @Test func aWordWhereABooleanBelongsIsAnError() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited("      agent: writer\n", to: "      agent: writer\n      enabled: maybe\n")
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(
                diagnostic.message
                    == #"'orchestration.graph[0].enabled' must be a boolean (true or false), got the string "maybe""#
            )
            #expect(diagnostic.location == at(manifestFile, 11, 16))
        }
    }

    @Test func aManifestThatIsAListIsOneError() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: "- awp\n- workflow\n")
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message == "workflow.awp.yaml must be a YAML mapping, got a list")
            #expect(diagnostic.location == at(manifestFile, 1, 1))
            #expect(workflow.manifest == nil)
        }
    }

    @Test func anUnknownOutputFormatIsAnErrorAtItsValue() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, agent: Fixture.agent().edited("format: json", to: "format: yaml"))
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message == "'output.format' must be json, text or markdown, got 'yaml'")
            #expect(diagnostic.location == at(agentFile, 11, 11))
        }
    }

    @Test func anUnknownSchedulerIsAnError() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited("  engine: dag\n", to: "  engine: dag\n  execution:\n    scheduler: eager\n")
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(
                diagnostic.message == "'orchestration.execution.scheduler' must be 'levels' or 'ready_queue', got 'eager'"
            )
            #expect(diagnostic.location == at(manifestFile, 9, 16))
        }
    }
}

/// A required field that is missing is an error at the mapping that should hold it.
@Suite struct RequiredFieldTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var field: String
        /// The text removed from the fixture.
        var removed: String
        var inAgent: Bool
        var message: String
        var line: Int
        var column: Int
        var testDescription: String { field }
    }

    static let cases: [Case] = [
        Case(
            field: "workflow.description",
            removed: "  description: \"A demo workflow\"\n",
            inAgent: false,
            message: "'workflow.description' is required",
            line: 3,
            column: 3
        ),
        Case(field: "awp", removed: "awp: \"1.0.0\"\n", inAgent: false, message: "'awp' is required", line: 1, column: 1),
        Case(
            field: "agent model",
            removed: "model:\n  name: \"fake/deterministic\"\n",
            inAgent: true,
            message: "'model' is required",
            line: 1,
            column: 1
        ),
        Case(
            field: "identity.role",
            removed: "  role: writer\n",
            inAgent: true,
            message: "'identity.role' is required",
            line: 3,
            column: 3
        ),
    ]

    @Test(arguments: cases)
    func aMissingRequiredFieldIsOneErrorAtItsMapping(_ testCase: Case) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = testCase.inAgent ? Fixture.manifest : Fixture.manifest.edited(testCase.removed, to: "")
            let agent = testCase.inAgent ? Fixture.agent().edited(testCase.removed, to: "") : Fixture.agent()
            let workflow = try Fixture.load(in: dir, manifest: manifest, agents: ["writer": agent])
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message == testCase.message)
            #expect(diagnostic.location == at(testCase.inAgent ? agentFile : manifestFile, testCase.line, testCase.column))
            if testCase.inAgent {
                #expect(workflow.manifest != nil)
                #expect(workflow.agents.first?.definition == nil)
            } else {
                #expect(workflow.manifest == nil)
            }
        }
    }
}

/// The reference reads values the way PyYAML and pydantic do; so does the loader, but it says so.
@Suite struct LaxReadingTests {
    @Test func yesAndNoReadAsBooleansWhereABooleanIsExpected() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited(
                    "      agent: writer\n",
                    to: "      agent: writer\n      enabled: no\n      loop:\n        enabled: yes\n"
                )
            )
            #expect(workflow.diagnostics.isEmpty)
            let node = try #require(workflow.manifest?.orchestration?.graph.first)
            #expect(node.isEnabled == false)
            #expect(node.isLooping == true)
        }
    }

    @Test func aQuotedNumberWhereAnIntegerBelongsIsReadWithAWarning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited(
                    "      agent: writer\n",
                    to: "      agent: writer\n      loop:\n        max_iterations: \"3\"\n"
                )
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .warning)
            #expect(
                diagnostic.message
                    == #"'orchestration.graph[0].loop.max_iterations' is the string "3"; it is read as the integer 3"#
            )
            #expect(diagnostic.location == at(manifestFile, 12, 25))
            #expect(workflow.manifest?.orchestration?.graph.first?.loop?.maxIterations == 3)
            #expect(workflow.isReadable)
        }
    }

    @Test func aPlainOnKeyIsAnErrorAdvisingQuotes() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited("  description: \"A demo workflow\"\n", to: "  description: \"A demo workflow\"\n  on: push\n")
            )
            let errors = workflow.diagnostics.errorsOnly
            #expect(errors.count == 1)
            let error = try #require(errors.first)
            #expect(
                error.message
                    == "key 'on' in 'workflow' is read as the boolean true by YAML 1.1 readers such as the Python "
                    + #"reference; quote it ("on")"#
            )
            #expect(error.location == at(manifestFile, 6, 3))
        }
    }

    @Test func aQuotedOnKeyIsOnlyAnUnknownKey() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited("  description: \"A demo workflow\"\n", to: "  description: \"A demo workflow\"\n  \"on\": push\n")
            )
            #expect(workflow.diagnostics.errorsOnly.isEmpty)
            #expect(workflow.diagnostics.warningsOnly.map(\.message) == ["unknown key 'on' in 'workflow'"])
        }
    }
}
