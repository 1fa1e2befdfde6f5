import AWPCore
import AWPTestSupport
import AWPValidator
import AWPWorkflow
import Foundation

/// Builds small workflows on disk for the validator tests. Every test writes into its own
/// temporary directory (`TestSupport.withTemporaryDirectory`), never into the repository.
///
/// Manifests are `header` (lines 1–5) followed by the test's own sections from line 6; agent
/// manifests are `agent(id)`, whose `output` section starts at line 10 and whose `extra` text
/// starts at line 21.
enum Fixture {
    /// Lines 1–5 of every manifest: `awp` and the `workflow` section (`name` value at 3:9).
    static func header(name: String = "demo") -> String {
        """
        awp: "1.0.0"
        workflow:
          name: \(name)
          version: "1.0.0"
          description: "A demo workflow"

        """
    }

    /// A DAG of independent nodes, one per id (node `i` has `- id:` on line 9 + 2i).
    static func dag(_ ids: String...) -> String {
        var text = "orchestration:\n  engine: dag\n  graph:\n"
        for id in ids { text += "    - id: \(id)\n      agent: \(id)\n" }
        return text
    }

    /// A delegation loop managed by `agents/manager` with a declared budget.
    static func delegationLoop(maxDepth: Int = 2) -> String {
        """
        orchestration:
          engine: delegation_loop
          delegation_loop:
            manager: agents/manager
            budget:
              max_loops: 5
              max_depth: \(maxDepth)

        """
    }

    /// A manifest: the header, then `body` from line 6.
    static func manifest(name: String = "demo", _ body: String = dag("writer")) -> String {
        header(name: name) + body
    }

    /// The default output section (lines 10–20 of an agent manifest).
    static let jsonOutput = """
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

    /// An agent manifest for `id`; `output` replaces lines 10–20, `extra` is appended after it.
    static func agent(_ id: String = "writer", output: String = jsonOutput, extra: String = "") -> String {
        """
        awp_agent: "1.0.0"
        identity:
          id: \(id)
          role: worker
          description: "A test agent"
        model:
          name: "fake/deterministic"
        prompt:
          system: workflow/instructions/SYSTEM_PROMPT.md

        """ + output + extra
    }

    static let schema = """
        {
          "type": "object",
          "properties": {
            "summary": {"type": "string"},
            "confidence": {"type": "number", "minimum": 0.0, "maximum": 1.0}
          },
          "required": ["summary", "confidence"]
        }

        """

    static let schemaDescriptions = #"{"summary": "The summary", "confidence": "How sure the agent is"}"#

    /// The files R11 asks for, relative to an agent directory.
    static let systemPromptPath = "workflow/instructions/SYSTEM_PROMPT.md"
    static let schemaPath = "workflow/output_schema/output_schema.json"
    static let descriptionsPath = "workflow/output_schema_desc/output_schema_desc.json"

    /// Writes `dir/directory` with `manifest` and one agent directory per entry of `agents`
    /// (directory name → agent manifest text), each with every R11 file. Returns the workflow directory.
    @discardableResult
    static func write(
        in dir: URL,
        directory: String = "demo",
        manifest: String = Fixture.manifest(),
        agents: [String: String] = ["writer": Fixture.agent()]
    ) throws -> URL {
        let root = dir.appendingPathComponent(directory, isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try TestSupport.write(manifest, to: "workflow.awp.yaml", in: root)
        for (name, text) in agents { try writeAgent(name, text, in: root) }
        return root
    }

    /// Writes `agents/<name>/` with `text` as its manifest and every R11 file.
    static func writeAgent(_ name: String, _ text: String, in root: URL) throws {
        let base = "agents/\(name)"
        try TestSupport.write(text, to: "\(base)/agent.awp.yaml", in: root)
        try TestSupport.write("from awp import Agent\n", to: "\(base)/agent.py", in: root)
        try TestSupport.write("You are a careful worker.\n", to: "\(base)/\(systemPromptPath)", in: root)
        try TestSupport.write("Introduction.\n", to: "\(base)/workflow/prompt/00_INTRO.md", in: root)
        try TestSupport.write(schema, to: "\(base)/\(schemaPath)", in: root)
        try TestSupport.write(schemaDescriptions, to: "\(base)/\(descriptionsPath)", in: root)
    }

    static func remove(_ relativePath: String, in root: URL) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(relativePath))
    }

    /// Writes a workflow and validates it.
    static func validate(
        in dir: URL,
        directory: String = "demo",
        manifest: String = Fixture.manifest(),
        agents: [String: String] = ["writer": Fixture.agent()]
    ) throws -> ValidationReport {
        let root = try write(in: dir, directory: directory, manifest: manifest, agents: agents)
        return WorkflowValidator.validate(directory: root.path)
    }

    /// Agents named `ids`, each with the default manifest text.
    static func agents(_ ids: String...) -> [String: String] {
        Dictionary(uniqueKeysWithValues: ids.map { ($0, agent($0)) })
    }
}

/// A location in a workflow file (AWPCore's, not Swift Testing's).
func at(_ file: String, _ line: Int? = nil, _ column: Int? = nil) -> AWPCore.SourceLocation {
    AWPCore.SourceLocation(file: file, line: line, column: column)
}

let manifestFile = "workflow.awp.yaml"
let writerFile = "agents/writer/agent.awp.yaml"

extension Array where Element == Diagnostic {
    /// The rule ids of these diagnostics, in order (`-` for diagnostics without a rule).
    var rules: [String] { map { $0.rule ?? "-" } }
    func containing(_ text: String) -> [Diagnostic] { filter { $0.message.contains(text) } }
    func rule(_ id: String) -> [Diagnostic] { filter { $0.rule == id } }
}

extension String {
    /// The text with `target` replaced; the target must occur (so a fixture edit cannot silently miss).
    func edited(_ target: String, to replacement: String) -> String {
        precondition(contains(target), "fixture text does not contain \(target.debugDescription)")
        return replacingOccurrences(of: target, with: replacement)
    }
}
