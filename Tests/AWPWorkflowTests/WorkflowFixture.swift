import AWPCore
import AWPTestSupport
import AWPWorkflow
import Foundation

/// Builds small workflows on disk for the loader tests. Every test writes into its own temporary
/// directory (`TestSupport.withTemporaryDirectory`), never into the repository.
enum Fixture {
    /// A minimal valid manifest: one DAG node `writer`. Line numbers matter to the tests:
    ///
    ///     1 awp            3 name         5 description   7 engine   9 - id: writer
    ///     2 workflow:      4 version      6 orchestration 8 graph   10   agent: writer
    static let manifest = """
        awp: "1.0.0"
        workflow:
          name: demo
          version: "1.0.0"
          description: "A demo workflow"
        orchestration:
          engine: dag
          graph:
            - id: writer
              agent: writer

        """

    /// The first five lines of every manifest (`awp` and the `workflow` section).
    static let header = """
        awp: "1.0.0"
        workflow:
          name: demo
          version: "1.0.0"
          description: "A demo workflow"

        """

    /// A minimal valid agent manifest (line 3 `id`, 4 `role`, 6 `model`, 10 `output`, 21 first free line).
    static func agent(id: String = "writer") -> String {
        """
        awp_agent: "1.0.0"
        identity:
          id: \(id)
          role: writer
          description: "Writes a summary"
        model:
          name: "fake/deterministic"
        prompt:
          system: workflow/instructions/SYSTEM_PROMPT.md
        output:
          format: json
          contract:
            summary:
              type: string
              description: "The summary"
            confidence:
              type: number
              description: "How sure the agent is"
              minimum: 0.0
              maximum: 1.0

        """
    }

    /// Writes a workflow directory `dir/directory` with `manifest` (nil writes none) and one agent per
    /// entry of `agents` (directory name → agent manifest text), each with every R11 file.
    ///
    /// - Parameter agentFileName: `agent.awp.yaml`, or `agent.yaml` for the legacy name.
    /// - Returns: the workflow directory.
    @discardableResult
    static func write(
        in dir: URL,
        directory: String = "demo",
        manifest: String? = Fixture.manifest,
        agents: [String: String] = ["writer": Fixture.agent()],
        agentFileName: String = "agent.awp.yaml"
    ) throws -> URL {
        let root = dir.appendingPathComponent(directory, isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        if let manifest { try TestSupport.write(manifest, to: "workflow.awp.yaml", in: root) }
        for (name, text) in agents {
            let base = "agents/\(name)"
            try TestSupport.write(text, to: "\(base)/\(agentFileName)", in: root)
            try TestSupport.write("from awp import Agent\n", to: "\(base)/agent.py", in: root)
            try TestSupport.write("You write.\n", to: "\(base)/workflow/instructions/SYSTEM_PROMPT.md", in: root)
            try TestSupport.write("Intro.\n", to: "\(base)/workflow/prompt/00_INTRO.md", in: root)
            try TestSupport.write(
                #"{"type": "object", "properties": {"summary": {"type": "string"}, "confidence": {"type": "number"}}, "required": ["confidence"]}"#,
                to: "\(base)/workflow/output_schema/output_schema.json",
                in: root
            )
            try TestSupport.write(
                #"{"summary": "The summary", "confidence": "How sure"}"#,
                to: "\(base)/workflow/output_schema_desc/output_schema_desc.json",
                in: root
            )
        }
        return root
    }

    /// Writes `manifest` (and the default agent) and loads the workflow.
    static func load(in dir: URL, manifest: String, agents: [String: String] = ["writer": Fixture.agent()]) throws
        -> LoadedWorkflow
    {
        let root = try write(in: dir, manifest: manifest, agents: agents)
        return WorkflowLoader.load(directory: root.path)
    }

    /// Loads the default manifest with `agent` as the text of `agents/writer/agent.awp.yaml`.
    static func load(in dir: URL, agent: String) throws -> LoadedWorkflow {
        try load(in: dir, manifest: Fixture.manifest, agents: ["writer": agent])
    }
}

/// A location in a workflow file (AWPCore's, not Swift Testing's).
func at(_ file: String, _ line: Int, _ column: Int) -> AWPCore.SourceLocation {
    AWPCore.SourceLocation(file: file, line: line, column: column)
}

let manifestFile = "workflow.awp.yaml"
let agentFile = "agents/writer/agent.awp.yaml"

extension String {
    /// The text with `target` replaced; the target must occur (so a fixture edit cannot silently miss).
    func edited(_ target: String, to replacement: String) -> String {
        precondition(contains(target), "fixture text does not contain \(target.debugDescription)")
        return replacingOccurrences(of: target, with: replacement)
    }
}

extension Array where Element == Diagnostic {
    var errorsOnly: [Diagnostic] { filter(\.isError) }
    var warningsOnly: [Diagnostic] { filter { !$0.isError } }
    func containing(_ text: String) -> [Diagnostic] { filter { $0.message.contains(text) } }
}
