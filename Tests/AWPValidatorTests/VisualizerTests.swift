import AWPCore
import AWPTestSupport
import AWPValidator
import AWPWorkflow
import Foundation
import Testing

/// `awp visualize`: Mermaid in the reference's shape (digest §F.2), Graphviz dot, JSON and ASCII levels.
@Suite struct VisualizerTests {
    static let chain = """
        orchestration:
          graph:
            - id: planner
              agent: planner
            - id: researcher
              agent: researcher
              depends_on: [planner]
            - id: writer
              agent: writer
              depends_on:
                - agent: researcher
                  when: "state.researcher.confidence > 0.5"

        """

    static func manifest(in dir: URL, _ body: String) throws -> WorkflowManifest {
        let root = try Fixture.write(in: dir, manifest: Fixture.manifest(body), agents: [:])
        let workflow = WorkflowLoader.load(directory: root.path)
        #expect(workflow.diagnostics.isEmpty, "\(workflow.diagnostics)")
        return try #require(workflow.manifest)
    }

    @Test func mermaidDrawsEachNodeFollowedByItsIncomingEdges() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = try Self.manifest(in: dir, Self.chain)
            #expect(
                Visualizer.render(manifest, format: .mermaid) == """
                    graph TD
                        planner[planner]
                        researcher[researcher]
                        planner --> researcher
                        writer[writer]
                        researcher -->|success| writer
                    """
            )
        }
    }

    @Test func mermaidDrawsLoopingNodesAsCirclesAndLabelsDisabledNodes() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let body = """
                orchestration:
                  graph:
                    - id: draft
                      agent: draft
                    - id: review
                      agent: review
                      depends_on: [{agent: draft, condition: failure}]
                      loop: {enabled: true, until_condition: "state.review.ok"}
                    - id: archive
                      agent: archive
                      enabled: false
                      depends_on: [review]

                """
            let manifest = try Self.manifest(in: dir, body)
            #expect(
                Visualizer.mermaid(manifest) == """
                    graph TD
                        draft[draft]
                        review((review))
                        draft -->|failure| review
                        archive[archive [disabled]]
                        review --> archive
                    """
            )
        }
    }

    @Test func mermaidDrawsADelegationLoopAsItsManager() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = try Self.manifest(in: dir, Fixture.delegationLoop())
            #expect(
                Visualizer.mermaid(manifest) == """
                    graph TD
                        manager{{manager}}
                        manager -.->|delegates| workers[workers]
                    """
            )
        }
    }

    @Test func dotHasEveryEdgeWithConditionLabels() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let dot = Visualizer.render(try Self.manifest(in: dir, Self.chain), format: .dot)
            let lines = dot.split(separator: "\n").map(String.init)
            #expect(lines.first == #"digraph "demo" {"#)
            #expect(lines.last == "}")
            #expect(lines.contains(#"    "planner" [label="planner"];"#))
            #expect(lines.contains(#"    "planner" -> "researcher";"#))
            #expect(lines.contains(#"    "researcher" -> "writer" [label="success: state.researcher.confidence > 0.5"];"#))
            #expect(lines.filter { $0.contains(" -> ") }.count == 2)
        }
    }

    @Test func jsonListsNodesEdgesAndLevels() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = try Self.manifest(in: dir, Self.chain)
            let json = Visualizer.json(manifest)
            #expect(json["workflow"] == "demo")
            #expect(json["engine"] == "dag")
            #expect(json["manager"] == .null)
            #expect(json["nodes"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["planner", "researcher", "writer"])
            #expect(json["nodes"]?.arrayValue?.first?["enabled"] == true)
            #expect(
                json["edges"] == [
                    ["from": "planner", "to": "researcher", "condition": nil, "when": nil],
                    ["from": "researcher", "to": "writer", "condition": "success", "when": "state.researcher.confidence > 0.5"],
                ]
            )
            #expect(json["levels"] == [["planner"], ["researcher"], ["writer"]])
            // The text form parses back to the same value.
            let text = Visualizer.render(manifest, format: .json)
            #expect(try JSONParser.parse(text) == json)
        }
    }

    @Test func asciiPrintsOneLinePerLevelAndMarksParallelLevels() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let body = """
                orchestration:
                  graph:
                    - id: a
                      agent: a
                    - id: c
                      agent: c
                      depends_on: [a]
                    - id: b
                      agent: b
                      depends_on: [a]
                    - id: d
                      agent: d
                      depends_on: [b, c]

                """
            let manifest = try Self.manifest(in: dir, body)
            #expect(
                Visualizer.render(manifest, format: .ascii) == """
                      Level 0: [a]
                      Level 1: [b, c]  <- parallel
                      Level 2: [d]
                    """
            )
        }
    }

    @Test func asciiOfAnEmptyGraphSaysSo() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = try Self.manifest(in: dir, Fixture.delegationLoop())
            #expect(Visualizer.ascii(manifest) == "(empty graph)")
        }
    }
}
