public import AWPCore
internal import AWPYAML
public import Foundation

/// A workflow directory read into models, with every problem found while reading it.
public struct LoadedWorkflow: Sendable {
    /// The workflow directory as given (absolute or relative to the current directory).
    public var directory: String
    /// The manifest, or nil when `workflow.awp.yaml` is missing or could not be read.
    public var manifest: WorkflowManifest?
    /// Every sub-directory of `agents/`, sorted by name.
    public var agents: [LoadedAgent]
    /// Problems found while reading: YAML syntax, wrong types, missing fields, unknown keys.
    public var diagnostics: [Diagnostic]

    /// The agents that were read successfully, keyed by directory name.
    public var definitions: [String: AgentDefinition] {
        var result: [String: AgentDefinition] = [:]
        for agent in agents { if let definition = agent.definition { result[agent.directoryName] = definition } }
        return result
    }

    /// True when the manifest and every agent were read without errors.
    public var isReadable: Bool { manifest != nil && !diagnostics.containsErrors }

    /// The workflow name from the manifest, else the directory's name.
    public var name: String {
        if let name = manifest?.workflow.name, !name.isEmpty { return name }
        return URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
    }
}

/// One directory under `agents/`.
public struct LoadedAgent: Sendable {
    public var directoryName: String
    /// The agent's manifest file relative to the workflow (`agents/x/agent.awp.yaml`), nil if there is none.
    public var manifestPath: String?
    public var definition: AgentDefinition?
}

/// Reads a workflow directory: `workflow.awp.yaml` and every `agents/<id>/agent.awp.yaml`.
///
/// ```swift
/// let workflow = WorkflowLoader.load(directory: "Examples/a0-single-agent")
/// for diagnostic in workflow.diagnostics { print(diagnostic) }
/// ```
public enum WorkflowLoader {
    public static let manifestFileName = "workflow.awp.yaml"
    public static let agentFileName = "agent.awp.yaml"
    public static let legacyAgentFileName = "agent.yaml"
    /// Files larger than this are refused before parsing.
    public static let maxFileBytes = 4 << 20

    /// Reads the workflow at `directory`. Never throws: every problem becomes a diagnostic.
    public static func load(directory: String) -> LoadedWorkflow {
        var workflow = LoadedWorkflow(directory: directory, manifest: nil, agents: [], diagnostics: [])
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        let manifestURL = root.appendingPathComponent(manifestFileName)
        guard FileManager.default.fileExists(atPath: manifestURL.path) else {
            workflow.diagnostics.append(
                .error("\(manifestFileName) not found in \(directory)", at: SourceLocation(file: manifestFileName))
            )
            return workflow
        }
        let context = LoadContext(file: manifestFileName)
        if let node = parseFile(manifestURL, context: context) {
            let resolved = TemplateResolver(manifest: node).resolve(node)
            workflow.manifest = WorkflowManifest.read(resolved, context: context)
        } else if !context.hasErrors {
            context.error("\(manifestFileName) is empty", at: nil)
        }
        workflow.diagnostics += context.diagnostics
        loadAgents(into: &workflow, root: root)
        return workflow
    }

    /// Reads one agent file on its own (for tools that look at a single agent).
    public static func loadAgent(file path: String, relativeName: String) -> (AgentDefinition?, [Diagnostic]) {
        let context = LoadContext(file: relativeName)
        guard let node = parseFile(URL(fileURLWithPath: path), context: context) else {
            if !context.hasErrors { context.error("\(relativeName) is empty", at: nil) }
            return (nil, context.diagnostics)
        }
        return (AgentDefinition.read(node, context: context), context.diagnostics)
    }

    private static func loadAgents(into workflow: inout LoadedWorkflow, root: URL) {
        let agentsURL = root.appendingPathComponent("agents", isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: agentsURL.path)) ?? []
        for name in names.sorted() where isDirectory(agentsURL.appendingPathComponent(name)) {
            guard !name.hasPrefix(".") && name != "__pycache__" else { continue }
            var agent = LoadedAgent(directoryName: name, manifestPath: nil, definition: nil)
            let modern = agentsURL.appendingPathComponent(name).appendingPathComponent(agentFileName)
            let legacy = agentsURL.appendingPathComponent(name).appendingPathComponent(legacyAgentFileName)
            let file: URL
            if FileManager.default.fileExists(atPath: modern.path) {
                file = modern
            } else if FileManager.default.fileExists(atPath: legacy.path) {
                file = legacy
            } else {
                workflow.agents.append(agent)
                continue
            }
            let relative = "agents/\(name)/\(file.lastPathComponent)"
            agent.manifestPath = relative
            let (definition, diagnostics) = loadAgent(file: file.path, relativeName: relative)
            agent.definition = definition
            workflow.diagnostics += diagnostics
            if file == legacy {
                workflow.diagnostics.append(
                    .warning(
                        "agent '\(name)' uses the legacy file name agent.yaml; rename it to agent.awp.yaml "
                            + "(the Python reference's CLI ignores agent.yaml)",
                        at: SourceLocation(file: relative)
                    )
                )
            }
            workflow.agents.append(agent)
        }
    }

    /// Reads and parses one YAML file; reports I/O, size, encoding and syntax problems into `context`.
    static func parseFile(_ url: URL, context: LoadContext) -> YAMLNode? {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            context.error("cannot read \(context.file): \(error.localizedDescription)", at: nil)
            return nil
        }
        guard data.count <= maxFileBytes else {
            context.error("\(context.file) is \(data.count) bytes; files over \(maxFileBytes) bytes are refused", at: nil)
            return nil
        }
        do {
            return try YAMLParser.parse([UInt8](data))
        } catch {
            let location = error.mark.map { SourceLocation(file: context.file, line: $0.line, column: $0.column) }
            context.append(.error("YAML: \(error.message)", at: location ?? SourceLocation(file: context.file)))
            return nil
        }
    }

    /// True when `url` names an existing directory.
    public static func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}
