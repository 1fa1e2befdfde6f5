import AWPCore
import AWPTestSupport
import AWPWorkflow
import Foundation
import Testing

/// Descriptions, versions, workflow names and agent ids (digest §B.1, §B.4).
@Suite struct FormatTests {
    @Test(arguments: [500, 501])
    func aDescriptionLongerThan500CharactersIsAnError(length: Int) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let text = String(repeating: "x", count: length)
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited("\"A demo workflow\"", to: "\"\(text)\"")
            )
            if length <= 500 {
                #expect(workflow.diagnostics.isEmpty)
                #expect(workflow.manifest?.workflow.description.count == 500)
            } else {
                #expect(workflow.diagnostics.count == 1)
                let diagnostic = try #require(workflow.diagnostics.first)
                #expect(diagnostic.severity == .error)
                #expect(diagnostic.message == "'workflow.description' has 501 characters; at most 500 are allowed")
                #expect(diagnostic.location == at(manifestFile, 5, 16))
            }
        }
    }

    struct VersionCase: Sendable, CustomTestStringConvertible {
        var version: String
        var severity: Diagnostic.Severity?
        var message: String?
        var testDescription: String { version }
    }

    static let versions: [VersionCase] = [
        VersionCase(version: "1.0", severity: .error, message: "'workflow.version' must be a semantic version like 1.0.0, got '1.0'"),
        VersionCase(
            version: "v1.0.0",
            severity: .error,
            message: "'workflow.version' must be a semantic version like 1.0.0, got 'v1.0.0'"
        ),
        VersionCase(
            version: "01.0.0",
            severity: .warning,
            message: "'workflow.version': version '01.0.0' has a leading zero, which SemVer 2.0.0 forbids; the reference accepts it"
        ),
        VersionCase(version: "1.10.0-beta.1+build.5", severity: nil, message: nil),
    ]

    @Test(arguments: versions)
    func versionsMustBeSemanticAndLeadingZerosAreWarned(_ testCase: VersionCase) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited("version: \"1.0.0\"", to: "version: \"\(testCase.version)\"")
            )
            guard let severity = testCase.severity else {
                #expect(workflow.diagnostics.isEmpty)
                return
            }
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == severity)
            #expect(diagnostic.message == testCase.message)
            #expect(diagnostic.location == at(manifestFile, 4, 12))
        }
    }

    @Test func aWorkflowNameWithCapitalsIsAnErrorAtTheName() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Fixture.manifest.edited("name: demo", to: "name: Demo-Flow"))
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message.hasPrefix("invalid workflow name 'Demo-Flow': use lowercase letters, digits, '-' and '_'"))
            #expect(diagnostic.location == at(manifestFile, 3, 9))
        }
    }

    @Test func anInvalidGraphNodeIdIsAnErrorAtTheId() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Fixture.manifest.edited("- id: writer", to: "- id: Writer"))
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message.hasPrefix("invalid agent id 'Writer' in 'orchestration.graph[0].id': use snake_case"))
            #expect(!diagnostic.message.contains("placeholder"))
            #expect(diagnostic.location == at(manifestFile, 9, 11))
        }
    }

    @Test func anUnfilledAgentIdPlaceholderGetsAHint() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, agent: Fixture.agent(id: "\"{{AGENT_ID}}\""))
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message.hasPrefix("invalid agent id '{{AGENT_ID}}' in 'identity.id'"))
            #expect(diagnostic.message.hasSuffix("; it looks like an unfilled template placeholder"))
            #expect(diagnostic.location == at(agentFile, 3, 7))
        }
    }

    @Test func anUnresolvedPlaceholderInTheGraphStaysVerbatimAndGetsTheHint() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Fixture.manifest.edited("- id: writer", to: "- id: \"{{AGENT_ID}}\""))
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.message.hasPrefix("invalid agent id '{{AGENT_ID}}' in 'orchestration.graph[0].id'"))
            #expect(diagnostic.message.hasSuffix("it looks like an unfilled template placeholder"))
            #expect(workflow.manifest?.orchestration?.graph.first?.id == "{{AGENT_ID}}")
        }
    }

    @Test(arguments: [
        ("a", true), ("hello-world", true), ("hello_world_2", true), ("Hello", false), ("1st", false),
        ("trailing-", false), ("trailing_", false), ("has space", false), (String(repeating: "a", count: 64), true),
        (String(repeating: "a", count: 65), false),
    ])
    func workflowNamesFollowTheReferencePattern(name: String, isValid: Bool) {
        #expect(AWPFormat.isWorkflowName(name) == isValid)
    }

    @Test(arguments: [
        ("a", true), ("writer_2", true), ("with-hyphen", false), ("Writer", false), ("_lead", false),
        ("trail_", false), (String(repeating: "a", count: 48), true), (String(repeating: "a", count: 49), false),
    ])
    func agentIdsAreSnakeCaseUpTo48Characters(id: String, isValid: Bool) {
        #expect(AWPFormat.isAgentID(id) == isValid)
    }
}
